"""Exact sliding-window rate limits (a log of event times)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class SlidingWindow:
    """At most ``limit`` events in any ``window_s`` seconds. Callers serialise access."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: deque[float] = deque()

    def retry_after(self) -> int | None:
        """None when an event may happen now, else whole seconds (>= 1) until a slot frees."""
        now = self._clock()
        events = self._events
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) < self.limit:
            return None
        return max(1, math.ceil(events[0] + self.window_s - now))

    def record(self) -> None:
        self._events.append(self._clock())

    def acquire(self) -> int | None:
        """Record an event if there is room; otherwise return the wait, as ``retry_after``."""
        wait = self.retry_after()
        if wait is None:
            self.record()
        return wait
