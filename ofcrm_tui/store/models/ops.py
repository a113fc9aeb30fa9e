"""Sync cursors, metric events and drafts: the app's own bookkeeping."""

from __future__ import annotations

from datetime import datetime

from ofcrm_tui.store.models.base import Base, account_fk
from ofcrm_tui.store.types import BigId, utcnow
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column


class SyncCursor(Base):
    """Where the inbound sync of one stream (chats, transactions...) got to."""

    __tablename__ = "sync_cursors"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MetricEvent(Base):
    """One observation for monitoring (a send, a failure, a poll, a latency...)."""

    __tablename__ = "metric_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(default=1.0)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_metric_events_lookup", "account_id", "name", "recorded_at"),)


class Draft(Base):
    """What a chatter typed in a conversation and has not sent yet (one per chatter)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # Whose draft (0019); "": one saved before team mode, taken by the next to open it.
    chatter: Mapped[str] = mapped_column(String(128), default="", server_default="")
    text: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    media_ids: Mapped[list[int]] = mapped_column(default=list)
    # Which of media_ids are free previews (added in 0006: older drafts get []).
    preview_ids: Mapped[list[int]] = mapped_column(default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("conversation_id", "chatter", name="uq_drafts_conversation_chatter"),
    )
