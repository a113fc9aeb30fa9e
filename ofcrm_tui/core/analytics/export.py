"""The analytics export: what a ``Dashboard`` holds, as CSV rows.

The rows come from the same ``Dashboard`` the screen draws, so the file and the screen
agree to the cent. On a team database the export right is checked first and the export
audited. Amounts are dollars with two decimals (exact, from integer cents).
The file is written next to its destination and renamed into place: a failed export
leaves nothing half-written.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.analytics.chatters import OUTSIDE_OFCRM
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, Dashboard
from ofcrm_tui.core.files import written_in_place
from ofcrm_tui.core.wording import counted
from ofcrm_tui.platform.money import to_dollars
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction

# Column names of the revenue types, in ``REVENUE_TYPES`` order.
TYPE_COLUMNS = {"subscription": "subscriptions", "tip": "tips", "message": "messages",
                "post": "posts", "stream": "streams"}


class ExportKind(StrEnum):
    DAILY = "daily"  # one row per day (per week past 90 days, per hour for one day)
    KPIS = "kpis"  # one row per KPI
    CHATTERS = "chatters"  # one row per chatter


# What one row of each kind is, for "24 hourly rows", "12 KPI rows" (the revenue rows by
# the period's step).
_STEP_ROWS = {"hour": "hourly row", "day": "daily row", "week": "weekly row"}
_KIND_ROWS = {ExportKind.KPIS: "KPI row", ExportKind.CHATTERS: "chatter row"}


def rows_written(count: int, dashboard: Dashboard, kind: ExportKind) -> str:
    """``24 hourly rows``, ``109 weekly rows``, ``1 chatter row``: what a file holds."""
    row = _STEP_ROWS[dashboard.period.step] if kind == ExportKind.DAILY else _KIND_ROWS[kind]
    return counted(count, row)


def dollars(cents: int) -> str:
    return str(to_dollars(cents))


def _optional(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def rows(dashboard: Dashboard, kind: ExportKind) -> Iterator[list[str]]:
    """The header, then the rows of ``kind``."""
    if kind == ExportKind.DAILY:
        period = dashboard.period
        yield ["hour" if period.hourly else "date", "revenue",
               *(TYPE_COLUMNS[t] for t in REVENUE_TYPES)]
        for point in dashboard.series:
            # An hour as local time with its offset: a day of a clock change has two 02:00.
            when = (point.start.astimezone(period.tz).isoformat(timespec="minutes")
                    if period.hourly else point.first_day.isoformat())
            yield [when, dollars(point.revenue_cents), *(dollars(cents) for cents in point.by_type)]
    elif kind == ExportKind.KPIS:
        yield ["kpi", "value"]
        yield from ([name, value] for name, value in kpi_values(dashboard))
    else:
        yield ["chatter", "messages_sent", "ppv_sent", "ppv_bought", "ppv_revenue",
               "earnings_per_message", "replies", "median_reply_seconds", "p90_reply_seconds"]
        for c in dashboard.chatters:
            yield [c.chatter or OUTSIDE_OFCRM, str(c.messages_sent), str(c.ppv_sent), str(c.ppv_bought),
                   dollars(c.ppv_revenue_cents), dollars(c.earnings_per_message_cents),
                   str(c.replies), _optional(c.median_reply_seconds),
                   _optional(c.p90_reply_seconds)]


def kpi_values(dashboard: Dashboard) -> list[tuple[str, str]]:
    """The KPIs as (name, value) text, money in dollars; empty when there is no figure."""
    k = dashboard.kpis
    conversion = k.ppv_conversion
    return [
        ("period_start", dashboard.period.first_day.isoformat()),
        ("period_end", dashboard.period.last_day.isoformat()),
        ("total_fans", str(k.total_fans)),
        ("active_fans", str(k.active_fans)),
        ("new_fans", str(k.new_fans)),
        ("churned_fans", str(k.churned_fans)),
        ("revenue_gross", dollars(k.revenue_cents)),
        ("revenue_net", dollars(k.net_cents)),
        ("average_lifetime_value", dollars(k.avg_lifetime_value_cents)),
        ("revenue_per_active_fan", dollars(k.revenue_per_active_fan_cents)),
        ("ppv_sent", str(k.ppv_sent)),
        ("ppv_bought", str(k.ppv_bought)),
        ("ppv_conversion", "" if conversion is None else f"{conversion:.4f}"),
        ("median_reply_seconds", _optional(k.median_reply_seconds)),
    ]


def write_csv(
    db: Database, dashboard: Dashboard, path: Path, kind: ExportKind = ExportKind.DAILY
) -> int:
    """Write ``kind`` rows to ``path`` (replaced whole); returns the number of data rows.
    A team database says first whether this role may export, and records it."""
    path = Path(path)
    with db.read() as session:
        access.require(session, Right.EXPORT, dashboard.account_id)
        count = _write_file(dashboard, path, kind)
        access.record(session, AuditAction.ANALYTICS_EXPORTED, dashboard.account_id, count,
                      f"{path.name} ({kind.value})")
    return count


def _write_file(dashboard: Dashboard, path: Path, kind: ExportKind) -> int:
    count = -1
    with written_in_place(path) as out:
        writer = csv.writer(out)
        for row in rows(dashboard, kind):
            writer.writerow(row)
            count += 1
    return count
