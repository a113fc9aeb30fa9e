"""The fan counts of a period (defined in ``analytics.figures``), from the per-day
counts of ``analytics_fan_days`` (migrations 0016, 0029) instead of every fan's row.

Total, new, active-by-status and total spend add up days of becoming known (fans known
during a partial UTC day at an edge are read from their rows through
``ix_fans_analytics``); expired fans whose subscription runs past the end count as
active, and those whose subscription ended in the period as churned: both read from
``ix_fans_analytics_expiry`` (of expired fans only: the query names that status),
starting at the period's start. A fan with no subscription data (``Fan.on_platform``:
status ``NO_SUBSCRIPTION`` in the rollup) counts in the total alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from ofcrm_tui.core.analytics.period import Period
from ofcrm_tui.core.analytics.rollups import DAY, split
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import Fan, FanDay
from ofcrm_tui.store.models.crm import EXPIRED_FANS
from ofcrm_tui.store.rollups import NO_SUBSCRIPTION

_DAWN = datetime(1, 1, 1, tzinfo=UTC)  # a UTC midnight before any fan
_STATUS = case((Fan.on_platform, Fan.subscription_status), else_=NO_SUBSCRIPTION)  # the rollup's
# The expired fans, as ix_fans_analytics_expiry selects them: a constant, not a bound value,
# so that PostgreSQL's generic plans can use the index too.
_EXPIRED = text(EXPIRED_FANS)


def fan_counts(session: Session, account_id: int, period: Period) -> dict[str, int]:
    """``total``, ``active``, ``new``, ``churned``; ``subscribers`` (the total less the
    fans with no subscription data) and ``spent`` (their total spend)."""
    known = split(_DAWN, period.end, DAY)  # known before the end
    fresh = split(period.start, period.end, DAY)  # known in the period
    counts = dict.fromkeys(("total", "subscribers", "active", "new", "churned", "spent"), 0)

    def add(status: str, fans: int, spent: int, new: int, *, known_before_end: bool) -> None:
        if known_before_end:
            counts["total"] += fans
        if status == NO_SUBSCRIPTION:
            return
        if known_before_end:
            counts["subscribers"] += fans
            counts["spent"] += spent
            counts["active"] += fans if status == SubscriptionStatus.ACTIVE else 0
        counts["new"] += new

    d = FanDay
    in_fresh = and_(d.day >= fresh.first, d.day < fresh.last)
    for status, fans, spent, new in session.execute(
        select(d.status, func.sum(d.fans), func.sum(d.spent_cents),
               func.sum(case((in_fresh, d.fans), else_=0)))
        .where(d.account_id == account_id, d.day < known.last)
        .group_by(d.status)
    ):
        add(status, int(fans), int(spent), int(new), known_before_end=True)
    for lo, hi in dict.fromkeys(known.edges + fresh.edges):
        for status, fans, spent in session.execute(
            select(_STATUS, func.count(), func.sum(Fan.total_spent_cents))
            .where(Fan.account_id == account_id, _known_between(lo, hi))
            .group_by(_STATUS)
        ):
            add(status, fans, int(spent), fans if (lo, hi) in fresh.edges else 0,
                known_before_end=(lo, hi) in known.edges)
    running, churned = session.execute(
        select(func.sum(case((Fan.expires_at >= period.end, 1), else_=0)),
               func.sum(case((Fan.expires_at < period.end, 1), else_=0)))
        .where(Fan.account_id == account_id, _EXPIRED, Fan.expires_at >= period.start,
               _known_before(period.end), Fan.on_platform)
    ).one()
    counts["active"] += int(running or 0)
    counts["churned"] = int(churned or 0)
    return counts


def _known_between(lo: datetime, hi: datetime) -> ColumnElement[bool]:
    """Became known in ``[lo, hi)``: two ranges of ``ix_fans_analytics``."""
    return or_(
        and_(Fan.subscribed_at >= lo, Fan.subscribed_at < hi),
        and_(Fan.subscribed_at.is_(None), Fan.created_at >= lo, Fan.created_at < hi),
    )


def _known_before(end: datetime) -> ColumnElement[bool]:
    return func.coalesce(Fan.subscribed_at, Fan.created_at) < end
