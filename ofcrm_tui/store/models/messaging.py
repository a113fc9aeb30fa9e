"""Conversations, messages and their media, transactions, saved replies."""

from __future__ import annotations

from datetime import datetime

from ofcrm_tui.store.enums import (
    Direction,
    TransactionType,
    check_in,
)
from ofcrm_tui.store.models.base import Base, account_fk, partial_index
from ofcrm_tui.store.types import BigId, utcnow
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column


class Conversation(Base):
    """One chat with one fan, with the denormalised summary the inbox list shows."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), unique=True)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    last_read_platform_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_platform_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_message_at: Mapped[datetime | None]
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    last_message_direction: Mapped[str | None] = mapped_column(String(3))
    # The chatter who sent the last message from ofcrm (None: inbound, or sent elsewhere).
    last_message_sent_by: Mapped[str | None] = mapped_column(String(128))
    # The fan's last message (before the fan's first: the conversation's first message):
    # the inbox's default order, which the chatter's own replies do not change. Set
    # whenever ``last_message_at`` is.
    last_fan_message_at: Mapped[datetime | None]
    # Marked unread by hand here (None: not, or read here since): the sync keeps it
    # unread whatever the platform's count (the platform has no unread mark).
    marked_unread_at: Mapped[datetime | None]

    __table_args__ = (
        # Keyset paging of the inbox: newest activity first, id breaks ties.
        Index("ix_conversations_inbox", "account_id", "last_message_at", "id"),
        # The unread-only inbox, walked and counted without touching read conversations.
        partial_index(
            "ix_conversations_unread",
            "account_id",
            "last_message_at",
            "id",
            where=text("unread_count > 0"),
        ),
        # Counts filtered on fans walk an account's conversations in fan order.
        Index("ix_conversations_account_fan", "account_id", "fan_id", "last_message_at"),
        # The same two walks in the order of the fans' last messages.
        Index("ix_conversations_fan_order", "account_id", "last_fan_message_at", "id"),
        partial_index(
            "ix_conversations_fan_unread",
            "account_id",
            "last_fan_message_at",
            "id",
            where=text("unread_count > 0"),
        ),
    )


class Media(Base):
    """An item of the creator's vault."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
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
    account_id: Mapped[int] = account_fk()
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
    # Sent by a campaign (0026): not a reply, and not what a reply answers.
    is_campaign: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # A reply (outbound, not a campaign's) right after a fan's message, campaign messages
    # between them aside: seconds since it (kept by a trigger, 0010 and 0026).
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
        partial_index(
            "ix_messages_reply_rank", "account_id", "sent_by", "reply_seconds", "created_at",
            where=_REPLIES,
        ),
    )


class Transaction(Base):
    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
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
    account_id: Mapped[int] = account_fk()
    name: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_saved_replies_name"),)
