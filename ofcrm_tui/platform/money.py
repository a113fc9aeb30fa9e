"""Exact conversion between the contract's decimal dollars and our integer cents.

Amounts never pass through binary float arithmetic: a float that came from JSON is
read through its shortest repr (``19.99`` stays ``19.99``), then handled as Decimal.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CENT = Decimal("0.01")


class MoneyError(ValueError):
    """A value that is not an amount of dollars with at most two decimal places."""


def to_cents(dollars: Decimal | float | int | str) -> int:
    """``19.99`` -> ``1999``; raises MoneyError for more than two places or junk."""
    if isinstance(dollars, bool):
        raise MoneyError(f"not an amount: {dollars!r}")
    try:
        value = Decimal(str(dollars)) if not isinstance(dollars, Decimal) else dollars
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {dollars!r}") from exc
    if not value.is_finite():
        raise MoneyError(f"not an amount: {dollars!r}")
    try:
        cents = value.quantize(_CENT)
    except InvalidOperation:  # more digits than the decimal context holds
        raise MoneyError(f"not an amount we can handle: {dollars!r}") from None
    if value != cents:
        raise MoneyError(f"more than two decimal places: {dollars!r}")
    return int(value * 100)


# What a person types as a price: dollars, and cents after a point (no "1e2", "-5",
# "0x10" or "1_000", which Decimal would read).
_TYPED = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def parse_dollars(text: str) -> int:
    """A price as typed (``9.99``, ``$9.99``, ``12.``) -> cents; MoneyError otherwise."""
    amount = text.strip().removeprefix("$").strip()
    if not _TYPED.fullmatch(amount):
        raise MoneyError(f"not an amount like 12.50: {text.strip()!r}")
    return to_cents(amount)


def named_dollars(text: str, what: str) -> int:
    """``parse_dollars`` of the value of ``what`` (an option, a field): the one message
    every money input gives when it is not an amount."""
    try:
        return parse_dollars(text)
    except MoneyError:
        raise MoneyError(f"bad {what} {text!r}: give dollars, e.g. 25 or 9.99") from None


def to_dollars(cents: int) -> Decimal:
    """``1999`` -> ``Decimal('19.99')``."""
    return (Decimal(cents) / 100).quantize(_CENT)


def dollars_json(cents: int) -> float | int:
    """The JSON number for an amount: a float whose repr is the exact decimal."""
    if cents % 100 == 0:
        return cents // 100
    return float(to_dollars(cents))


def format_cents(cents: int) -> str:
    """Human display: ``1999`` -> ``$19.99``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"
