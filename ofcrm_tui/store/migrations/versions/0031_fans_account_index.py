"""fans: no index of ``account_id`` alone

Every other index of ``fans`` leads with ``account_id`` (and its unique constraint with the
platform id), so any of them serves the account's lookups and the cascade from a deleted
account; the plain one only cost its upkeep on every insert and an index build in each
bulk import.

Revision ID: 0031_fans_account_index
Revises: 0030_team_fans_version
"""

from __future__ import annotations

from alembic import op

revision = "0031_fans_account_index"
down_revision = "0030_team_fans_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_fans_account_id", table_name="fans")


def downgrade() -> None:
    op.create_index("ix_fans_account_id", "fans", ["account_id"])
