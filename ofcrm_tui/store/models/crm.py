"""Creator accounts and their fans: tags, notes."""

from __future__ import annotations

from datetime import datetime

from ofcrm_tui.store.enums import (
    SubscriptionStatus,
    check_in,
)
from ofcrm_tui.store.models.base import Base, account_fk, partial_index
from ofcrm_tui.store.types import BigId, utcnow
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ColumnElement,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column


# The rows of ``ix_fans_analytics_expiry``; a query names the status to use it.
EXPIRED_FANS = f"subscription_status = '{SubscriptionStatus.EXPIRED.value}'"


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
    __mapper_args__ = {"eager_defaults": False}  # the facts below: not read back on insert

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk(index=False)  # every index below leads with it
    # None for a fan created by hand (known from elsewhere); unique per account otherwise.
    platform_user_id: Mapped[int | None] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    # The creator's nickname for the fan, set here or on the platform ("displayName"):
    # the latest change of either side wins (``core/sync_writes``).
    nickname: Mapped[str] = mapped_column(String(255), default="")
    # What the platform last said the nickname was (0024); None: it has not said yet
    # (a fan made by hand, imported, or met in a chat before the subscribers refresh).
    platform_nickname: Mapped[str | None] = mapped_column(String(255))
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
    # Kept by triggers from the fan's rows elsewhere (0021, ``store/fan_facts``): PPVs
    # bought, the newest message sent to them, the conversation's last message.
    # The database writes them: an insert or update from here leaves them out, and a
    # Fan object loads them only when asked (segments read them in SQL).
    ppv_purchases: Mapped[int] = mapped_column(
        BigInteger, server_default="0", server_onupdate=FetchedValue(), deferred=True
    )
    last_outbound_at: Mapped[datetime | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue(), deferred=True
    )
    last_chat_at: Mapped[datetime | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue(), deferred=True
    )

    @hybrid_property
    def on_platform(self) -> bool:
        """The fan has subscription data: a sync found them on the platform (or their
        id was given). One made by hand or imported without an id has a status by
        default only: campaigns send them nothing, analytics count them in no
        subscription figure (``analytics_fan_days``)."""
        return self.platform_user_id is not None

    @on_platform.inplace.expression
    @classmethod
    def _on_platform(cls) -> ColumnElement[bool]:
        return cls.platform_user_id.is_not(None)

    __table_args__ = (
        UniqueConstraint("account_id", "platform_user_id", name="uq_fans_account_platform_user"),
        CheckConstraint(check_in("subscription_status", SubscriptionStatus), name="status"),
        Index("ix_fans_account_spent", "account_id", "total_spent_cents"),
        Index("ix_fans_account_username", "account_id", "username"),
        # Analytics (0010; 0034: the dates alone): the fans who became known in a
        # period's partial days at its edges (their rows are read for the status).
        Index("ix_fans_analytics", "account_id", "subscribed_at", "created_at"),
        # Campaigns (0021, was 0017's ix_fans_status; 0035: with the platform id): a
        # segment's active fans on the platform and the facts it may test on them (PPVs
        # bought, last messaged, last chat), counted from the index alone.
        Index(
            "ix_fans_segment",
            "account_id", "subscription_status", "ppv_purchases", "last_outbound_at",
            "last_chat_at", "platform_user_id",
        ),
        # Analytics (0016; 0027: of expired fans only; 0029: on the platform): expired
        # fans by expiry, for the active and churned counts. The status stays a column:
        # SQLite reads a status from the index only when the index holds it.
        partial_index(
            "ix_fans_analytics_expiry",
            "account_id", "subscription_status", "expires_at", "subscribed_at", "created_at",
            "platform_user_id",
            where=text(EXPIRED_FANS),
        ),
    )


class DeletedFan(Base):
    """A platform fan deleted here (0036): the sync brings them back only when they write
    again (a message newer than ``deleted_at``); adding them again forgets it."""

    __tablename__ = "deleted_fans"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    platform_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # As it was when deleted: a fan added again by hand is found by it (any case).
    username: Mapped[str] = mapped_column(String(255))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
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
    account_id: Mapped[int] = account_fk()

    # On SQLite the table is its primary key (0022): no rowid kept beside it.
    __table_args__ = {"sqlite_with_rowid": False}


class Note(Base):
    """A dated note on a fan. ``edited_by``/``edited_at``: the last save by someone other
    than its author (a manager, on a team's database), NULL while only the author saved
    it; kept when the author saves again (0038)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = account_fk()
    fan_id: Mapped[int] = mapped_column(ForeignKey("fans.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    edited_by: Mapped[str | None] = mapped_column(String(128))
    edited_at: Mapped[datetime | None]
