"""analytics: a fan with no subscription data is neither active nor new

A fan made by hand or imported without a platform id (``Fan.on_platform``) has the
default status 'active' and no subscription date: 0016's ``analytics_fan_days`` counted
them as active fans, and new ones on the day they were entered. Now such a fan is kept
under the status '' (``store.rollups.NO_SUBSCRIPTION``): the table is filled in again
from the fans, and its trigger (on PostgreSQL run as the owner again, as
``store/security`` has it) also runs when a sync finds the fan on the platform (its
id set). ``ix_fans_analytics_expiry`` (of expired fans only since 0027) gains
``platform_user_id``: the active and churned counts of expired fans, of fans on the
platform only, still read the index alone.

Revision ID: 0029_fan_days_on_platform
Revises: 0027_fans_expiry_partial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store import security
from ofcrm_tui.store.rollups import (
    TRIGGERS,
    Rollup,
    bulk_statement,
    drop_trigger_ddl,
    trigger_ddl,
    trigger_statements,
)

revision = "0029_fan_days_on_platform"
down_revision = "0027_fans_expiry_partial"
branch_labels = None
depends_on = None

_TRIGGER = "analytics_fans"
_TABLE, _COLUMNS = TRIGGERS[_TRIGGER][0], TRIGGERS[_TRIGGER][2]
(_FAN_DAYS,) = TRIGGERS[_TRIGGER][1]
# As 0016 made them.
_OLD_FAN_DAYS = Rollup(
    "analytics_fan_days", "fans",
    (("day", "{known} / 86400"), ("status", "{r}.subscription_status")),
    (("fans", "1"), ("spent_cents", "{r}.total_spent_cents")),
)
_OLD_COLUMNS = "account_id, subscribed_at, created_at, subscription_status, total_spent_cents"
_EXPIRY = ["account_id", "subscription_status", "expires_at", "subscribed_at", "created_at"]
_EXPIRED = "subscription_status = 'expired'"  # as the model's (store.models.crm), 0027


def _rebuild(rollup: Rollup, columns: str, expiry: list[str]) -> None:
    """``analytics_fan_days`` as ``rollup`` keeps it, its trigger firing on ``columns``."""
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in drop_trigger_ddl(dialect, _TRIGGER, _TABLE):
        op.execute(statement)
    op.execute(f"DELETE FROM {rollup.table}")
    op.execute(sa.text(bulk_statement(dialect, rollup)).bindparams(newest=0))
    add = trigger_statements(dialect, rollup, "NEW", 1)
    remove = trigger_statements(dialect, rollup, "OLD", -1)
    for statement in trigger_ddl(dialect, _TRIGGER, _TABLE, columns, add, remove):
        op.execute(statement)
    if dialect == "postgresql":
        security.owner_runs_triggers(bind)
    op.drop_index("ix_fans_analytics_expiry", table_name="fans")
    op.create_index("ix_fans_analytics_expiry", "fans", expiry, unique=False,
                    sqlite_where=sa.text(_EXPIRED), postgresql_where=sa.text(_EXPIRED))


def upgrade() -> None:
    _rebuild(_FAN_DAYS, _COLUMNS, [*_EXPIRY, "platform_user_id"])


def downgrade() -> None:
    _rebuild(_OLD_FAN_DAYS, _OLD_COLUMNS, _EXPIRY)
