"""The database schema as SQLAlchemy 2 models.

Every row that belongs to a creator account carries ``account_id``; money is integer
cents; times are aware UTC (see ``types.UTCDateTime``). The schema itself is created
and changed only by the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ofcrm_tui.store.enums import (
    CampaignStatus,
    Direction,
    OutboundKind,
    OutboundState,
    SubscriptionStatus,
    TransactionType,
    check_in,
)
from ofcrm_tui.store.types import BigId, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[int]: JSON()}


def _account_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)


class Account(Base):
    """A creator account the team works for; its token lives in the keyring, never here."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    base_url: Mapped[str] = mapped_column(String(512))
    creator_platform_id: Mapped[int | None] = mapped_column(BigInteger)
    creator_username: Mapped[str | None] = mapped_column(String(255))
    creator_name: Mapped[str | None] = mapped_column(String(255))
    send_limit_per_minute: Mapped[int] = mapped_column(Integer, default=10)
    # How the platform is reached: our own contract, or a gateway ('ofauth', 'onlyfansapi')
    # with the id that picks the creator there (OFAuth connection, OnlyFansAPI account).
    gateway: Mapped[str] = mapped_column(String(16), default="contract", server_default="contract")
    gateway_account: Mapped[str | None] = mapped_column(String(255))
    # A 429 blocks sends until this time; nothing else may send for the account before.
    send_blocked_until: Mapped[datetime | None]
    # Set when the platform answers 401/403 for the credentials: stop until fixed.
    auth_error: Mapped[str | None] = mapped_column(Text)
    # A platform outage (connections refused; see core.outage): since when, and when sends
    # and polls try again. Null while the platform answers.
    unreachable_since: Mapped[datetime | None]
    unreachable_retry_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("send_limit_per_minute > 0", name="send_limit_positive"),)


class Fan(Base):
    __tablename__ = "fans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    # None for a fan created by hand (known from elsewhere); unique per account otherwise.
    platform_user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    # The creator's own nickname for the fan ("displayName" on the platform).
    nickname: Mapped[str] = mapped_column(String(255), default="")
    last_seen_at: Mapped[datetime | None]
    subscription_status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.ACTIVE)
    subscribed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    renewed_at: Mapped[datetime | None]
    subscribe_price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    total_spent_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    tips_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    messages_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    subscriptions_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    posts_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("account_id", "platform_user_id", name="uq_fans_account_platform_user"),
        CheckConstraint(check_in("subscription_status", SubscriptionStatus), name="status"),
        Index("ix_fans_account_spent", "account_id", "total_spent_cents"),
        Index("ix_fans_account_username", "account_id", "username"),
        # Analytics (0010): the fan counts of a period, from the index alone.
        Index(
            "ix_fans_analytics",
            "account_id", "subscribed_at", "created_at", "subscription_status", "expires_at",
            "total_spent_cents",
        ),
        # Campaigns (0017): a segment's active fans, counted from the index alone.
        Index("ix_fans_status", "account_id", "subscription_status"),
        # Analytics (0016): expired fans by expiry, for the active and churned counts.
        Index(
            "ix_fans_analytics_expiry",
            "account_id", "subscription_status", "expires_at", "subscribed_at", "created_at",
        ),
    )


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    name: Mapped[str] = mapped_column(String(64))
    color: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_tags_account_name"),)


def fan_display_name(nickname: str, name: str, username: str) -> str:
    """A fan as every screen names them: the creator's nickname, else name, else username."""
    return nickname or name or username


class FanTag(Base):
    __tablename__ = "fan_tags"

    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    account_id: Mapped[int] = _account_fk()


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Conversation(Base):
    """One chat with one fan, with the denormalised summary the inbox list shows."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), unique=True)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_read_platform_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_platform_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_message_at: Mapped[datetime | None]
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    last_message_direction: Mapped[str | None] = mapped_column(String(3))
    # The fan's last message (before the fan's first: the conversation's first message):
    # the inbox's default order, which the chatter's own replies do not change. Set
    # whenever ``last_message_at`` is.
    last_fan_message_at: Mapped[datetime | None]

    __table_args__ = (
        # Keyset paging of the inbox: newest activity first, id breaks ties.
        Index("ix_conversations_inbox", "account_id", "last_message_at", "id"),
        # The unread-only inbox, walked and counted without touching read conversations.
        Index(
            "ix_conversations_unread",
            "account_id",
            "last_message_at",
            "id",
            sqlite_where=text("unread_count > 0"),
            postgresql_where=text("unread_count > 0"),
        ),
        # Counts filtered on fans walk an account's conversations in fan order.
        Index("ix_conversations_account_fan", "account_id", "fan_id", "last_message_at"),
        # The same two walks in the order of the fans' last messages.
        Index("ix_conversations_fan_order", "account_id", "last_fan_message_at", "id"),
        Index(
            "ix_conversations_fan_unread",
            "account_id",
            "last_fan_message_at",
            "id",
            sqlite_where=text("unread_count > 0"),
            postgresql_where=text("unread_count > 0"),
        ),
    )


class Media(Base):
    """An item of the creator's vault."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    platform_media_id: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("account_id", "platform_media_id", name="uq_media_account_platform"),
    )


_REPLIES = text("reply_seconds IS NOT NULL")


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"))
    platform_message_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # For a priced (PPV) message: whether the fan has bought it.
    is_opened: Mapped[bool] = mapped_column(Boolean, default=False)
    is_tip: Mapped[bool] = mapped_column(Boolean, default=False)
    tip_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    media_count: Mapped[int] = mapped_column(Integer, default=0)
    media_ids: Mapped[list[int]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    # The chatter who sent it from ofcrm (None for inbound or sent elsewhere).
    sent_by: Mapped[str | None] = mapped_column(String(128))
    # Outbound right after a fan's message: seconds since it (kept by a trigger, 0010).
    reply_seconds: Mapped[float | None]

    __table_args__ = (
        UniqueConstraint(
            "account_id", "platform_message_id", name="uq_messages_account_platform_message"
        ),
        CheckConstraint(check_in("direction", Direction), name="direction"),
        # A thread reads newest first by platform id, which grows with time.
        Index("ix_messages_thread", "conversation_id", "platform_message_id"),
        Index("ix_messages_account_created", "account_id", "created_at"),
        # Analytics (0010): an account's sent messages of a period, from the index alone.
        Index(
            "ix_messages_analytics_sent",
            "account_id", "direction", "created_at", "sent_by", "price_cents", "is_opened",
            "reply_seconds",
        ),
        # Campaigns (0017): the fans sent a message since a time, from the index alone.
        Index("ix_messages_sent_to", "account_id", "direction", "created_at", "fan_id"),
        # Analytics (0016): a chatter's replies in reply-time order, to pick a percentile.
        Index(
            "ix_messages_reply_rank", "account_id", "sent_by", "reply_seconds", "created_at",
            sqlite_where=_REPLIES, postgresql_where=_REPLIES,
        ),
    )


class Transaction(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    # The contract's numbers and the gateways' hex strings alike, as text.
    platform_transaction_id: Mapped[str] = mapped_column(String(64))
    fan_id: Mapped[int | None] = mapped_column(
        ForeignKey("fans.id", ondelete="SET NULL"), index=True
    )
    platform_user_id: Mapped[int | None] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="done")
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("account_id", "platform_transaction_id", name="uq_transactions_platform"),
        CheckConstraint(check_in("type", TransactionType), name="type"),
        Index("ix_transactions_account_created", "account_id", "created_at"),
        # Analytics (0010): revenue by day and type, top fans, from the index alone.
        Index(
            "ix_transactions_analytics",
            "account_id", "created_at", "type", "amount_cents", "net_cents", "fan_id",
        ),
        # Campaigns (0017): the fans who bought a PPV, from the index alone.
        Index("ix_transactions_buyers", "account_id", "type", "fan_id"),
    )


class SavedReply(Base):
    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    name: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_saved_replies_name"),)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
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
    )


_CAMPAIGN_ROWS = text("campaign_id IS NOT NULL")  # (``text`` is a column in the class below)


class OutboundMessage(Base):
    """One message to send: the durable outbound queue (see design, "Outbound queue")."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
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
        # A fan gets a campaign once, whatever launches, relaunches or crashes happen.
        Index(
            "uq_outbound_campaign_fan",
            "campaign_id",
            "fan_id",
            unique=True,
            sqlite_where=_CAMPAIGN_ROWS,
            postgresql_where=_CAMPAIGN_ROWS,
        ),
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
    """What a chatter typed in a conversation and has not sent yet."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = _account_fk()
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    media_ids: Mapped[list[int]] = mapped_column(default=list)
    # Which of media_ids are free previews (added in 0006: older drafts get []).
    preview_ids: Mapped[list[int]] = mapped_column(default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# -- analytics rollups (0016): kept by triggers on messages and transactions -------------


def _rollup_account() -> Mapped[int]:
    return mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)


class RevenueHour(Base):
    """Transactions summed per UTC hour (hours since the epoch) and type."""

    __tablename__ = "analytics_revenue_hours"

    account_id: Mapped[int] = _rollup_account()
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(String(16), primary_key=True)
    gross_cents: Mapped[int] = mapped_column(BigInteger)
    net_cents: Mapped[int] = mapped_column(BigInteger)


class FanSpend(Base):
    """A fan's positive transaction amounts ever, summed: a bound on any period's spend."""

    __tablename__ = "analytics_fan_spend"

    account_id: Mapped[int] = _rollup_account()
    fan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    spent_cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_analytics_fan_spend_rank", "account_id", "spent_cents", "fan_id"),
    )


class FanDay(Base):
    """Fans and their total spend per UTC day they became known, and status."""

    __tablename__ = "analytics_fan_days"

    account_id: Mapped[int] = _rollup_account()
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    fans: Mapped[int] = mapped_column(BigInteger)
    spent_cents: Mapped[int] = mapped_column(BigInteger)


class SentHour(Base):
    """Outbound messages counted per UTC hour and chatter ('' for none)."""

    __tablename__ = "analytics_sent_hours"

    account_id: Mapped[int] = _rollup_account()
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chatter: Mapped[str] = mapped_column(String(128), primary_key=True)
    sent: Mapped[int] = mapped_column(BigInteger)
    ppv_sent: Mapped[int] = mapped_column(BigInteger)
    ppv_bought: Mapped[int] = mapped_column(BigInteger)
    ppv_revenue_cents: Mapped[int] = mapped_column(BigInteger)


class ReplyDay(Base):
    """Replies counted per UTC day, chatter ('' for none) and reply-time bucket."""

    __tablename__ = "analytics_reply_days"

    account_id: Mapped[int] = _rollup_account()
    day: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chatter: Mapped[str] = mapped_column(String(128), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    replies: Mapped[int] = mapped_column(BigInteger)
