"""Team security (0020): who may see which accounts, the audit trail, and the chats
marked read that the workers still have to tell the platform about.

``team_members`` and ``team_grants`` are read by the database's own access functions
(see ``store/security.py``), never by a chatter's role directly; ``audit_events`` is
written through them. On SQLite (one person) these tables stay empty.
"""

from __future__ import annotations

from datetime import datetime

from ofcrm_tui.store.enums import TeamKind, check_in
from ofcrm_tui.store.models.base import Base
from ofcrm_tui.store.types import BigId, utcnow
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

# PostgreSQL's identifier limit: role names are at most this long.
ROLE_NAME_LENGTH = 63


class TeamMember(Base):
    """A PostgreSQL role on the team: a chatter (the accounts of ``team_grants``, with
    these rights) or a worker (every account)."""

    __tablename__ = "team_members"

    role_name: Mapped[str] = mapped_column(String(ROLE_NAME_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    can_export: Mapped[bool] = mapped_column(Boolean, default=False)
    can_campaign: Mapped[bool] = mapped_column(Boolean, default=False)
    can_delete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(check_in("kind", TeamKind), name="kind"),)


class TeamGrant(Base):
    """An account a chatter may see and work on."""

    __tablename__ = "team_grants"

    role_name: Mapped[str] = mapped_column(
        ForeignKey("team_members.role_name", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class AuditEvent(Base):
    """One sensitive action: who (the database role), when (the database's clock), which
    account, how many rows. No foreign key: the trail outlives a removed account."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    rows: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_audit_events_at", "at", "id"),
        Index("ix_audit_events_account", "account_id", "at"),
    )


class ReadMark(Base):
    """A chat read in a keyless app (team mode): the next worker to poll the account
    marks it read on the platform, so the platform's unread count does not come back."""

    __tablename__ = "read_marks"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    platform_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
