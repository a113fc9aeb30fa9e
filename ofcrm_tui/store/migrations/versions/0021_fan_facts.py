"""fan facts: a segment's PPV, messaged and live-chat conditions read on the fan's row

Three columns on ``fans`` kept by triggers (``store/fan_facts``), filled in here from
the rows already there: ``ppv_purchases`` (the fan's PPV purchases: transactions of
type 'message'), ``last_outbound_at`` (the newest message sent to the fan) and
``last_chat_at`` (the fan's conversation's last message, either way). A segment's
"has not bought a PPV", "not messaged in N days" and "no message for N minutes" are
then tests of those columns in one pass over the account's fans, where they were
three lists of excluded fans built from transactions, messages and conversations.
``ix_fans_segment`` (account, status and the three facts) replaces 0017's
``ix_fans_status`` (account, status): the count reads the index alone.

Revision ID: 0021_fan_facts
Revises: 0020_team_security
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ofcrm_tui.store.types
from ofcrm_tui.store.fan_facts import FACTS, fact_bulk_statement, fact_triggers
from ofcrm_tui.store.rollups import drop_trigger_ddl, trigger_ddl

revision = "0021_fan_facts"
down_revision = "0020_team_security"
branch_labels = None
depends_on = None

_WHEN = ofcrm_tui.store.types.UTCDateTime(timezone=True)
_SEGMENT = ["account_id", "subscription_status", "ppv_purchases", "last_outbound_at",
            "last_chat_at"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "fans", sa.Column("ppv_purchases", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column("fans", sa.Column("last_outbound_at", _WHEN, nullable=True))
    op.add_column("fans", sa.Column("last_chat_at", _WHEN, nullable=True))
    for fact in FACTS:
        op.execute(sa.text(fact_bulk_statement(fact)).bindparams(newest=0))
    op.drop_index("ix_fans_status", table_name="fans")
    op.create_index("ix_fans_segment", "fans", _SEGMENT, unique=False)
    for name, (table, columns, add, remove) in fact_triggers().items():
        for statement in trigger_ddl(dialect, name, table, columns, add, remove):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, (table, _columns, _add, _remove) in fact_triggers().items():
        for statement in drop_trigger_ddl(dialect, name, table):
            op.execute(statement)
    op.drop_index("ix_fans_segment", table_name="fans")
    op.create_index("ix_fans_status", "fans", ["account_id", "subscription_status"], unique=False)
    # Plain DROP COLUMN (SQLite 3.35+), as 0018 does.
    for column in ("last_chat_at", "last_outbound_at", "ppv_purchases"):
        op.drop_column("fans", column)
