"""fans: ``ix_fans_analytics`` holds the dates alone

Since the per-day rollup (0016), the index serves one query: the fans who became known
in the partial UTC days at a period's edges (``core/analytics/fans.py``), which reads
each such fan's row anyway for ``platform_user_id`` (the rollup's status). The status,
expiry and spend it also held were never read from it; without them it is about half
the size, and a bulk import builds it in ~60% of the time (bench/README.md, fans import).

Revision ID: 0034_fans_analytics_dates
Revises: 0033_fan_names_without_sizes
"""

from __future__ import annotations

from alembic import op

from ofcrm_tui.store.indexes import statistics_again

revision = "0034_fans_analytics_dates"
down_revision = "0033_fan_names_without_sizes"
branch_labels = None
depends_on = None

_DATES = ["account_id", "subscribed_at", "created_at"]
_BEFORE = [*_DATES, "subscription_status", "expires_at", "total_spent_cents"]


def _index(columns: list[str]) -> None:
    op.drop_index("ix_fans_analytics", table_name="fans")
    op.create_index("ix_fans_analytics", "fans", columns)
    statistics_again(op.get_bind(), "fans")


def upgrade() -> None:
    _index(_DATES)


def downgrade() -> None:
    _index(_BEFORE)
