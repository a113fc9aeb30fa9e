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

    def remaining(self) -> int:
        """Events that may still happen in the current window."""
        return 0 if self.retry_after() is not None else self.limit - len(self._events)

    def acquire(self) -> int | None:
        """Record an event if there is room; otherwise return the wait, as ``retry_after``."""
        wait = self.retry_after()
        if wait is None:
            self.record()
        return wait


class TokenBucket:
    """``rate_per_minute`` tokens a minute, at most ``burst`` saved up (OFAuth's limit).
    Callers serialise access."""

    def __init__(
        self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("a bucket needs a positive rate and a burst of at least 1")
        self.rate_per_minute = rate_per_minute
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate_per_minute / 60)
        self._at = now

    def acquire(self) -> int | None:
        """Take a token if there is one; otherwise whole seconds (>= 1) until there is."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return max(1, math.ceil(self.seconds_to_next()))

    def remaining(self) -> int:
        self._refill()
        return int(self._tokens)

    def seconds_to_next(self) -> float:
        """Seconds until a whole token is there (0 when one is)."""
        return max(0.0, (1 - self._tokens) * 60 / self.rate_per_minute)
