"""deleted fans: a platform fan deleted in ofcrm stays deleted

``deleted_fans``: per account, the platform users deleted here (their username then,
and when). The sync's fans refresh, transactions and chats leave them out until they
write again (a message newer than the deletion), when they come back as a new fan and
their row goes; adding the fan again by hand or by import takes it away too. On
PostgreSQL the table has its account policy, and every role that may delete fans may
record and clear them, before the next ``ofcrm team init`` grants them afresh from
``security.CHATTER_PRIVILEGES``.

Revision ID: 0036_deleted_fans
Revises: 0035_fans_segment_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store import security
from ofcrm_tui.store.types import UTCDateTime

revision = "0036_deleted_fans"
down_revision = "0035_fans_segment_platform"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLE = "deleted_fans"
# A chatter's, as ``security.CHATTER_PRIVILEGES`` has them at this revision (and reading).
_PRIVILEGES = "SELECT, INSERT, DELETE, UPDATE (username, deleted_at)"
_GRANTEES = (
    "SELECT DISTINCT grantee FROM information_schema.table_privileges"
    " WHERE table_schema = current_schema() AND table_name = 'fans'"
    " AND privilege_type = 'DELETE' AND grantee NOT IN (current_user, 'PUBLIC')"
)


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("platform_user_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_deleted_fans_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "platform_user_id", name=op.f("pk_deleted_fans")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.protect(bind, _TABLE)
        quote = bind.dialect.identifier_preparer.quote
        for grantee in bind.exec_driver_sql(_GRANTEES).scalars().all():
            op.execute(f"GRANT {_PRIVILEGES} ON {_TABLE} TO {quote(grantee)}")


def downgrade() -> None:
    op.drop_table(_TABLE)
