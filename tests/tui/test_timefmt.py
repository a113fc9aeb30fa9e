"""Times shown against the app's real clock (``local_now``) in their own date's offset."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import tzlocal

from ofcrm_tui.tui.timefmt import local_now, short_time, stamp, user_zone


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Europe/Paris (the C library's and tzlocal's), then back."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    tzlocal.reload_localzone()
    yield
    monkeypatch.undo()
    time.tzset()
    tzlocal.reload_localzone()


def test_each_time_is_shown_in_its_own_dates_offset(paris: None) -> None:
    """The clock was fixed at today's offset: in December (UTC+1) a July message
    (summer time, UTC+2) showed an hour early, whatever the day the lists are read."""
    now = local_now()
    summer = datetime(2026, 7, 3, 12, 0, tzinfo=UTC)
    winter = datetime(2026, 1, 8, 12, 0, tzinfo=UTC)
    assert stamp(summer, now).endswith("14:00")
    assert stamp(winter, now).endswith("13:00")
    # A summer evening in UTC is after midnight in Paris: the next day, in every list.
    late = datetime(2026, 7, 3, 22, 30, tzinfo=UTC)
    assert stamp(late, now).endswith("00:30") and "3 Jul" not in short_time(late, now)
    assert user_zone(local_now).utcoffset(summer) == now.tzinfo.utcoffset(summer)


def test_a_day_reads_the_same_at_any_hour() -> None:
    """Days are counted on the calendar in the user's zone: six days back at 09:00 read
    ``26 Nov`` and at 18:00 ``Thu`` (a rolling window of 6 x 24 hours)."""
    zone = ZoneInfo("Europe/Paris")
    now = datetime(2026, 12, 2, 12, 0, tzinfo=zone)  # a Wednesday
    morning, evening = (datetime(2026, 11, 26, hour, 0, tzinfo=zone) for hour in (9, 18))
    assert short_time(morning, now) == short_time(evening, now) == "Thu"
    assert (stamp(morning, now), stamp(evening, now)) == ("Thu 09:00", "Thu 18:00")
    # Yesterday just before midnight is yesterday; a week back repeats no weekday.
    assert short_time(datetime(2026, 12, 1, 23, 59, tzinfo=zone), now) == "Tue"
    assert short_time(datetime(2026, 11, 25, 23, 59, tzinfo=zone), now) == "25 Nov"
    # The day is the user's: 23:30 UTC on the 26th is already the 27th in Paris.
    assert short_time(datetime(2026, 11, 26, 23, 30, tzinfo=UTC), now) == "Fri"
    # Later days (a campaign's ETA) are dated.
    assert short_time(datetime(2026, 12, 4, 9, 0, tzinfo=zone), now) == "4 Dec"
