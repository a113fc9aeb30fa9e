"""Team mode: who has which conversation open (presence), who owns a conversation
(assignment), and the counters that tell other apps the assignments or the fans changed."""

from __future__ import annotations

from datetime import datetime

from ofcrm_tui.store.models.base import Base
from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column


class TeamPresence(Base):
    """One running app: its chatter, the conversation open in it, whether they type.

    Rewritten by the app's heartbeat every few seconds (``seen_at``, the app's clock);
    deleted when the app quits; a row not beaten for ``presence_expiry_seconds`` is
    that of an app that died and is not shown."""

    __tablename__ = "team_presence"

    # A random id per app run (one chatter may run several apps).
    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    chatter: Mapped[str] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    # Since when the chatter has been typing there (None: not typing). The first to
    # type holds the conversation: see ``core.team.guard``.
    typing_since: Mapped[datetime | None]
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime]

    __table_args__ = (Index("ix_team_presence_seen", "account_id", "seen_at"),)


class Assignment(Base):
    """The chatter who owns a conversation (none: a row is absent)."""

    __tablename__ = "conversation_assignments"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    # (Indexed with the chatter, for the "mine" list.)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    chatter: Mapped[str] = mapped_column(String(128))
    assigned_by: Mapped[str] = mapped_column(String(128))
    assigned_at: Mapped[datetime]

    __table_args__ = (Index("ix_conversation_assignments_chatter", "account_id", "chatter"),)


class TeamVersion(Base):
    """Per account, numbers every assignment change (``assignments``) and every fan edit
    by hand or import (``fans``: nickname, tags, notes, a fan created or deleted) adds
    one to, in the change's own transaction: the heartbeat reads them, and an app seeing
    one move reloads what shows it."""

    __tablename__ = "team_versions"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    assignments: Mapped[int] = mapped_column(BigInteger, default=0)
    fans: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

