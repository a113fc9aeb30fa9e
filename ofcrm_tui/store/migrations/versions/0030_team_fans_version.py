"""team: a fans version beside the assignments' one

``team_versions.fans``: per account, a number every fan edit by hand (nickname, tags,
notes, a fan created or deleted) and every import that changed fans adds one to, in its
own transaction; the other apps' heartbeats read it and reload what shows fans. On
PostgreSQL every role that may move the assignments' number may move this one too (a
chatter's edits bump it under row-level security), before the next ``ofcrm team init``
grants it afresh from ``security.CHATTER_PRIVILEGES``.

Revision ID: 0030_team_fans_version
Revises: 0029_fan_days_on_platform
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_team_fans_version"
down_revision = "0029_fan_days_on_platform"
branch_labels = None
depends_on = None

_GRANTEES = (
    "SELECT DISTINCT grantee FROM information_schema.column_privileges"
    " WHERE table_schema = current_schema() AND table_name = 'team_versions'"
    " AND column_name = 'assignments' AND privilege_type = 'UPDATE'"
    " AND grantee NOT IN (current_user, 'PUBLIC')"
)


def upgrade() -> None:
    op.add_column("team_versions",
                  sa.Column("fans", sa.BigInteger(), nullable=False, server_default="0"))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        quote = bind.dialect.identifier_preparer.quote
        for grantee in bind.exec_driver_sql(_GRANTEES).scalars().all():
            op.execute(f"GRANT UPDATE (fans) ON team_versions TO {quote(grantee)}")


def downgrade() -> None:
    op.drop_column("team_versions", "fans")
