"""The analytics of one account for one period, read in one unit of work.

``dashboard(db, account_id, period)`` returns everything the analytics screen and the
export show, aggregated in SQL (only one row per day, fan, campaign or chatter leaves
the database). Definitions:

- Revenue: every transaction created in the period (``amount_cents`` gross,
  ``net_cents`` net), by type; the series' buckets are the period's local days (weeks
  past 90 days), empty ones zero, and add up to the KPI to the cent.
- Fans, as the data knows them at the end of the period: *total* were known
  (subscribed, or first seen, before the end); *active* had a running subscription
  (status active, or an expiry after the end); *new* subscribed in the period;
  *churned* are expired fans whose subscription ended in the period. Average lifetime
  value: the platform's total spend of the total fans, averaged.
- PPV: priced outbound messages sent in the period, bought when the fan opened them;
  their revenue is the price of those bought.
- Reply time: for each reply in the period (an outbound message right after a fan's
  message in the conversation, at most ``REPLY_WINDOW`` later), the time since that
  fan message (``messages.reply_seconds``, kept by a trigger: see migration 0010).
  Per chatter: the ``sent_by`` of the reply (None: sent outside ofcrm).
- Campaigns: PPV messages that campaign rows delivered (``outbound_messages`` with a
  ``campaign_id``, matched to ``messages`` by platform message id) sent in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ofcrm_tui.core.analytics.percentiles import percentile_select
from ofcrm_tui.core.analytics.period import Period
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import Direction, SubscriptionStatus, TransactionType
from ofcrm_tui.store.models import (
    Campaign,
    Fan,
    Message,
    OutboundMessage,
    Transaction,
    fan_display_name,
)
from ofcrm_tui.store.types import UTCDateTime

REVENUE_TYPES: tuple[str, ...] = tuple(TransactionType)
# A reply answers a fan message at most this old; a later answer is not a reply time.
REPLY_WINDOW = timedelta(days=1)
TOP_FANS = 10


def mean_cents(total: int, count: int) -> int:
    """``total / count`` rounded to the nearest cent (halves up); 0 when ``count`` is 0."""
    return (2 * total + count) // (2 * count) if count else 0


@dataclass(frozen=True)
class Kpis:
    total_fans: int
    active_fans: int
    new_fans: int
    churned_fans: int
    revenue_cents: int
    net_cents: int
    avg_lifetime_value_cents: int
    revenue_per_active_fan_cents: int
    ppv_sent: int
    ppv_bought: int
    median_reply_seconds: float | None  # None: no reply in the period

    @property
    def ppv_conversion(self) -> float | None:
        """Bought / sent (0..1); None when no PPV was sent."""
        return self.ppv_bought / self.ppv_sent if self.ppv_sent else None


@dataclass(frozen=True)
class RevenuePoint:
    """One bucket of the series: revenue by type (``REVENUE_TYPES`` order), in cents."""

    first_day: date
    days: int
    by_type: tuple[int, ...]
    net_cents: int

    @property
    def revenue_cents(self) -> int:
        return sum(self.by_type)

    def of(self, kind: str) -> int:
        return self.by_type[REVENUE_TYPES.index(kind)]


@dataclass(frozen=True)
class TopFan:
    fan_id: int
    username: str
    display_name: str
    revenue_cents: int
    transactions: int


@dataclass(frozen=True)
class CampaignRevenue:
    campaign_id: int
    name: str
    sent: int  # messages the campaign delivered in the period
    ppv_bought: int
    revenue_cents: int


@dataclass(frozen=True)
class ChatterStats:
    chatter: str | None  # ``messages.sent_by``; None: sent outside ofcrm
    messages_sent: int
    ppv_sent: int
    ppv_bought: int
    ppv_revenue_cents: int
    replies: int
    median_reply_seconds: float | None
    p90_reply_seconds: float | None

    @property
    def earnings_per_message_cents(self) -> int:
        return mean_cents(self.ppv_revenue_cents, self.messages_sent)


@dataclass(frozen=True)
class Dashboard:
    account_id: int
    period: Period
    kpis: Kpis
    series: tuple[RevenuePoint, ...]
    top_fans: tuple[TopFan, ...]
    campaigns: tuple[CampaignRevenue, ...]  # empty until the account has campaigns
    chatters: tuple[ChatterStats, ...]  # most messages sent first


def dashboard(db: Database, account_id: int, period: Period, *, top: int = TOP_FANS) -> Dashboard:
    """Every figure of the analytics screen for ``period``, in one read unit of work."""
    with db.read() as session:
        series = revenue_series(session, account_id, period)
        median_reply, chatters = chatter_stats(session, account_id, period)
        fans = _fan_counts(session, account_id, period)
        revenue = sum(point.revenue_cents for point in series)
        kpis = Kpis(
            total_fans=fans["total"],
            active_fans=fans["active"],
            new_fans=fans["new"],
            churned_fans=fans["churned"],
            revenue_cents=revenue,
            net_cents=sum(point.net_cents for point in series),
            avg_lifetime_value_cents=mean_cents(fans["spent"], fans["total"]),
            revenue_per_active_fan_cents=mean_cents(revenue, fans["active"]),
            ppv_sent=sum(c.ppv_sent for c in chatters),
            ppv_bought=sum(c.ppv_bought for c in chatters),
            median_reply_seconds=median_reply,
        )
        return Dashboard(
            account_id=account_id,
            period=period,
            kpis=kpis,
            series=series,
            top_fans=top_fans(session, account_id, period, top),
            campaigns=campaign_revenue(session, account_id, period),
            chatters=chatters,
        )


# -- revenue -----------------------------------------------------------------------------


def revenue_series(session: Session, account_id: int, period: Period) -> tuple[RevenuePoint, ...]:
    """Revenue per bucket and type: the buckets (a small inline table of UTC ranges) each
    read their range of ``ix_transactions_analytics``."""
    buckets = period.buckets()
    table = union_all(
        *(
            select(
                literal(index, Integer).label("i"),
                literal(bucket.start, UTCDateTime()).label("lo"),
                literal(bucket.end, UTCDateTime()).label("hi"),
            )
            for index, bucket in enumerate(buckets)
        )
    ).cte("buckets")
    t = Transaction.__table__
    rows = session.execute(
        select(table.c.i, t.c.type, func.sum(t.c.amount_cents), func.sum(t.c.net_cents))
        .select_from(table)
        .join(
            t,
            and_(
                t.c.account_id == account_id,
                t.c.created_at >= table.c.lo,
                t.c.created_at < table.c.hi,
            ),
        )
        .group_by(table.c.i, t.c.type)
    )
    gross = [[0] * len(REVENUE_TYPES) for _ in buckets]
    net = [0] * len(buckets)
    for index, kind, amount, net_amount in rows:
        gross[index][REVENUE_TYPES.index(kind)] += int(amount)
        net[index] += int(net_amount)
    return tuple(
        RevenuePoint(bucket.first_day, bucket.days, tuple(gross[i]), net[i])
        for i, bucket in enumerate(buckets)
    )


def top_fans(
    session: Session, account_id: int, period: Period, limit: int = TOP_FANS
) -> tuple[TopFan, ...]:
    t = Transaction.__table__
    spend = (
        select(t.c.fan_id, func.sum(t.c.amount_cents).label("cents"), func.count().label("n"))
        .where(
            t.c.account_id == account_id,
            t.c.created_at >= period.start,
            t.c.created_at < period.end,
            t.c.fan_id.is_not(None),
        )
        .group_by(t.c.fan_id)
        .order_by(func.sum(t.c.amount_cents).desc(), t.c.fan_id)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        select(Fan.id, Fan.username, Fan.nickname, Fan.name, spend.c.cents, spend.c.n)
        .join(spend, spend.c.fan_id == Fan.id)
        .where(Fan.account_id == account_id)
        .order_by(spend.c.cents.desc(), Fan.id)
    )
    return tuple(
        TopFan(fan_id, username, fan_display_name(nickname, name, username), int(cents), n)
        for fan_id, username, nickname, name, cents, n in rows
    )


def campaign_revenue(
    session: Session, account_id: int, period: Period
) -> tuple[CampaignRevenue, ...]:
    m, o = Message.__table__, OutboundMessage.__table__
    bought = and_(m.c.price_cents > 0, m.c.is_opened)
    rows = session.execute(
        select(
            Campaign.id,
            Campaign.name,
            func.count(m.c.id),
            func.sum(case((bought, 1), else_=0)),
            func.sum(case((bought, m.c.price_cents), else_=0)),
        )
        .join(o, and_(o.c.campaign_id == Campaign.id, o.c.account_id == account_id))
        .join(
            m,
            and_(m.c.account_id == account_id, m.c.platform_message_id == o.c.platform_message_id),
        )
        .where(
            Campaign.account_id == account_id,
            m.c.created_at >= period.start,
            m.c.created_at < period.end,
        )
        .group_by(Campaign.id, Campaign.name)
        .order_by(func.sum(case((bought, m.c.price_cents), else_=0)).desc(), Campaign.id)
    )
    return tuple(
        CampaignRevenue(cid, name, sent, int(n_bought or 0), int(cents or 0))
        for cid, name, sent, n_bought, cents in rows
    )


# -- fans --------------------------------------------------------------------------------


def _fan_counts(session: Session, account_id: int, period: Period) -> dict[str, int]:
    known_since = func.coalesce(Fan.subscribed_at, Fan.created_at)
    active = or_(
        Fan.subscription_status == SubscriptionStatus.ACTIVE, Fan.expires_at >= period.end
    )
    new = known_since >= period.start
    churned = and_(
        Fan.subscription_status == SubscriptionStatus.EXPIRED,
        Fan.expires_at >= period.start,
        Fan.expires_at < period.end,
    )
    row = session.execute(
        select(
            func.count(),
            _count_if(active),
            _count_if(new),
            _count_if(churned),
            func.coalesce(func.sum(Fan.total_spent_cents), 0),
        ).where(Fan.account_id == account_id, known_since < period.end)
    ).one()
    return dict(zip(("total", "active", "new", "churned", "spent"), (int(v or 0) for v in row)))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# -- messages and chatters -----------------------------------------------------------------


def chatter_stats(
    session: Session, account_id: int, period: Period
) -> tuple[float | None, tuple[ChatterStats, ...]]:
    """The median reply time of everyone, and each chatter's figures (most messages first)."""
    m = Message.__table__
    ppv = m.c.price_cents > 0
    bought = and_(ppv, m.c.is_opened)
    counts = session.execute(
        select(
            m.c.sent_by,
            func.count(),
            _count_if(ppv),
            _count_if(bought),
            func.coalesce(func.sum(case((bought, m.c.price_cents), else_=0)), 0),
        )
        .where(
            m.c.account_id == account_id,
            m.c.direction == Direction.OUTBOUND,
            m.c.created_at >= period.start,
            m.c.created_at < period.end,
        )
        .group_by(m.c.sent_by)
    ).all()
    replies = _replies(account_id, period)
    # One pass over the replies: scope 0 is everyone, scope 1 each chatter.
    scoped = union_all(
        select(
            literal(0).label("scope"),
            literal(None, replies.c.chatter.type).label("chatter"),
            replies.c.wait,
        ),
        select(literal(1).label("scope"), replies.c.chatter, replies.c.wait),
    ).subquery("scoped")
    waits = {
        (row.scope, row.chatter): row
        for row in session.execute(
            percentile_select(scoped, "wait", group=("scope", "chatter"), percents=(90,))
        )
    }
    stats = []
    for chatter, sent, ppv_sent, ppv_bought, cents in counts:
        wait = waits.get((1, chatter))
        stats.append(
            ChatterStats(
                chatter=chatter,
                messages_sent=sent,
                ppv_sent=int(ppv_sent),
                ppv_bought=int(ppv_bought),
                ppv_revenue_cents=int(cents),
                replies=int(wait.n) if wait else 0,
                median_reply_seconds=_seconds(wait.median) if wait else None,
                p90_reply_seconds=_seconds(wait.p90) if wait else None,
            )
        )
    stats.sort(key=lambda s: (-s.messages_sent, s.chatter is None, s.chatter or ""))
    everyone = waits.get((0, None))
    return (_seconds(everyone.median) if everyone else None), tuple(stats)


def _seconds(value: object) -> float | None:
    return None if value is None else round(float(value), 3)


def _replies(account_id: int, period: Period):  # noqa: ANN202 - a CTE
    """(chatter, wait in seconds) of each reply in the period, as a CTE (from the index)."""
    m = Message.__table__
    return (
        select(m.c.sent_by.label("chatter"), m.c.reply_seconds.label("wait"))
        .where(
            m.c.account_id == account_id,
            m.c.direction == Direction.OUTBOUND,
            m.c.created_at >= period.start,
            m.c.created_at < period.end,
            m.c.reply_seconds <= REPLY_WINDOW.total_seconds(),
        )
        .cte("replies")
    )


__all__ = [
    "REVENUE_TYPES",
    "CampaignRevenue",
    "ChatterStats",
    "Dashboard",
    "Kpis",
    "RevenuePoint",
    "TopFan",
    "campaign_revenue",
    "chatter_stats",
    "dashboard",
    "mean_cents",
    "revenue_series",
    "top_fans",
]
