"""outbound tries: every attempt a message had, manual retries included

``outbound_messages.tries`` counts what ``attempts`` counts (a claim adds one, a try
given back — a 429, refused credentials, a refused connection — takes it back off) but a
manual retry does not reset it, so the failed views can say how often a message was
tried in all. Existing rows start from their ``attempts``: the tries before a retry are
not known (the send-attempts log is pruned).

Revision ID: 0018_outbound_tries
Revises: 0017_campaign_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_outbound_tries"
down_revision = "0017_campaign_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbound_messages", sa.Column("tries", sa.Integer(), nullable=False, server_default="0")
    )
    op.execute("UPDATE outbound_messages SET tries = attempts")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), as 0012 does for ``accounts``.
    op.drop_column("outbound_messages", "tries")
