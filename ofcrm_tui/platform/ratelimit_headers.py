"""Reading a gateway's rate-limit headers into a client-side budget."""

from __future__ import annotations

from collections.abc import Mapping

from .pacing import Budget

# With nothing remaining and no reset given, a whole minute may pass before a slot frees.
_UNKNOWN_RESET_S = 60.0


def header_number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 and number == number and number != float("inf") else None


def read_budget_headers(
    budget: Budget, headers: Mapping[str, str], prefix: str, suffix: str = ""
) -> None:
    """``{prefix}limit{suffix}`` (a minute's requests), ``{prefix}remaining{suffix}`` and
    ``{prefix}reset{suffix}`` (seconds until the next request may go)."""
    limit = header_number(headers, f"{prefix}limit{suffix}")
    remaining = header_number(headers, f"{prefix}remaining{suffix}")
    reset = header_number(headers, f"{prefix}reset{suffix}")
    if limit is None and remaining is None:
        return
    if remaining is not None and remaining <= 0 and reset is None:
        reset = _UNKNOWN_RESET_S
    budget.observe(limit_per_minute=limit, remaining=remaining, reset_s=reset)
