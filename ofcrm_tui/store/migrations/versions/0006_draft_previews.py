"""draft previews: which of a draft's PPV media are free previews

``drafts.preview_ids`` is a JSON list of platform media ids, a subset of
``media_ids``. Drafts saved before this revision get ``[]`` (no previews) from the
server default, the string ``'[]'``: SQLite stores it as text and
PostgreSQL casts it to ``json``.

Revision ID: 0006_draft_previews
Revises: 0005_inbox_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_draft_previews"
down_revision = "0005_inbox_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("preview_ids", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_column("preview_ids")
