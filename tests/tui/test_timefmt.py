"""Times shown against the app's real clock (``local_now``) in their own date's offset."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

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
