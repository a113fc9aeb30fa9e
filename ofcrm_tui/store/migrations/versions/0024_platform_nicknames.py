"""platform nicknames: what the platform last said a fan's nickname was

``fans.platform_nickname`` keeps the platform's ``displayName`` as the last subscribers
refresh saw it, so the sync changes ``fans.nickname`` only when the platform's value
changes (``core/sync_writes``): a nickname set in ofcrm is no longer overwritten by
every refresh. NULL: the platform has not named the fan yet. Fans synced before take
their nickname as the platform's (it was, as of the last refresh); an empty one stays
NULL, which the sync treats alike. Fans made by hand stay NULL.

Revision ID: 0024_platform_nicknames
Revises: 0023_message_prefixes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_platform_nicknames"
down_revision = "0023_message_prefixes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of a table others refer to, see 0008).
    op.add_column("fans", sa.Column("platform_nickname", sa.String(255), nullable=True))
    op.execute(
        "UPDATE fans SET platform_nickname = nickname"
        " WHERE platform_user_id IS NOT NULL AND nickname != ''"
    )


def downgrade() -> None:
    op.drop_column("fans", "platform_nickname")
