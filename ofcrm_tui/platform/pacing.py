"""Client-side pacing to a gateway's request budget, shared by every thread of an account.

A gateway meters all of an account's requests (reads and sends) in one budget: OFAuth
as a token bucket (60 a minute, bursts of 90), OnlyFansAPI.com per its plan. The client
takes a token before each request and, when none is left, waits for one instead of
earning a 429: the poll then costs one request an interval and a full sync spreads out.
The budget follows the rate-limit headers of each answer (``observe``), so the client
never assumes more than the gateway advertises.

Whoever wants to hear about the waits (a full sync's progress) registers a callback
for its thread with ``report_waits``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# A thread hears about waits at most this often (a paced sync waits before most requests).
_REPORT_EVERY_S = 2.0
_local = threading.local()


@contextmanager
def report_waits(callback: Callable[[float], None]) -> Iterator[None]:
    """Call ``callback(seconds)`` when a request on this thread waits for the budget."""
    previous = getattr(_local, "callback", None)
    _local.callback, _local.reported_at = callback, None
    try:
        yield
    finally:
        _local.callback = previous


class Budget:
    """A token bucket: ``rate_per_minute`` refill, at most ``burst`` tokens.

    ``take`` reserves a token (the balance may go below zero: later callers queue behind
    the reservation) and sleeps until it is due, outside the lock.
    """

    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_minute <= 0 or burst < 1:
            raise ValueError("a budget needs a positive rate and a burst of at least 1")
        self.rate_per_minute = float(rate_per_minute)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._at = clock()
        self._in_flight = 0
        self.waited_s = 0.0  # in total, for benchmarks and tests

    def _refill(self, now: float) -> None:
        gained = (now - self._at) * self.rate_per_minute / 60.0
        self._tokens = min(float(self.burst), self._tokens + gained)
        self._at = now

    def take(self) -> float:
        """Wait for a token; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens * 60.0 / self.rate_per_minute
            self._in_flight += 1
            self.waited_s += wait
        if wait > 0:
            self._report(wait)
            log.debug("pacing to the gateway's budget: waiting %.2f s", wait)
            self._sleep(wait)
        return wait

    def _report(self, wait: float) -> None:
        callback = getattr(_local, "callback", None)
        if callback is None:
            return
        now = self._clock()
        last = getattr(_local, "reported_at", None)
        if last is None or now - last >= _REPORT_EVERY_S:
            _local.reported_at = now
            callback(wait)

    def done(self) -> None:
        """The request taken for has been answered (or failed)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def observe(
        self, *, limit_per_minute: float | None, remaining: float | None, reset_s: float | None
    ) -> None:
        """Adopt what the gateway advertised with an answer.

        ``remaining`` counts this request, not the others still in flight (each already
        took a token here), so the balance is at most ``remaining`` minus those. With
        nothing remaining, no token is due before ``reset_s``.
        """
        with self._lock:
            now = self._clock()
            self._refill(now)
            if limit_per_minute is not None and limit_per_minute > 0:
                self.rate_per_minute = float(limit_per_minute)
            if remaining is not None:
                others = max(0, self._in_flight - 1)
                self._tokens = min(self._tokens, remaining - others)
                if remaining <= 0 and reset_s is not None and reset_s > 0:
                    due = -reset_s * self.rate_per_minute / 60.0 + 1.0
                    self._tokens = min(self._tokens, due)

    def drain(self, retry_after: float) -> None:
        """A 429 came anyway: no token for ``retry_after`` seconds."""
        with self._lock:
            self._refill(self._clock())
            self._tokens = min(self._tokens, -retry_after * self.rate_per_minute / 60.0)
