"""Analytics periods: whole days in the user's time zone, as UTC instants for the queries.

A period is a run of calendar days (``first_day`` to ``last_day``, both included) in a
time zone. Its buckets are its days, or 7-day weeks from its first day when it is
longer than ``DAILY_UP_TO`` days (the last week may be shorter); a period of one day
(today) goes hour by hour, a series of one point being no trend. Day boundaries are
local midnights turned into UTC, so a day of a daylight-saving change has 23 or 25 hours
(and as many buckets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ofcrm_tui.errors import OfcrmError

# Periods up to this many days are drawn day by day; longer ones week by week.
DAILY_UP_TO = 90
# The periods the screen offers: label -> number of days ending today.
PRESETS: dict[str, int] = {"today": 1, "7 days": 7, "30 days": 30, "90 days": 90}
# A custom period longer than this is refused (the series would be too long to draw).
MAX_DAYS = 3_660
HOUR = timedelta(hours=1)  # a one-day period's buckets


class PeriodError(OfcrmError):
    pass


def local_zone() -> tzinfo:
    """The machine's time zone (with its daylight-saving rules, not only today's offset);
    when ``TZ`` names no zone the system knows, the offset the C library took from it."""
    from zoneinfo import ZoneInfoNotFoundError

    from tzlocal import get_localzone  # light, and only needed when no zone is given

    try:
        return get_localzone()
    except ZoneInfoNotFoundError:
        return datetime.now().astimezone().tzinfo or UTC


def wall_time(moment: datetime, tz: tzinfo) -> datetime | None:
    """Naive ``moment`` read on the clocks of ``tz`` (its daylight-saving rules for that
    date, not today's offset), aware; None when the clocks skip it (spring forward)."""
    aware = moment.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment:
        return None
    return aware


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The start of ``day`` in ``tz``, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Bucket:
    """One point of a revenue series: ``days`` days from ``first_day`` (0: an hour of
    it), [start, end) in UTC."""

    first_day: date
    days: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # included
    tz: tzinfo

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise PeriodError(
                f"the period ends ({self.last_day}) before it starts ({self.first_day})"
            )
        if self.days > MAX_DAYS:
            raise PeriodError(f"a period of at most {MAX_DAYS} days, not {self.days}")

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day, self.tz)

    @property
    def end(self) -> datetime:
        """The first instant after the period (exclusive)."""
        return local_midnight(self.last_day + timedelta(days=1), self.tz)

    @property
    def weekly(self) -> bool:
        return self.days > DAILY_UP_TO

    @property
    def hourly(self) -> bool:
        return self.days == 1

    @property
    def step(self) -> str:
        """What a bucket is: ``hour``, ``day`` or ``week``."""
        return "hour" if self.hourly else "week" if self.weekly else "day"

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()}"

    def moved(self, steps: int, *, today: date) -> Period | None:
        """The period as long as this one, ``steps`` lengths later (earlier when
        negative): today, then yesterday; 7 days, then the 7 days before. It never ends
        after ``today`` (one that would ends today); None when there is nowhere to go
        (already ending today, or before the calendar's first day)."""
        if steps > 0 and self.last_day >= today:
            return None
        try:
            last = self.last_day + timedelta(days=self.days * steps)
            last = min(last, today)
            return Period(last - timedelta(days=self.days - 1), last, self.tz)
        except OverflowError:
            return None

    def buckets(self, now: datetime | None = None) -> tuple[Bucket, ...]:
        """The period's buckets; with ``now``, only those begun by then (today's hours
        up to the current one, not the hours still to come)."""
        every = self._buckets()
        return every if now is None else tuple(b for b in every if b.start <= now)

    def _buckets(self) -> tuple[Bucket, ...]:
        if self.hourly:
            starts = range(0, -(-(self.end - self.start) // HOUR))  # a half hour's DST too
            return tuple(
                Bucket(self.first_day, 0, self.start + i * HOUR,
                       min(self.start + (i + 1) * HOUR, self.end))
                for i in starts
            )
        step = 7 if self.weekly else 1
        buckets = []
        day = self.first_day
        while day <= self.last_day:
            days = min(step, (self.last_day - day).days + 1)
            after = day + timedelta(days=days)
            buckets.append(
                Bucket(day, days, local_midnight(day, self.tz), local_midnight(after, self.tz))
            )
            day = after
        return tuple(buckets)


def last_days(days: int, *, tz: tzinfo | None = None, now: datetime | None = None) -> Period:
    """The ``days`` days ending today (``1``: today only), in ``tz`` (default: local)."""
    if days < 1:
        raise PeriodError(f"a period of at least one day, not {days}")
    if days > MAX_DAYS:  # before the dates: a huge count overflows them
        raise PeriodError(f"a period of at most {MAX_DAYS} days, not {days:,}")
    tz = tz or local_zone()
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    return Period(today - timedelta(days=days - 1), today, tz)


def between(
    first_day: date, last_day: date, *, tz: tzinfo | None = None, now: datetime | None = None
) -> Period:
    """The days from ``first_day`` to ``last_day``, both included. With ``now``, a day
    after today (in ``tz``) is refused, as the screen's ``]`` never goes past today:
    nothing is known of it yet, and its figures would all read 0."""
    chosen = Period(first_day, last_day, tz or local_zone())
    if now is not None:
        today = now.astimezone(chosen.tz).date()
        if last_day > today:
            raise PeriodError(f"the period ends ({last_day}) after today ({today})")
    return chosen
