"""team security: row-level security per account, rights, the audit trail, read marks

New tables (both backends; on SQLite, one person's, they stay empty):
``team_members`` (a PostgreSQL role: chatter or worker, with its export and campaign
rights), ``team_grants`` (the accounts a chatter may see), ``audit_events`` (who did
what sensitive thing, when, on which account, to how many rows) and ``read_marks``
(chats read in an app without the platform key, for a worker to mark read there).

On PostgreSQL: the access functions, one policy per account table (``store/security``),
the campaign right as restrictive policies, and a trigger auditing fan deletes. The
owner of the tables sees everything; any other role sees only the accounts
``ofcrm team`` grants it (none until then).

Revision ID: 0020_team_security
Revises: 0019_team
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ofcrm_tui.store.types
from ofcrm_tui.store import security

revision = "0020_team_security"
down_revision = "0019_team"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = ofcrm_tui.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("can_export", sa.Boolean(), nullable=False),
        sa.Column("can_campaign", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", _WHEN, nullable=False),
        sa.CheckConstraint("kind IN ('chatter', 'worker')", name=op.f("ck_team_members_kind")),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_team_members")),
    )
    op.create_table(
        "team_grants",
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["role_name"], ["team_members.role_name"],
            name=op.f("fk_team_grants_role_name_team_members"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_team_grants_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_name", "account_id", name=op.f("pk_team_grants")),
    )
    op.create_index(op.f("ix_team_grants_account_id"), "team_grants", ["account_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", _ID, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at", "id"])
    op.create_index("ix_audit_events_account", "audit_events", ["account_id", "at"])
    op.create_table(
        "read_marks",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("platform_user_id", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_read_marks_account_id_accounts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "platform_user_id", name=op.f("pk_read_marks")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.install(bind, _account_tables(bind))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        security.uninstall(bind, _account_tables(bind))
    op.drop_table("read_marks")
    op.drop_index("ix_audit_events_account", table_name="audit_events")
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("ix_team_grants_account_id"), table_name="team_grants")
    op.drop_table("team_grants")
    op.drop_table("team_members")


def _account_tables(bind: sa.Connection) -> list[str]:
    """The account tables there are at this revision (later ones protect their own)."""
    present = set(sa.inspect(bind).get_table_names())
    return [table for table in security.ACCOUNT_TABLES if table in present]
