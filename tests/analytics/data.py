"""Small known data for the analytics tests: every figure is worked out by hand in the tests.

The period is 2026-03-28 to 2026-03-30 in Europe/Paris, across the change to summer time
(29 March has 23 hours): it starts at 2026-03-27 23:00 UTC and ends at 2026-03-30 22:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from ofcrm_tui.core.analytics.period import Period, between
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Account,
    Campaign,
    Conversation,
    Fan,
    Message,
    OutboundMessage,
    Transaction,
)

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # 11:00 in Paris, the period's first day


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def known_period() -> Period:
    return between(date(2026, 3, 28), date(2026, 3, 30), tz=PARIS)


class KnownFan(NamedTuple):
    id: int
    conversation_id: int


class SentMessage(NamedTuple):
    fan_id: int
    platform_message_id: int
    price_cents: int


class Builder:
    def __init__(self, session, account_id: int) -> None:  # noqa: ANN001
        self.session = session
        self.account_id = account_id
        self.pmid = 1000
        self.tid = 0

    def fan(self, username: str, *, subscribed: datetime | None, status: str = "active",
            expires: datetime | None = None, spent: int = 0, created: datetime | None = None,
            by_hand: bool = False) -> KnownFan:
        # Only the columns given (and their defaults): the schema may be of an earlier
        # revision (test_rollups upgrades from 0014), without the fan columns added since.
        fan_id = self.session.execute(insert(Fan).values(
            account_id=self.account_id,
            platform_user_id=None if by_hand else len(username) * 1000 + ord(username[-1]),
            username=username, name=username.title(), subscription_status=status,
            subscribed_at=subscribed, expires_at=expires, total_spent_cents=spent,
            created_at=created or utc(2025, 1, 1),
        ).returning(Fan.id)).scalar_one()
        # Only the columns given (the schema may be an older revision's).
        conversation_id = self.session.execute(insert(Conversation).values(
            account_id=self.account_id, fan_id=fan_id).returning(Conversation.id)).scalar_one()
        return KnownFan(fan_id, conversation_id)  # the conversation: handy for messages

    def tx(self, fan: KnownFan | None, kind: str, cents: int, at: datetime, net: int | None = None) -> None:
        self.tid += 1
        net = cents - cents // 5 if net is None else net
        self.session.add(Transaction(
            account_id=self.account_id, platform_transaction_id=self.account_id * 10_000 + self.tid,
            fan_id=fan.id if fan else None, type=kind, amount_cents=cents, net_cents=net,
            fee_cents=cents - net, created_at=at))

    def msg(self, fan: KnownFan, direction: str, at: datetime, *, by: str | None = None,
            price: int = 0, bought: bool = False) -> SentMessage:
        self.pmid += 1
        self.session.execute(insert(Message).values(
            account_id=self.account_id, conversation_id=fan.conversation_id, fan_id=fan.id,
            platform_message_id=self.pmid, direction=direction, text="x", price_cents=price,
            is_opened=bought, created_at=at, sent_by=by))
        return SentMessage(fan.id, self.pmid, price)

    def campaign_row(self, campaign: Campaign, message: SentMessage) -> None:
        self.session.add(OutboundMessage(
            account_id=self.account_id, fan_id=message.fan_id, campaign_id=campaign.id,
            kind="campaign", priority=30, text="x", price_cents=message.price_cents, state="sent",
            platform_message_id=message.platform_message_id, created_by="anna"))


def add_known_data(db: Database) -> int:
    """The account the tests read (and a second account whose rows must never count)."""
    with db.write() as session:
        account = Account(name="known", base_url="http://known.invalid")
        other = Account(name="other", base_url="http://other.invalid")
        session.add_all([account, other])
        session.flush()
        b = Builder(session, account.id)
        a = b.fan("alice", subscribed=utc(2026, 1, 1), expires=utc(2026, 4, 15), spent=12000)
        bo = b.fan("bob", subscribed=utc(2026, 3, 28, 10), spent=4499)  # new in the period
        c = b.fan("carol", subscribed=utc(2025, 12, 1), status="expired",
                  expires=utc(2026, 3, 29, 12), spent=300)  # churned in the period
        b.fan("dave", subscribed=utc(2025, 6, 1), status="expired", expires=utc(2026, 2, 1), spent=1000)
        b.fan("erin", subscribed=utc(2026, 4, 5))  # after the period: not known yet
        b.fan("fred", subscribed=None, created=utc(2026, 3, 29))  # first seen in the period: new

        b.tx(c, "subscription", 1000, utc(2026, 3, 27, 22, 59))  # 23:59 the day before
        b.tx(a, "tip", 500, utc(2026, 3, 27, 23, 0), net=400)  # day 1, 00:00
        b.tx(bo, "message", 1999, utc(2026, 3, 28, 22, 59, 59), net=1599)  # day 1, 23:59:59
        b.tx(a, "subscription", 999, utc(2026, 3, 28, 23, 0), net=799)  # day 2, 00:00
        b.tx(c, "post", 300, utc(2026, 3, 29, 21, 59), net=240)  # day 2, 23:59 summer time
        b.tx(bo, "stream", 2500, utc(2026, 3, 29, 22, 0), net=2000)  # day 3, 00:00
        b.tx(None, "tip", 100, utc(2026, 3, 30, 12), net=80)  # day 3, no fan on record
        b.tx(a, "tip", 10000, utc(2026, 3, 30, 22, 0))  # the day after

        # Conversation A: two fan messages, anna replies (240 s after the last), sends a
        # bought PPV; the fan writes again, ben answers 600 s later with a PPV not bought.
        b.msg(a, "in", T0)
        b.msg(a, "in", T0 + timedelta(seconds=60))
        b.msg(a, "out", T0 + timedelta(seconds=300), by="anna")
        ppv_a = b.msg(a, "out", T0 + timedelta(seconds=400), by="anna", price=1000, bought=True)
        b.msg(a, "in", T0 + timedelta(seconds=1000))
        b.msg(a, "out", T0 + timedelta(seconds=1600), by="ben", price=2000)
        # Conversation B: ben replies in 120 s; a bought PPV sent elsewhere two days after
        # the fan's message is not a reply (later than a day).
        b.msg(bo, "in", T0)
        b.msg(bo, "out", T0 + timedelta(seconds=120), by="ben")
        b.msg(bo, "in", T0 + timedelta(seconds=200))
        b.msg(bo, "out", T0 + timedelta(days=2, seconds=200), price=500, bought=True)
        # Conversation C: a message before the period, then a fan message 30 min before it
        # that anna answers 30 min into it (3600 s).
        quiet = b.msg(c, "out", utc(2026, 3, 27, 20), by="anna", price=700, bought=True)
        b.msg(c, "in", utc(2026, 3, 27, 22, 30))
        b.msg(c, "out", utc(2026, 3, 27, 23, 30), by="anna")
        session.flush()

        spring = Campaign(account_id=account.id, name="Spring", text="x", created_by="anna")
        winter = Campaign(account_id=account.id, name="Winter", text="x", created_by="anna")
        session.add_all([spring, winter])
        session.flush()
        b.campaign_row(spring, ppv_a)  # a fan gets a campaign once (a unique index says so)
        b.campaign_row(winter, quiet)  # sent before the period

        o = Builder(session, other.id)
        o.pmid = 50_000
        stranger = o.fan("zed", subscribed=utc(2026, 3, 28, 12), spent=99999)
        o.tx(stranger, "tip", 77777, utc(2026, 3, 29, 12))
        o.msg(stranger, "in", T0)
        o.msg(stranger, "out", T0 + timedelta(seconds=10), by="anna", price=900, bought=True)
        return account.id
