"""campaign indexes: a segment's count read from indexes alone

The composer counts a segment on every filter change. Its conditions on other tables
are ``NOT IN`` / ``IN`` lists of fan ids; these indexes hold each list's rows in one
range, fan id included, so no table row is read:

- ``ix_transactions_buyers`` (account, type, fan): the fans who bought a PPV;
- ``ix_messages_sent_to`` (account, direction, created_at, fan): the fans sent a message
  since a time ("not messaged in N days");
- ``ix_fans_status`` (account, status): the active fans the count walks, the narrowest
  index that holds them in one range (the analytics index has the status fourth).

Revision ID: 0017_campaign_indexes
Revises: 0016_analytics_rollups
"""

from __future__ import annotations

from alembic import op

revision = "0017_campaign_indexes"
down_revision = "0016_analytics_rollups"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_transactions_buyers": ("transactions", ["account_id", "type", "fan_id"]),
    "ix_messages_sent_to": ("messages", ["account_id", "direction", "created_at", "fan_id"]),
    "ix_fans_status": ("fans", ["account_id", "subscription_status"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
