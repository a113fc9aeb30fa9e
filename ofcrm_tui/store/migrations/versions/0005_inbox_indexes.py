"""inbox indexes: unread-only list, and counts filtered on fans

``ix_conversations_unread`` is partial (``WHERE unread_count > 0``): the unread-only
inbox reads and counts only unread conversations. ``ix_conversations_account_fan``
lets a count filtered on fan columns (spend, subscription status, tags) walk one
account's conversations in fan order, looking fans up by primary key in order.

Revision ID: 0005_inbox_indexes
Revises: 0004_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_inbox_indexes"
down_revision = "0004_outbox"
branch_labels = None
depends_on = None

_UNREAD = "unread_count > 0"


def upgrade() -> None:
    op.create_index(
        "ix_conversations_unread",
        "conversations",
        ["account_id", "last_message_at", "id"],
        unique=False,
        sqlite_where=sa.text(_UNREAD),
        postgresql_where=sa.text(_UNREAD),
    )
    op.create_index(
        "ix_conversations_account_fan",
        "conversations",
        ["account_id", "fan_id", "last_message_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_account_fan", table_name="conversations")
    op.drop_index("ix_conversations_unread", table_name="conversations")
