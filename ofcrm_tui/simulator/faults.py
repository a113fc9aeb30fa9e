"""Injected trouble: random 5xx, random 429, latency, sends that never get an answer, and
sends refused outright.

A 5xx on a send is decided by a coin flip of the same seeded RNG: half the time the
message was stored first (it is in the chat and the ledger), half the time not.
Any other 5xx or injected 429 leaves the world untouched. A refused send is a 400 (the
fan has turned off messages from the creator): a clear failure, nothing stored, that a
client must not retry unchanged (``ofcrm demo --failures`` shows it to newcomers).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

SERVER_ERRORS = (500, 502, 503)


@dataclass(frozen=True)
class Faults:
    error_5xx_rate: float = 0.0
    rate_429_rate: float = 0.0
    latency_s: float = 0.0
    timeout_after_accept_rate: float = 0.0
    hang_seconds: float = 30.0
    seed: int = 0
    retry_after_s: int = 1  # Retry-After of an injected 429
    refuse_send_rate: float = 0.0  # sends refused with a 400, nothing stored

    def __post_init__(self) -> None:
        for name in ("error_5xx_rate", "rate_429_rate", "timeout_after_accept_rate",
                     "refuse_send_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_s < 0 or self.hang_seconds < 0:
            raise ValueError("latency_s and hang_seconds must not be negative")
        if self.retry_after_s < 1:
            raise ValueError("retry_after_s must be at least 1")

    @classmethod
    def from_json(cls, data: Any) -> Faults:
        """Faults from a JSON object; unknown keys or bad values raise ValueError."""
        if not isinstance(data, dict):
            raise ValueError("faults must be a JSON object")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from exc

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Roll:
    """What goes wrong with one request."""

    rate_limited: bool = False
    server_error: int | None = None
    error_after_store: bool = False  # sends only: the 5xx comes after the message was stored
    hang_s: float = 0.0  # sends only: stored, then no answer for this long
    refused: bool = False  # sends only: refused with a 400 before anything is stored


class FaultDice:
    """Seeded draws; every request draws the same number of values, so runs repeat (a
    refusal is drawn last and only when refusals are on: the other faults' draws are
    the same with or without that field)."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def roll(self) -> Roll:
        f, r = self.faults, self._rng.random
        rate_limited, failed, after, hang = r() < f.rate_429_rate, r() < f.error_5xx_rate, r() < 0.5, r()
        status = SERVER_ERRORS[self._rng.randrange(len(SERVER_ERRORS))]
        refused = bool(f.refuse_send_rate) and r() < f.refuse_send_rate
        return Roll(
            rate_limited=rate_limited,
            server_error=status if failed else None,
            error_after_store=after,
            hang_s=f.hang_seconds if hang < f.timeout_after_accept_rate else 0.0,
            refused=refused,
        )
