"""outbox: a platform message settles at most one outbound row

Revision ID: 0004_outbox
Revises: 0003_drafts
"""

from __future__ import annotations

from alembic import op

revision = "0004_outbox"
down_revision = "0003_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_outbound_messages_platform_message", ["account_id", "platform_message_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outbound_messages_platform_message", type_="unique")
