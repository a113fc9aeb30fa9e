"""analytics rollups: a period's figures read from a few hundred rows, not its messages

Five tables kept by triggers on every insert, update and delete (so right whatever
order rows arrive or change in), filled in once here from the existing rows (their SQL,
shared with bulk loads, is ``store/rollups.py``):

- ``analytics_revenue_hours``: transactions' gross and net per UTC hour and type;
- ``analytics_fan_spend``: each fan's positive transaction amounts ever, summed: no fan
  spent more in any period, so the top fans of a period are found among the biggest
  spenders first (no foreign key to fans: deleting a fan nulls its transactions'
  ``fan_id``, which takes its amounts out again);
- ``analytics_fan_days``: fans and their total spend per UTC day they became known
  (subscribed, or first seen) and subscription status: the total, new and active counts
  of a period (with ``ix_fans_analytics_expiry`` for expired fans whose subscription
  ran past its start);
- ``analytics_sent_hours``: outbound messages, PPV sent / bought and bought revenue per
  UTC hour and chatter (``sent_by``, '' for none);
- ``analytics_reply_days``: replies (``reply_seconds`` up to a day) per UTC day, chatter
  and reply-time bucket: whole seconds under a minute, whole minutes under an hour,
  half hours up to a day (-1: negative). A median or p90 is found by walking these
  counts to the bucket holding its rank, then reading that bucket's replies alone from
  ``ix_messages_reply_rank`` (exact, without sorting a period's replies).

Hours and days are counted from the Unix epoch; a period edge that falls inside one is
read from the messages and transactions themselves (see ``core/analytics/rollups``).

Revision ID: 0016_analytics_rollups
Revises: 0014_fan_sorts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.rollups import (
    ROLLUPS,
    TRIGGERS,
    bulk_statement,
    drop_trigger_ddl,
    trigger_ddl,
    trigger_statements,
)

revision = "0016_analytics_rollups"
down_revision = "0014_fan_sorts"
branch_labels = None
depends_on = None

_ACCOUNT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# table -> (key columns after account_id, summed columns)
_TABLES = {
    "analytics_revenue_hours": (
        [("hour", sa.BigInteger()), ("type", sa.String(16))], ("gross_cents", "net_cents")),
    "analytics_fan_spend": ([("fan_id", sa.BigInteger())], ("spent_cents",)),
    "analytics_fan_days": (
        [("day", sa.BigInteger()), ("status", sa.String(16))], ("fans", "spent_cents")),
    "analytics_sent_hours": (
        [("hour", sa.BigInteger()), ("chatter", sa.String(128))],
        ("sent", "ppv_sent", "ppv_bought", "ppv_revenue_cents")),
    "analytics_reply_days": (
        [("day", sa.BigInteger()), ("chatter", sa.String(128)), ("bucket", sa.Integer())],
        ("replies",)),
}


def _create_rollups(dialect: str) -> None:
    """The tables, their rows from the data already there, and their triggers."""
    for name, (keys, sums) in _TABLES.items():
        op.create_table(
            name,
            sa.Column("account_id", _ACCOUNT_ID, nullable=False),
            *(sa.Column(c, t, nullable=False) for c, t in keys),
            *(sa.Column(c, sa.BigInteger(), nullable=False) for c in sums),
            sa.ForeignKeyConstraint(
                ["account_id"], ["accounts.id"], name=op.f(f"fk_{name}_account_id_accounts"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("account_id", *(c for c, _ in keys), name=op.f(f"pk_{name}")),
        )
    for rollup in ROLLUPS:
        op.execute(sa.text(bulk_statement(dialect, rollup)).bindparams(newest=0))
    for name, (table, rollups, columns) in TRIGGERS.items():
        add = "".join(trigger_statements(dialect, rollup, "NEW", 1) for rollup in rollups)
        remove = "".join(trigger_statements(dialect, rollup, "OLD", -1) for rollup in rollups)
        for statement in trigger_ddl(dialect, name, table, columns, add, remove):
            op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _create_rollups(dialect)
    op.create_index(
        "ix_analytics_fan_spend_rank", "analytics_fan_spend",
        ["account_id", "spent_cents", "fan_id"], unique=False,
    )
    op.create_index(
        "ix_fans_analytics_expiry", "fans",
        ["account_id", "subscription_status", "expires_at", "subscribed_at", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_messages_reply_rank", "messages",
        ["account_id", "sent_by", "reply_seconds", "created_at"], unique=False,
        sqlite_where=sa.text("reply_seconds IS NOT NULL"),
        postgresql_where=sa.text("reply_seconds IS NOT NULL"),
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_messages_reply_rank", table_name="messages")
    op.drop_index("ix_fans_analytics_expiry", table_name="fans")
    op.drop_index("ix_analytics_fan_spend_rank", table_name="analytics_fan_spend")
    for name, (table, _rollups, _columns) in TRIGGERS.items():
        for statement in drop_trigger_ddl(dialect, name, table):
            op.execute(statement)
    for name in _TABLES:
        op.drop_table(name)
