"""analytics: reply times kept on the messages, and indexes a period's figures read alone

``messages.reply_seconds``: for an outbound message right after a fan's message in its
conversation (by platform message id), the seconds since that fan message; NULL
otherwise. A trigger keeps it as messages arrive, in any order: inserting a message
sets its own value and its successor's (the only message whose predecessor changed).
Existing rows are filled in once here. The analytics then read reply times from
``ix_messages_analytics_sent`` (an account's outbound messages in time order with
sender, price, bought and reply time) instead of ordering a period's messages by
conversation, which took seconds at 1M messages. ``ix_transactions_analytics`` and
``ix_fans_analytics`` hold what the revenue series, top fans and fan counts read, so
those too are read from an index alone.

Revision ID: 0010_analytics_indexes
Revises: 0009_gateways
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_analytics_indexes"
down_revision = "0009_gateways"
branch_labels = None
depends_on = None

_INDEX_COLUMNS = [
    "account_id", "direction", "created_at", "sent_by", "price_cents", "is_opened", "reply_seconds",
]
_TRANSACTION_COLUMNS = ["account_id", "created_at", "type", "amount_cents", "net_cents", "fan_id"]
_FAN_COLUMNS = [
    "account_id", "subscribed_at", "created_at", "subscription_status", "expires_at",
    "total_spent_cents",
]
# Seconds between two timestamps, per backend.
_SECONDS = {
    "sqlite": "(julianday({later}) - julianday({earlier})) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM {later} - {earlier})",
}
# Recompute the reply time of the new message and of the one after it.
_RECOMPUTE = """
UPDATE messages SET reply_seconds = (
    SELECT CASE WHEN messages.direction = 'out' AND p.direction = 'in' THEN {seconds} END
    FROM messages AS p
    WHERE p.conversation_id = messages.conversation_id
      AND p.platform_message_id < messages.platform_message_id
    ORDER BY p.platform_message_id DESC LIMIT 1)
WHERE id IN (NEW.id, (
    SELECT s.id FROM messages AS s
    WHERE s.conversation_id = NEW.conversation_id
      AND s.platform_message_id > NEW.platform_message_id
    ORDER BY s.platform_message_id LIMIT 1));
"""
_BACKFILL = """
UPDATE messages SET reply_seconds = w.wait FROM (
    SELECT id, CASE WHEN direction = 'out' AND lag(direction) OVER w = 'in'
                    THEN {seconds} END AS wait
    FROM messages WINDOW w AS (PARTITION BY conversation_id ORDER BY platform_message_id)
) AS w
WHERE messages.id = w.id AND w.wait IS NOT NULL
"""


def _seconds(dialect: str, later: str, earlier: str) -> str:
    return _SECONDS[dialect].format(later=later, earlier=earlier)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("messages", sa.Column("reply_seconds", sa.Double(), nullable=True))
    op.execute(_BACKFILL.format(
        seconds=_seconds(dialect, "created_at", "lag(created_at) OVER w")))
    recompute = _RECOMPUTE.format(seconds=_seconds(dialect, "messages.created_at", "p.created_at"))
    if dialect == "sqlite":
        op.execute(
            f"CREATE TRIGGER messages_reply_seconds AFTER INSERT ON messages BEGIN {recompute} END"
        )
    else:
        op.execute(
            "CREATE FUNCTION messages_reply_seconds() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {recompute} RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER messages_reply_seconds AFTER INSERT ON messages "
            "FOR EACH ROW EXECUTE FUNCTION messages_reply_seconds()"
        )
    op.create_index("ix_messages_analytics_sent", "messages", _INDEX_COLUMNS, unique=False)
    op.create_index("ix_transactions_analytics", "transactions", _TRANSACTION_COLUMNS, unique=False)
    op.create_index("ix_fans_analytics", "fans", _FAN_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_fans_analytics", table_name="fans")
    op.drop_index("ix_transactions_analytics", table_name="transactions")
    op.drop_index("ix_messages_analytics_sent", table_name="messages")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER messages_reply_seconds")
    else:
        op.execute("DROP TRIGGER messages_reply_seconds ON messages")
        op.execute("DROP FUNCTION messages_reply_seconds()")
    op.drop_column("messages", "reply_seconds")
