"""Campaigns and the durable outbound queue with its send attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ofcrm_tui.store.enums import (
    CampaignStatus,
    OutboundKind,
    OutboundState,
    check_in,
)
from ofcrm_tui.store.models.base import Base, account_fk, partial_index
from ofcrm_tui.store.types import BigId, utcnow
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
    name: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    media_ids: Mapped[list[int]] = mapped_column(default=list)
    preview_ids: Mapped[list[int]] = mapped_column(default=list)
    # The segment the recipients were chosen from, as the filter that chose them.
    segment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    # A scheduled campaign starts at this time (UTC), by whichever app or worker is up.
    scheduled_at: Mapped[datetime | None]
    # How many fans the launch froze as recipients.
    recipients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why a scheduled launch did not happen (the campaign went back to draft).
    launch_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(check_in("status", CampaignStatus), name="status"),
        Index("ix_campaigns_due", "status", "scheduled_at"),
        # SQLite gives no deleted campaign's id again (0039): a screen still holding it
        # must not write to a new campaign. PostgreSQL's ids come from a sequence.
        {"sqlite_autoincrement": True},
    )


_CAMPAIGN_ROWS = text("campaign_id IS NOT NULL")  # (``text`` is a column in the class below)
_FAILED_ROWS = text("state = 'failed'")


class OutboundMessage(Base):
    """One message to send: the durable outbound queue (see design, "Outbound queue")."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    # Lower sends first: replies before manual sends before campaign rows.
    priority: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    media_ids: Mapped[list[int]] = mapped_column(default=list)
    preview_ids: Mapped[list[int]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(16), default=OutboundState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Like ``attempts``, but a manual retry does not reset it: every try, in all.
    tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None]
    first_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint(check_in("state", OutboundState), name="state"),
        CheckConstraint(check_in("kind", OutboundKind), name="kind"),
        Index("ix_outbound_claim", "account_id", "state", "priority", "next_attempt_at"),
        # Team mode (0019): what each chatter queued since a time (`ofcrm chatters`).
        Index("ix_outbound_created_by", "account_id", "created_by", "created_at"),
        # The inbox's ✗ (0041): the failed messages of a page's fans, not all of theirs.
        partial_index("ix_outbound_failed_fan", "fan_id", where=_FAILED_ROWS),
        # A fan gets a campaign once, whatever launches, relaunches or crashes happen.
        partial_index("uq_outbound_campaign_fan", "campaign_id", "fan_id", unique=True, where=_CAMPAIGN_ROWS),
        # One platform message settles at most one row (reconciliation relies on it).
        UniqueConstraint(
            "account_id", "platform_message_id", name="uq_outbound_messages_platform_message"
        ),
    )


class SendAttempt(Base):
    """The exact sliding log the send limiter counts (last 60 s per account)."""

    __tablename__ = "send_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    outbound_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id", ondelete="SET NULL"), index=True
    )
    attempted_at: Mapped[datetime]

    __table_args__ = (Index("ix_send_attempts_window", "account_id", "attempted_at"),)
