"""team mode: presence, conversation assignments, and who queued what

``team_presence``: one row per running app (its chatter, open conversation, typing),
beaten every few seconds and deleted on quit. ``conversation_assignments``: the chatter
who owns a conversation. ``team_versions``: per account, a counter every assignment
change adds one to, so that other apps notice it in their next heartbeat.
``outbound_messages`` gets an index on ``(account_id, created_by, created_at)``: what each
chatter queued since a time (``ofcrm chatters``, the collision guard of ``ofcrm send``).
``drafts`` become one per chatter and conversation: a ``chatter`` column (drafts saved
before are ``''``, taken over by the next chatter who opens the conversation), unique with
the conversation. The table is rebuilt on SQLite (batch mode): nothing refers to it.

Revision ID: 0019_team
Revises: 0018_outbound_tries
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from ofcrm_tui.store.types import UTCDateTime

revision = "0019_team"
down_revision = "0018_outbound_tries"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _account(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"], ["accounts.id"], name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def _conversation(table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"], ["conversations.id"],
        name=op.f(f"fk_{table}_conversation_id_conversations"), ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "team_presence",
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("chatter", sa.String(length=128), nullable=False),
        sa.Column("conversation_id", _ID, nullable=True),
        sa.Column("typing_since", UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=False),
        _account("team_presence"),
        _conversation("team_presence", "SET NULL"),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_team_presence")),
    )
    op.create_index("ix_team_presence_seen", "team_presence", ["account_id", "seen_at"])
    op.create_table(
        "conversation_assignments",
        sa.Column("conversation_id", _ID, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("chatter", sa.String(length=128), nullable=False),
        sa.Column("assigned_by", sa.String(length=128), nullable=False),
        sa.Column("assigned_at", UTCDateTime(timezone=True), nullable=False),
        _account("conversation_assignments"),
        _conversation("conversation_assignments", "CASCADE"),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_assignments")),
    )
    op.create_index(
        "ix_conversation_assignments_chatter", "conversation_assignments",
        ["account_id", "chatter"],
    )
    op.create_table(
        "team_versions",
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("assignments", sa.BigInteger(), nullable=False),
        _account("team_versions"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_team_versions")),
    )
    op.create_index(
        "ix_outbound_created_by", "outbound_messages", ["account_id", "created_by", "created_at"]
    )
    with _quiet_reflection(), op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chatter", sa.String(length=128), nullable=False, server_default="")
        )
        batch_op.drop_constraint("uq_drafts_conversation_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_drafts_conversation_chatter", ["conversation_id", "chatter"]
        )


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    """Batch mode reflects the tables drafts refers to; the fans' expression indexes
    (0014), which it cannot reflect and does not need, would each warn."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def downgrade() -> None:
    # One draft per conversation again: the newest of each conversation's drafts stays.
    op.execute(
        "DELETE FROM drafts WHERE id NOT IN (SELECT max(id) FROM drafts GROUP BY conversation_id)"
    )
    with _quiet_reflection(), op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_drafts_conversation_chatter", type_="unique")
        batch_op.create_unique_constraint("uq_drafts_conversation_id", ["conversation_id"])
        batch_op.drop_column("chatter")
    op.drop_index("ix_outbound_created_by", table_name="outbound_messages")
    op.drop_table("team_versions")
    op.drop_index("ix_conversation_assignments_chatter", table_name="conversation_assignments")
    op.drop_table("conversation_assignments")
    op.drop_index("ix_team_presence_seen", table_name="team_presence")
    op.drop_table("team_presence")
