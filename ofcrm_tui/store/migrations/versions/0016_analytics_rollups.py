"""analytics rollups: a period's figures read from a few hundred rows, not its messages

Three tables kept by triggers on every insert, update and delete (so right whatever
order rows arrive or change in), filled in once here from the existing rows:

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

revision = "0016_analytics_rollups"
down_revision = "0014_fan_sorts"
branch_labels = None
depends_on = None

_TRUNC = {"sqlite": "CAST({} AS INTEGER)", "postgresql": "CAST(trunc({}) AS BIGINT)"}
_EPOCH = {
    "sqlite": "CAST(strftime('%s', {}) AS INTEGER)",
    "postgresql": "CAST(floor(extract(epoch FROM {})) AS BIGINT)",
}
_BUCKET = (
    "CASE WHEN {v} < 0 THEN -1 WHEN {v} < 60 THEN {t} WHEN {v} < 3600 THEN 59 + {t} / 60 "
    "ELSE 117 + {t} / 1800 END"
)
_REVENUE = """
INSERT INTO analytics_revenue_hours (account_id, hour, type, gross_cents, net_cents)
SELECT {r}.account_id, {epoch} / 3600, {r}.type, {s} * {r}.amount_cents, {s} * {r}.net_cents
WHERE true
ON CONFLICT (account_id, hour, type) DO UPDATE SET
    gross_cents = analytics_revenue_hours.gross_cents + excluded.gross_cents,
    net_cents = analytics_revenue_hours.net_cents + excluded.net_cents;
"""
_SPEND = """
INSERT INTO analytics_fan_spend (account_id, fan_id, spent_cents)
SELECT {r}.account_id, {r}.fan_id, {s} * CASE WHEN {r}.amount_cents > 0 THEN {r}.amount_cents ELSE 0 END
WHERE {r}.fan_id IS NOT NULL
ON CONFLICT (account_id, fan_id) DO UPDATE SET
    spent_cents = analytics_fan_spend.spent_cents + excluded.spent_cents;
"""
_FANS = """
INSERT INTO analytics_fan_days (account_id, day, status, fans, spent_cents)
SELECT {r}.account_id, {known} / 86400, {r}.subscription_status, {s}, {s} * {r}.total_spent_cents
WHERE true
ON CONFLICT (account_id, day, status) DO UPDATE SET
    fans = analytics_fan_days.fans + excluded.fans,
    spent_cents = analytics_fan_days.spent_cents + excluded.spent_cents;
"""
_SENT = """
INSERT INTO analytics_sent_hours
    (account_id, hour, chatter, sent, ppv_sent, ppv_bought, ppv_revenue_cents)
SELECT {r}.account_id, {epoch} / 3600, coalesce({r}.sent_by, ''), {s},
    CASE WHEN {r}.price_cents > 0 THEN {s} ELSE 0 END,
    CASE WHEN {r}.price_cents > 0 AND {r}.is_opened THEN {s} ELSE 0 END,
    CASE WHEN {r}.price_cents > 0 AND {r}.is_opened THEN {s} * {r}.price_cents ELSE 0 END
WHERE {r}.direction = 'out'
ON CONFLICT (account_id, hour, chatter) DO UPDATE SET
    sent = analytics_sent_hours.sent + excluded.sent,
    ppv_sent = analytics_sent_hours.ppv_sent + excluded.ppv_sent,
    ppv_bought = analytics_sent_hours.ppv_bought + excluded.ppv_bought,
    ppv_revenue_cents = analytics_sent_hours.ppv_revenue_cents + excluded.ppv_revenue_cents;
"""
_REPLY = """
INSERT INTO analytics_reply_days (account_id, day, chatter, bucket, replies)
SELECT {r}.account_id, {epoch} / 86400, coalesce({r}.sent_by, ''), {bucket}, {s}
WHERE {r}.direction = 'out' AND {r}.reply_seconds <= 86400
ON CONFLICT (account_id, day, chatter, bucket) DO UPDATE SET
    replies = analytics_reply_days.replies + excluded.replies;
"""
_BACKFILL = {
    "analytics_revenue_hours": """
INSERT INTO analytics_revenue_hours (account_id, hour, type, gross_cents, net_cents)
SELECT account_id, {epoch} / 3600 AS h, type, sum(amount_cents), sum(net_cents)
FROM transactions GROUP BY account_id, h, type""",
    "analytics_fan_spend": """
INSERT INTO analytics_fan_spend (account_id, fan_id, spent_cents)
SELECT account_id, fan_id, sum(CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END)
FROM transactions WHERE fan_id IS NOT NULL GROUP BY account_id, fan_id""",
    "analytics_fan_days": """
INSERT INTO analytics_fan_days (account_id, day, status, fans, spent_cents)
SELECT account_id, {known} / 86400 AS d, subscription_status, count(*), sum(total_spent_cents)
FROM fans GROUP BY account_id, d, subscription_status""",
    "analytics_sent_hours": """
INSERT INTO analytics_sent_hours
    (account_id, hour, chatter, sent, ppv_sent, ppv_bought, ppv_revenue_cents)
SELECT account_id, {epoch} / 3600 AS h, coalesce(sent_by, '') AS c, count(*),
    sum(CASE WHEN price_cents > 0 THEN 1 ELSE 0 END),
    sum(CASE WHEN price_cents > 0 AND is_opened THEN 1 ELSE 0 END),
    sum(CASE WHEN price_cents > 0 AND is_opened THEN price_cents ELSE 0 END)
FROM messages WHERE direction = 'out' GROUP BY account_id, h, c""",
    "analytics_reply_days": """
INSERT INTO analytics_reply_days (account_id, day, chatter, bucket, replies)
SELECT account_id, {epoch} / 86400 AS d, coalesce(sent_by, '') AS c, {bucket} AS b, count(*)
FROM messages WHERE direction = 'out' AND reply_seconds <= 86400 GROUP BY account_id, d, c, b""",
}
# table -> (trigger name, {event: rollup statements}); an update takes the old row out
# and puts the new one in, and only fires when a column the rollup reads is set.
_TRIGGERS = {
    "transactions": [
        ("analytics_transactions", [_REVENUE, _SPEND],
         "account_id, created_at, type, amount_cents, net_cents, fan_id"),
    ],
    "fans": [
        ("analytics_fans", [_FANS],
         "account_id, subscribed_at, created_at, subscription_status, total_spent_cents"),
    ],
    "messages": [
        ("analytics_sent", [_SENT],
         "account_id, direction, created_at, sent_by, price_cents, is_opened"),
        ("analytics_replies", [_REPLY],
         "account_id, direction, created_at, sent_by, reply_seconds"),
    ],
}


def _statements(dialect: str, rollups: list[str], row: str, sign: int) -> str:
    epoch = _EPOCH[dialect].format(f"{row}.created_at")
    value = f"{row}.reply_seconds"
    bucket = _BUCKET.format(v=value, t=_TRUNC[dialect].format(value))
    known = _EPOCH[dialect].format(f"coalesce({row}.subscribed_at, {row}.created_at)")
    return "".join(
        sql.format(r=row, s=sign, epoch=epoch, bucket=bucket, known=known) for sql in rollups
    )


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
            sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
            *(sa.Column(c, t, nullable=False) for c, t in keys),
            *(sa.Column(c, sa.BigInteger(), nullable=False) for c in sums),
            sa.ForeignKeyConstraint(
                ["account_id"], ["accounts.id"], name=op.f(f"fk_{name}_account_id_accounts"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("account_id", *(c for c, _ in keys), name=op.f(f"pk_{name}")),
        )
    epoch = _EPOCH[dialect].format("created_at")
    bucket = _BUCKET.format(v="reply_seconds", t=_TRUNC[dialect].format("reply_seconds"))
    known = _EPOCH[dialect].format("coalesce(subscribed_at, created_at)")
    for sql in _BACKFILL.values():
        op.execute(sql.format(epoch=epoch, bucket=bucket, known=known))
    for table, triggers in _TRIGGERS.items():
        for name, rollups, columns in triggers:
            add = _statements(dialect, rollups, "NEW", 1)
            remove = _statements(dialect, rollups, "OLD", -1)
            if dialect == "sqlite":
                op.execute(f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {add} END")
                op.execute(f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {remove} END")
                op.execute(
                    f"CREATE TRIGGER {name}_update AFTER UPDATE OF {columns} ON {table} "
                    f"BEGIN {remove} {add} END"
                )
                continue
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP <> 'INSERT' THEN {remove} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {add} END IF; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {columns} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )


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
    for table, triggers in _TRIGGERS.items():
        for name, _rollups, _columns in triggers:
            if dialect == "sqlite":
                for event in ("insert", "delete", "update"):
                    op.execute(f"DROP TRIGGER {name}_{event}")
            else:
                op.execute(f"DROP TRIGGER {name} ON {table}")
                op.execute(f"DROP FUNCTION {name}()")
    for name in _TABLES:
        op.drop_table(name)
