"""Times as a chatter reads them, relative to an injected ``now`` (tests freeze it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from ofcrm_tui.core.analytics.period import local_zone

Clock = Callable[[], datetime]

# Days before today shown by weekday: the seventh would repeat today's name.
WEEKDAY_DAYS = 6


def local_now() -> datetime:
    """The app's default clock: aware, in the local time zone with its daylight-saving
    rules (``local_zone``), so each time shown against it is read in its own date's
    offset (a July message seen in December in Paris: 14:00, not today's 13:00). The
    zone is looked up once (``tzlocal`` keeps it): lists call this for every row."""
    return datetime.now(local_zone())


def user_zone(clock: Clock) -> tzinfo:
    """The zone days are counted in: the machine's (with its daylight-saving rules) under
    the real clock, else the zone of the injected clock (tests freeze it)."""
    return local_zone() if clock is local_now else clock().tzinfo or local_zone()


def short_time(at: datetime | None, now: datetime) -> str:
    """``14:05`` today, ``Mon`` on the six days before, ``3 Mar`` this year, ``3 Mar 24``
    before. Days are calendar days in ``now``'s zone: a day reads the same at any hour."""
    if at is None:
        return ""
    at = at.astimezone(now.tzinfo)
    days_ago = (now.date() - at.date()).days
    if days_ago == 0:
        return at.strftime("%H:%M")
    if 0 < days_ago <= WEEKDAY_DAYS:
        return at.strftime("%a")
    if at.year == now.year:
        return f"{at.day} {at.strftime('%b')}"
    return f"{at.day} {at.strftime('%b %y')}"


def stamp(at: datetime, now: datetime) -> str:
    """Day and time for a message header: ``14:05``, ``Mon 14:05``, ``3 Mar 14:05``."""
    day = short_time(at, now)
    at = at.astimezone(now.tzinfo)
    clock = at.strftime("%H:%M")
    return clock if day == clock else f"{day} {clock}"


def age(seconds: float) -> str:
    """``4s``, ``3m``, ``2h``, ``5d``: how long ago, in the largest whole unit."""
    seconds = max(0, int(seconds))
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
