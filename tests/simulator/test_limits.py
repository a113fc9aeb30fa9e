"""The sliding window on a fake clock."""

from __future__ import annotations

import pytest

from ofcrm_tui.simulator.limits import SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_events_and_says_when_a_slot_frees() -> None:
    clock = Clock()
    window = SlidingWindow(2, 60.0, clock)
    assert window.acquire() is None
    clock.now += 10
    assert window.acquire() is None
    clock.now += 20.5
    assert window.acquire() == 30  # the first event leaves the window 29.5 s from now
    assert window.retry_after() == 30
    clock.now += 29.5
    assert window.acquire() is None
    assert window.retry_after() == 10
    clock.now += 9.9
    assert window.retry_after() == 1  # never less than a second


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SlidingWindow(0, 60.0)
