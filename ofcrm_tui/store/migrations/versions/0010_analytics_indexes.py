"""analytics indexes: a period's messages read from the index alone

``ix_messages_analytics_sent`` holds what the chatter figures count of an account's
outbound messages in a period (sender, price, bought), in time order; and
``ix_messages_analytics_replies`` what the reply times need of every message in a
period (conversation, order, direction, sender), so neither reads the table's rows.

Revision ID: 0010_analytics_indexes
Revises: 0007_name_substrings
"""

from __future__ import annotations

from alembic import op

revision = "0010_analytics_indexes"
down_revision = "0007_name_substrings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_messages_analytics_sent",
        "messages",
        ["account_id", "direction", "created_at", "sent_by", "price_cents", "is_opened"],
        unique=False,
    )
    op.create_index(
        "ix_messages_analytics_replies",
        "messages",
        ["account_id", "created_at", "conversation_id", "platform_message_id", "direction", "sent_by"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_analytics_replies", table_name="messages")
    op.drop_index("ix_messages_analytics_sent", table_name="messages")
