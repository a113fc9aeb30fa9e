"""Analytics rollups (0016), kept by triggers on messages and transactions."""

from __future__ import annotations

from ofcrm_tui.store.models.base import Base
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column


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
    """Fans and their total spend per UTC day they became known, and status ('' for a
    fan with no subscription data: ``Fan.on_platform``, 0029)."""

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
