"""outbound messages: ``ix_outbound_failed_fan``, the failed ones by fan

The inbox marks a row whose fan has a failed message (``core/inbox/rows``), for each
page of rows it reads. By ``ix_outbound_messages_fan_id`` that read every message ever
queued to the page's fans (every campaign's) to keep the few failed; this partial index
holds the failed rows only, so a page reads what it shows.

Revision ID: 0041_failed_sends_index
Revises: 0040_accent_folded_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0041_failed_sends_index"
down_revision = "0040_accent_folded_search"
branch_labels = None
depends_on = None

_FAILED = "state = 'failed'"


def upgrade() -> None:
    op.create_index(
        "ix_outbound_failed_fan",
        "outbound_messages",
        ["fan_id"],
        unique=False,
        sqlite_where=sa.text(_FAILED),
        postgresql_where=sa.text(_FAILED),
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_failed_fan", table_name="outbound_messages")
