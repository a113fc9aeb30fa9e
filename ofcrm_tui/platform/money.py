"""Exact conversion between the contract's decimal dollars and our integer cents.

Amounts never pass through binary float arithmetic: a float that came from JSON is
read through its shortest repr (``19.99`` stays ``19.99``), then handled as Decimal.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CENT = Decimal("0.01")


_GIVE_DOLLARS = "give dollars, e.g. 25 or 9.99"


class MoneyError(ValueError):
    """A value that is not an amount of dollars with at most two decimal places;
    ``hint`` says what to write instead, after the name of the field at fault."""

    def __init__(self, reason: str, hint: str = _GIVE_DOLLARS) -> None:
        super().__init__(reason)
        self.hint = hint


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


# What a person types as an amount: dollars, and cents after a point (no "1e2", "-5",
# "0x10" or "1_000", which Decimal would read); a comma only groups thousands.
_TYPED = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


MAX_CENTS = 100_000_000_00  # $100M: more is a typo or an attack (and overflows a column)


def parse_dollars(text: str) -> int:
    """An amount as a person types it (``9.99``, ``$9.99``, ``12.``, ``$1,234.50``) ->
    cents; MoneyError (its reason in words) otherwise. Every input of an amount (the
    dialogs, the command line's money options, a CSV import's odd cells) reads it here."""
    shown = text.strip()
    amount = shown.removeprefix("$").strip()
    if amount.startswith("-"):
        raise MoneyError(f"negative amount {shown!r}")
    if "," in amount:
        if not _GROUPED.fullmatch(amount):
            # 1,50 is $1.50 in much of Europe and $150 where the comma groups
            # thousands: not ours to guess.
            raise MoneyError(f"amount {shown!r}: a comma only groups thousands (1,234.50); "
                             "write cents after a point (1.50)",
                             "a comma only groups thousands (1,234.50); cents after a point (1.50)")
        amount = amount.replace(",", "")
    if not _TYPED.fullmatch(amount):
        raise MoneyError(f"not an amount of dollars like 12.50: {shown!r}")
    try:
        cents = to_cents(amount)
    except MoneyError:  # a third decimal place, or more digits than Decimal holds
        raise MoneyError(f"not an amount of dollars like 12.50: {shown!r}") from None
    if cents > MAX_CENTS:
        raise MoneyError(f"amount {shown!r} is implausibly large",
                         f"at most {format_cents(MAX_CENTS)}")
    return cents


def named_dollars(text: str, what: str) -> int:
    """``parse_dollars`` of the value of ``what`` (an option, a field): the one message
    every money input gives when it is not an amount."""
    try:
        return parse_dollars(text)
    except MoneyError as exc:
        raise MoneyError(f"bad {what} {text!r}: {exc.hint}", exc.hint) from None


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
