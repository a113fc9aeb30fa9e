"""platform outages: since when an account's platform refuses connections, and the next try

``accounts.unreachable_since`` is the first connection of the current outage that could
not be made (by a send or a poll), ``accounts.unreachable_retry_at`` when sends and polls
try again. Both null: the platform answered last time. Existing accounts get null.

Revision ID: 0012_outage
Revises: 0011_inbox_order
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.types import UTCDateTime

revision = "0012_outage"
down_revision = "0011_inbox_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("unreachable_since", UTCDateTime(timezone=True)))
    op.add_column("accounts", sa.Column("unreachable_retry_at", UTCDateTime(timezone=True)))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of ``accounts``
    # would have to drop a table that every other table refers to.
    op.drop_column("accounts", "unreachable_retry_at")
    op.drop_column("accounts", "unreachable_since")
