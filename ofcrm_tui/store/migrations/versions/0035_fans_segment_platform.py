"""fans: ``ix_fans_segment`` holds the platform id

A status matches only fans on the platform (0029's rule, ``Fan.on_platform``). The fan
filter tested it as a set (the ids without a platform id, from the unique key) so that
a segment's count stayed an index-only read of ``ix_fans_segment``; but SQLite probes
that set for every fan counted, even when it is empty: 2.5 ms of the 5.5 ms count of
78k active fans (bench/README.md, campaigns). With the platform id as the index's last
column the status is a plain row condition read from the same index.

Revision ID: 0035_fans_segment_platform
Revises: 0034_fans_analytics_dates
"""

from __future__ import annotations

from alembic import op

from ofcrm_tui.store.indexes import statistics_again

revision = "0035_fans_segment_platform"
down_revision = "0034_fans_analytics_dates"
branch_labels = None
depends_on = None

_BEFORE = ["account_id", "subscription_status", "ppv_purchases", "last_outbound_at", "last_chat_at"]


def _index(columns: list[str]) -> None:
    op.drop_index("ix_fans_segment", table_name="fans")
    op.create_index("ix_fans_segment", "fans", columns)
    statistics_again(op.get_bind(), "fans")


def upgrade() -> None:
    _index([*_BEFORE, "platform_user_id"])


def downgrade() -> None:
    _index(_BEFORE)
