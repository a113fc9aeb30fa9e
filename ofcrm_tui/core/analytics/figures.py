"""The analytics of one account for one period, read in one unit of work.

``dashboard(db, account_id, period)`` returns everything the analytics screen and the
export show, aggregated in SQL (only one row per day, fan, campaign or chatter leaves
the database). Definitions:

- Revenue: every transaction created in the period (``amount_cents`` gross,
  ``net_cents`` net), by type; the series' buckets are the period's local days (weeks
  past 90 days, hours for one day: ``Period.buckets``), empty ones zero, and add up to
  the KPI to the cent.
- Fans, as the data knows them at the end of the period: *total* were known
  (subscribed, or first seen, before the end); *active* had a running subscription
  (status active, or an expiry after the end); *new* subscribed (or were first seen)
  in the period; *churned* are expired fans whose subscription ended in the period.
  Active, new and churned count only fans with subscription data: found on the
  platform (``Fan.on_platform``, the rule campaigns send by). A fan made by hand or
  imported without a platform id has the status 'active' by default only: it counts
  in the total alone. Average lifetime value: the platform's total spend of the total
  fans with subscription data, averaged (a fan's own transactions count in revenue
  and top fans whoever the fan is).
- PPV: priced outbound messages sent in the period, bought when the fan opened them;
  their revenue is the price of those bought.
- Reply time: for each reply in the period (an outbound message that is not a
  campaign's, right after a fan's message in the conversation once campaign messages
  are left out, at most ``REPLY_WINDOW`` later), the time since that fan message
  (``messages.reply_seconds``, kept by a trigger: see migrations 0010 and 0026; see
  ``analytics.chatters``). A campaign message is no reply, and a reply after one
  waited since the fan's message before it.
  Per chatter: the ``sent_by`` of the reply (None: sent outside ofcrm).
- Campaigns: PPV messages that campaign rows delivered (``outbound_messages`` with a
  ``campaign_id``, matched to ``messages`` by platform message id) sent in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ofcrm_tui.core.analytics.chatters import ChatterStats, chatter_stats, mean_cents
from ofcrm_tui.core.analytics.fans import fan_counts
from ofcrm_tui.core.analytics.period import HOUR, Period
from ofcrm_tui.core.analytics.rollups import split
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import TransactionType
from ofcrm_tui.store.models import (
    Campaign,
    Fan,
    FanSpend,
    Message,
    OutboundMessage,
    RevenueHour,
    Transaction,
    fan_display_name,
)
from ofcrm_tui.store.types import UTCDateTime

REVENUE_TYPES: tuple[str, ...] = tuple(TransactionType)
TOP_FANS = 10


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
    """One bucket of the series: revenue by type (``REVENUE_TYPES`` order), in cents;
    ``start`` its first instant (UTC), ``days`` 0 for an hour."""

    first_day: date
    days: int
    by_type: tuple[int, ...]
    net_cents: int
    start: datetime

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
class Dashboard:
    account_id: int
    period: Period
    kpis: Kpis
    series: tuple[RevenuePoint, ...]
    top_fans: tuple[TopFan, ...]
    campaigns: tuple[CampaignRevenue, ...]  # empty until the account has campaigns
    chatters: tuple[ChatterStats, ...]  # most messages sent first


def dashboard(
    db: Database, account_id: int, period: Period, *, top: int = TOP_FANS,
    now: datetime | None = None,
) -> Dashboard:
    """Every figure of the analytics screen for ``period``, in one read unit of work;
    with ``now``, the series stops at the bucket it falls in (``Period.buckets``)."""
    with db.read() as session:
        series = revenue_series(session, account_id, period, now=now)
        median_reply, chatters = chatter_stats(session, account_id, period)
        fans = fan_counts(session, account_id, period)
        revenue = sum(point.revenue_cents for point in series)
        kpis = Kpis(
            total_fans=fans["total"],
            active_fans=fans["active"],
            new_fans=fans["new"],
            churned_fans=fans["churned"],
            revenue_cents=revenue,
            net_cents=sum(point.net_cents for point in series),
            avg_lifetime_value_cents=mean_cents(fans["spent"], fans["subscribers"]),
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


def revenue_series(
    session: Session, account_id: int, period: Period, *, now: datetime | None = None
) -> tuple[RevenuePoint, ...]:
    """Revenue per bucket and type (the buckets begun by ``now``, when given): each
    bucket's whole UTC hours from ``analytics_revenue_hours`` (migration 0016), any
    partial hour at its edges from the transactions; both through small inline tables
    of the buckets' ranges."""
    buckets = period.buckets(now)
    if not buckets:  # a period still to come
        return ()
    splits = [split(bucket.start, bucket.end, HOUR) for bucket in buckets]
    r = RevenueHour
    hours = _inline("hours", [(i, s.first, s.last) for i, s in enumerate(splits)], Integer())
    queries = [
        select(hours.c.i, r.type, func.sum(r.gross_cents), func.sum(r.net_cents))
        .select_from(hours)
        .join(r, and_(r.account_id == account_id, r.hour >= hours.c.lo, r.hour < hours.c.hi))
        .group_by(hours.c.i, r.type)
    ]
    edges = [(i, lo, hi) for i, s in enumerate(splits) for lo, hi in s.edges]
    if edges:
        t = Transaction.__table__
        ranges = _inline("edges", edges, UTCDateTime())
        queries.append(
            select(ranges.c.i, t.c.type, func.sum(t.c.amount_cents), func.sum(t.c.net_cents))
            .select_from(ranges)
            .join(t, and_(t.c.account_id == account_id, t.c.created_at >= ranges.c.lo,
                          t.c.created_at < ranges.c.hi))
            .group_by(ranges.c.i, t.c.type)
        )
    gross = [[0] * len(REVENUE_TYPES) for _ in buckets]
    net = [0] * len(buckets)
    for query in queries:
        for index, kind, amount, net_amount in session.execute(query):
            gross[index][REVENUE_TYPES.index(kind)] += int(amount)
            net[index] += int(net_amount)
    return tuple(
        RevenuePoint(bucket.first_day, bucket.days, tuple(gross[i]), net[i], bucket.start)
        for i, bucket in enumerate(buckets)
    )


def _inline(name: str, rows: list[tuple[int, object, object]], bound: TypeEngine):  # noqa: ANN202
    """A CTE of ``(i, lo, hi)`` rows written into the query."""
    return union_all(
        *(
            select(literal(i, Integer).label("i"), literal(lo, bound).label("lo"),
                   literal(hi, bound).label("hi"))
            for i, lo, hi in rows
        )
    ).cte(name)


def top_fans(
    session: Session, account_id: int, period: Period, limit: int = TOP_FANS
) -> tuple[TopFan, ...]:
    spend = {fan_id: (cents, n) for fan_id, cents, n in _top_spend(session, account_id, period, limit)}
    rows = session.execute(
        select(Fan.id, Fan.username, Fan.nickname, Fan.name)
        .where(Fan.account_id == account_id, Fan.id.in_(spend))
    ).all()
    rows.sort(key=lambda row: (-spend[row.id][0], row.id))
    return tuple(
        TopFan(fan_id, username, fan_display_name(nickname, name, username), *spend[fan_id])
        for fan_id, username, nickname, name in rows
    )


# Top fans are first looked for among the biggest spenders ever, in growing batches, up
# to this many; past it (a short period, whose top fans are not the biggest spenders)
# grouping the period's transactions is cheaper.
_BIGGEST_SPENDERS = 1_000
_FIRST_BATCH = 50


def _top_spend(
    session: Session, account_id: int, period: Period, limit: int
) -> list[tuple[int, int, int]]:
    """(fan id, cents, transactions) of the ``limit`` fans who spent most in the period
    (ties: lowest id first). No fan spent more in a period than its positive amounts
    ever (``analytics_fan_spend``, migration 0016): once the ``limit``-th best so far
    spent more than the next spender ever did, no one left can take its place."""
    t = Transaction.__table__
    per_fan = (
        select(t.c.fan_id, func.sum(t.c.amount_cents), func.count())
        .where(t.c.account_id == account_id, t.c.created_at >= period.start,
               t.c.created_at < period.end, t.c.fan_id.is_not(None))
        .group_by(t.c.fan_id)
    )
    found: dict[int, tuple[int, int]] = {}
    seen, batch = 0, _FIRST_BATCH
    while seen < _BIGGEST_SPENDERS:
        spenders = session.execute(
            select(FanSpend.fan_id, FanSpend.spent_cents)
            .where(FanSpend.account_id == account_id)
            .order_by(FanSpend.spent_cents.desc(), FanSpend.fan_id)
            .limit(batch)
            .offset(seen)
        ).all()
        best = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        if not spenders or (len(best) == limit and best[-1][1][0] > spenders[0].spent_cents):
            return [(fan_id, cents, n) for fan_id, (cents, n) in best]
        ids = [spender.fan_id for spender in spenders]
        for fan_id, cents, n in session.execute(per_fan.where(t.c.fan_id.in_(ids))):
            found[fan_id] = (int(cents), n)
        seen, batch = seen + len(spenders), batch * 2
    ranked = per_fan.order_by(func.sum(t.c.amount_cents).desc(), t.c.fan_id).limit(limit)
    return [(fan_id, int(cents), n) for fan_id, cents, n in session.execute(ranked)]


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


__all__ = [
    "REVENUE_TYPES",
    "CampaignRevenue",
    "Dashboard",
    "Kpis",
    "RevenuePoint",
    "TopFan",
    "campaign_revenue",
    "dashboard",
    "mean_cents",
    "revenue_series",
    "top_fans",
]
