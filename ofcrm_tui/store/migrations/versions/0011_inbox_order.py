"""inbox order: the fan's last message

``conversations.last_fan_message_at`` is when the fan last wrote (before the fan's
first message: when the conversation's first message was), so the inbox can be
ordered by what fans do and not move when the chatter replies. Backfilled from
messages; conversations with no message stay NULL like ``last_message_at``. Two
indexes mirror ``ix_conversations_inbox`` and ``ix_conversations_unread`` for it.

Revision ID: 0011_inbox_order
Revises: 0010_analytics_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ofcrm_tui.store.types

revision = "0011_inbox_order"
down_revision = "0010_analytics_indexes"
branch_labels = None
depends_on = None

_UNREAD = "unread_count > 0"
_BACKFILL = """
UPDATE conversations SET last_fan_message_at = coalesce(
    (SELECT max(m.created_at) FROM messages m
     WHERE m.conversation_id = conversations.id AND m.direction = 'in'),
    (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id),
    last_message_at
)
WHERE last_message_at IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_fan_message_at",
                ofcrm_tui.store.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
    op.execute(_BACKFILL)
    op.create_index(
        "ix_conversations_fan_order",
        "conversations",
        ["account_id", "last_fan_message_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_conversations_fan_unread",
        "conversations",
        ["account_id", "last_fan_message_at", "id"],
        unique=False,
        sqlite_where=sa.text(_UNREAD),
        postgresql_where=sa.text(_UNREAD),
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_fan_unread", table_name="conversations")
    op.drop_index("ix_conversations_fan_order", table_name="conversations")
    # Not a batch: on SQLite that copies the table, and dropping the old one would
    # cascade to the rows that reference conversations (drafts, outbound).
    op.execute("ALTER TABLE conversations DROP COLUMN last_fan_message_at")
