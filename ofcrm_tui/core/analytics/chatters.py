"""Chatter figures of a period: messages sent, PPV, and reply times (median and p90).

Counts come from ``analytics_sent_hours`` (migration 0016) plus any partial hour at the
period's edges. Reply times are exact without sorting the period's replies: the
per-day bucket counts of ``analytics_reply_days`` (and the replies of partial days)
say which bucket holds each wanted rank and how many replies come before it; that
bucket's replies in the period alone are then read in order from
``ix_messages_reply_rank`` to the rank. A median is the middle reply time (the mean of
the two middle ones for an even count), the p90 the nearest-rank one
(``ceil(0.9 * n)``), as ``percentiles.percentile_select`` defines them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, case, func, select, union_all
from sqlalchemy.orm import Session

from ofcrm_tui.core.analytics.period import HOUR, Period
from ofcrm_tui.core.analytics.rollups import DAY, bucket_bounds, bucket_of, split, within
from ofcrm_tui.store.enums import Direction
from ofcrm_tui.store.models import Message, ReplyDay, SentHour
from ofcrm_tui.store.rollups import REPLY_WINDOW_SECONDS

# A reply answers a fan message at most this old; a later answer is not a reply time
# (the rollups count replies up to this in their buckets).
REPLY_WINDOW = timedelta(seconds=REPLY_WINDOW_SECONDS)
P90 = 90


def mean_cents(total: int, count: int) -> int:
    """``total / count`` rounded to the nearest cent (halves up); 0 when ``count`` is 0."""
    return (2 * total + count) // (2 * count) if count else 0


# The chatter of messages sent outside ofcrm (no ``sent_by``), as the app and exports name it.
OUTSIDE_OFCRM = "outside ofcrm"


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


def chatter_stats(
    session: Session, account_id: int, period: Period
) -> tuple[float | None, tuple[ChatterStats, ...]]:
    """The median reply time of everyone, and each chatter's figures (most messages first)."""
    histograms = _reply_histograms(session, account_id, period)
    ranks = _Ranks(session, account_id, period, histograms)
    stats = []
    for chatter, (sent, ppv_sent, ppv_bought, cents) in _sent_counts(
        session, account_id, period
    ).items():
        replies = sum(histograms.get(chatter, {}).values())
        stats.append(
            ChatterStats(
                chatter=chatter or None,
                messages_sent=sent,
                ppv_sent=ppv_sent,
                ppv_bought=ppv_bought,
                ppv_revenue_cents=cents,
                replies=replies,
                median_reply_seconds=ranks.median((chatter,)),
                p90_reply_seconds=ranks.percentile((chatter,), P90),
            )
        )
    stats.sort(key=lambda s: (-s.messages_sent, s.chatter is None, s.chatter or ""))
    return ranks.median(tuple(histograms)), tuple(stats)


def _sent_counts(
    session: Session, account_id: int, period: Period
) -> dict[str, tuple[int, int, int, int]]:
    """Per chatter ('' for none): sent, PPV sent, PPV bought, bought revenue."""
    parts = split(period.start, period.end, HOUR)
    h = SentHour
    queries = [
        select(h.chatter, func.sum(h.sent), func.sum(h.ppv_sent), func.sum(h.ppv_bought),
               func.sum(h.ppv_revenue_cents))
        .where(h.account_id == account_id, h.hour >= parts.first, h.hour < parts.last)
        .group_by(h.chatter)
    ]
    if parts.edges:
        m = Message.__table__
        ppv = m.c.price_cents > 0
        bought = and_(ppv, m.c.is_opened)
        chatter = func.coalesce(m.c.sent_by, "")
        queries.append(
            select(chatter, func.count(), _count_if(ppv), _count_if(bought),
                   func.sum(case((bought, m.c.price_cents), else_=0)))
            .where(m.c.account_id == account_id, m.c.direction == Direction.OUTBOUND,
                   within(m.c.created_at, parts.edges))
            .group_by(chatter)
        )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for query in queries:
        for chatter, *sums in session.execute(query):
            totals[chatter] = [a + int(b or 0) for a, b in zip(totals[chatter], sums, strict=True)]
    return {chatter: tuple(sums) for chatter, sums in totals.items() if sums[0]}


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _reply_histograms(
    session: Session, account_id: int, period: Period
) -> dict[str, dict[int, int]]:
    """Per chatter ('' for none): the period's replies per bucket."""
    parts = split(period.start, period.end, DAY)
    d = ReplyDay
    queries = [
        select(d.chatter, d.bucket, func.sum(d.replies))
        .where(d.account_id == account_id, d.day >= parts.first, d.day < parts.last)
        .group_by(d.chatter, d.bucket)
    ]
    if parts.edges:
        m = Message.__table__
        chatter = func.coalesce(m.c.sent_by, "")
        bucket = bucket_of(m.c.reply_seconds, session.get_bind().dialect.name)
        queries.append(
            select(chatter, bucket, func.count())
            .where(_replies(account_id), within(m.c.created_at, parts.edges))
            .group_by(chatter, bucket)
        )
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for query in queries:
        for chatter, bucket, count in session.execute(query):
            histograms[chatter][bucket] += int(count)
    return {
        chatter: {b: n for b, n in buckets.items() if n}
        for chatter, buckets in histograms.items()
        if any(buckets.values())
    }


def _replies(account_id: int) -> ColumnElement[bool]:
    m = Message.__table__
    return and_(
        m.c.account_id == account_id,
        m.c.direction == Direction.OUTBOUND,
        m.c.reply_seconds <= REPLY_WINDOW.total_seconds(),
    )


class _Ranks:
    """Reply times of given ranks among the period's replies of some chatters."""

    def __init__(
        self, session: Session, account_id: int, period: Period,
        histograms: dict[str, dict[int, int]],
    ) -> None:
        self.session, self.account_id, self.period = session, account_id, period
        self.histograms = histograms

    def median(self, chatters: tuple[str, ...]) -> float | None:
        n = self._count(chatters)
        if not n:
            return None
        low, high = self._at(chatters, (n + 1) // 2), self._at(chatters, (n + 2) // 2)
        return _seconds((low + high) / 2)

    def percentile(self, chatters: tuple[str, ...], percent: int) -> float | None:
        n = self._count(chatters)
        return _seconds(self._at(chatters, (n * percent + 99) // 100)) if n else None

    def _count(self, chatters: tuple[str, ...]) -> int:
        return sum(sum(self.histograms.get(c, {}).values()) for c in chatters)

    def _at(self, chatters: tuple[str, ...], rank: int) -> float:
        """The ``rank``-th smallest (from 1) reply time: its bucket from the counts, then
        that bucket's replies read in order to it."""
        merged: dict[int, int] = defaultdict(int)
        for chatter in chatters:
            for bucket, count in self.histograms.get(chatter, {}).items():
                merged[bucket] += count
        before = 0
        for bucket in sorted(merged):
            if before + merged[bucket] >= rank:
                break
            before += merged[bucket]
        low, high = bucket_bounds(bucket)
        m = Message.__table__
        in_bucket = [m.c.reply_seconds < high, m.c.created_at >= self.period.start,
                     m.c.created_at < self.period.end, _replies(self.account_id)]
        if low is not None:
            in_bucket.append(m.c.reply_seconds >= low)
        parts = [
            select(m.c.reply_seconds.label("wait")).where(
                m.c.sent_by.is_(None) if not chatter else m.c.sent_by == chatter, *in_bucket
            )
            for chatter in chatters
        ]
        waits = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("waits")
        return float(self.session.scalar(
            select(waits.c.wait).order_by(waits.c.wait).limit(1).offset(rank - before - 1)
        ))


def _seconds(value: float) -> float:
    return round(value, 3)
