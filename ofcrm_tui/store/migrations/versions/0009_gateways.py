"""accounts reach the platform through a gateway; transaction ids are text

An account names its gateway (``contract``, ``ofauth`` or ``onlyfansapi``) and the id
that picks the creator there; the gateways' transaction ids are hex strings, so the
platform's transaction id becomes text (the contract's numbers keep their digits).

Revision ID: 0009_gateways
Revises: 0008_fans_by_hand
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.errors import OfcrmError

revision = "0009_gateways"
down_revision = "0008_fans_by_hand"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "accounts", sa.Column("gateway", sa.String(16), nullable=False, server_default="contract")
    )
    op.add_column("accounts", sa.Column("gateway_account", sa.String(255), nullable=True))
    with op.batch_alter_table("transactions") as batch:
        batch.alter_column(
            "platform_transaction_id",
            existing_type=sa.BigInteger(),
            type_=sa.String(64),
            existing_nullable=False,
            postgresql_using="platform_transaction_id::text",
        )
    if op.get_bind().dialect.name == "sqlite":  # the copy may keep integers: make them text
        op.execute("UPDATE transactions SET platform_transaction_id = CAST(platform_transaction_id AS TEXT)")


def downgrade() -> None:
    # Text ids that are not numbers cannot go back: refuse rather than lose them.
    bind = op.get_bind()
    pattern = "~ '[^0-9]'" if bind.dialect.name == "postgresql" else "GLOB '*[^0-9]*'"
    if bind.exec_driver_sql(
        f"SELECT 1 FROM transactions WHERE platform_transaction_id {pattern} LIMIT 1"
    ).first():
        raise OfcrmError("transactions with text ids exist: cannot go back before 0009")
    with op.batch_alter_table("transactions") as batch:
        batch.alter_column(
            "platform_transaction_id",
            existing_type=sa.String(64),
            type_=sa.BigInteger(),
            existing_nullable=False,
            postgresql_using="platform_transaction_id::bigint",
        )
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): rebuilding accounts, which every
    # table refers to, is neither needed nor possible with rows in them.
    op.drop_column("accounts", "gateway_account")
    op.drop_column("accounts", "gateway")
