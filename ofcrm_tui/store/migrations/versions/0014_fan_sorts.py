"""indexes for the fans list's orders: last active, subscribed since, name (and spend on
PostgreSQL)

Each order of ``core.fans.listing`` reads an index on ``(account_id, sort key, id)``, so
the first window of a 100,000-fan account is a short index walk. The keys are
expressions (an empty date sorts as the epoch; the name is the one shown, any case),
spelled here exactly as ``listing.sort_key`` spells them: a query uses an expression
index only when it holds the same expression. On SQLite the spend order already has
``ix_fans_account_spent`` (the row id ends every index there). Like the search indexes,
these live here and not in the models (``ix_sort_`` is left out of the model check).

Revision ID: 0014_fan_sorts
Revises: 0013_campaigns
"""

from __future__ import annotations

from alembic import op

revision = "0014_fan_sorts"
down_revision = "0013_campaigns"
branch_labels = None
depends_on = None

_NAME = ("lower(CASE WHEN (nickname != '') THEN nickname WHEN (name != '') THEN name "
         "ELSE username END)")
_EPOCH = {
    "sqlite": "'1970-01-01 00:00:00.000000'",
    "postgresql": "'1970-01-01 00:00:00+00'::timestamptz",
}


def _indexes(dialect: str) -> dict[str, str]:
    epoch = _EPOCH[dialect]
    found = {
        "ix_sort_fans_last_active": f"account_id, coalesce(last_seen_at, {epoch}), id",
        "ix_sort_fans_subscribed": f"account_id, coalesce(subscribed_at, {epoch}), id",
        "ix_sort_fans_name": f"account_id, {_NAME}, id",
    }
    if dialect == "postgresql":
        found["ix_sort_fans_spend"] = "account_id, total_spent_cents, id"
    return found


def upgrade() -> None:
    for name, columns in _indexes(op.get_bind().dialect.name).items():
        op.execute(f"CREATE INDEX {name} ON fans ({columns})")


def downgrade() -> None:
    for name in _indexes(op.get_bind().dialect.name):
        op.execute(f"DROP INDEX {name}")
