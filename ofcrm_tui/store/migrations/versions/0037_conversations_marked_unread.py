"""conversations marked unread by hand stay unread

``conversations.marked_unread_at``: when a chatter marked the conversation unread here
(NULL: not marked, or read since). The platform has no unread mark, and its count (0
for a chat read there) would otherwise undo the mark at the next poll; while it is set
the sync keeps one unread message at least, and reading the conversation here clears
it. On PostgreSQL every role that may update the unread count may set and clear it,
before the next ``ofcrm team init`` grants it afresh from ``security.CHATTER_PRIVILEGES``.

Revision ID: 0037_conversations_marked_unread
Revises: 0036_deleted_fans
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.types import UTCDateTime

revision = "0037_conversations_marked_unread"
down_revision = "0036_deleted_fans"
branch_labels = None
depends_on = None

_GRANTEES = (
    "SELECT DISTINCT grantee FROM information_schema.column_privileges"
    " WHERE table_schema = current_schema() AND table_name = 'conversations'"
    " AND column_name = 'unread_count' AND privilege_type = 'UPDATE'"
    " AND grantee NOT IN (current_user, 'PUBLIC')"
)


def upgrade() -> None:
    op.add_column("conversations",
                  sa.Column("marked_unread_at", UTCDateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        quote = bind.dialect.identifier_preparer.quote
        for grantee in bind.exec_driver_sql(_GRANTEES).scalars().all():
            op.execute(f"GRANT UPDATE (marked_unread_at) ON conversations TO {quote(grantee)}")


def downgrade() -> None:
    op.drop_column("conversations", "marked_unread_at")
