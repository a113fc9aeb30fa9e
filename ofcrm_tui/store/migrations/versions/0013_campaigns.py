"""campaigns: scheduling, frozen recipient counts, one message per fan and campaign

``campaigns`` gains ``scheduled_at`` (a campaign starts by itself then), ``recipients``
(how many fans its launch froze), ``launch_error`` (why a scheduled launch did not
happen) and the ``scheduled`` status. ``outbound_messages`` gets a unique index on
``(campaign_id, fan_id)`` for campaign rows: the database, not the caller, keeps a fan
from getting the same campaign twice.

Revision ID: 0013_campaigns
Revises: 0012_outage
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ofcrm_tui.store.types

revision = "0013_campaigns"
down_revision = "0012_outage"
branch_labels = None
depends_on = None

_OLD_STATUSES = "status IN ('draft', 'running', 'paused', 'done', 'cancelled')"
_NEW_STATUSES = "status IN ('draft', 'scheduled', 'running', 'paused', 'done', 'cancelled')"
_CAMPAIGN_ROWS = "campaign_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheduled_at", ofcrm_tui.store.types.UTCDateTime(timezone=True))
        )
        batch_op.add_column(
            sa.Column("recipients", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("launch_error", sa.Text()))
        batch_op.drop_constraint(op.f("ck_campaigns_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_campaigns_status"), _NEW_STATUSES)
        batch_op.create_index("ix_campaigns_due", ["status", "scheduled_at"], unique=False)
    op.create_index(
        "uq_outbound_campaign_fan",
        "outbound_messages",
        ["campaign_id", "fan_id"],
        unique=True,
        sqlite_where=sa.text(_CAMPAIGN_ROWS),
        postgresql_where=sa.text(_CAMPAIGN_ROWS),
    )


def downgrade() -> None:
    op.drop_index("uq_outbound_campaign_fan", table_name="outbound_messages")
    op.execute("UPDATE campaigns SET status = 'draft' WHERE status = 'scheduled'")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_due")
        batch_op.drop_constraint(op.f("ck_campaigns_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_campaigns_status"), _OLD_STATUSES)
        batch_op.drop_column("launch_error")
        batch_op.drop_column("recipients")
        batch_op.drop_column("scheduled_at")
