"""Amounts as people type them (the PPV dialog, the fans filter, ``ofcrm send --price``,
``--min-spent``, a CSV import's odd cells): one parser for all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofcrm_tui.platform.money import (
    MAX_CENTS,
    MoneyError,
    format_cents,
    named_dollars,
    parse_dollars,
    to_cents,
    to_dollars,
)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("9.99", 999), ("$9.99", 999), (" $ 12. ", 1200), (".5", 50), ("200", 20000),
     ("$1,234.50", 123450), ("1,000,000", 100000000)],
)
def test_dollars_and_cents_are_read(typed: str, cents: int) -> None:
    assert parse_dollars(typed) == cents


@pytest.mark.parametrize(
    "typed", ["1e2", "-5", "1_000", "0x10", "١٢", "9.999", "", "$", "ten", "1" * 30, "9" * 40 + ".5",
              "1,50", "1.234,56", "12,34.5", ",5", "$-5"]
)
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_dollars(typed)


def test_a_decimal_comma_is_refused_saying_what_to_write() -> None:
    """``1,50`` is $1.50 in much of Europe and $150 elsewhere: refused, not guessed."""
    with pytest.raises(MoneyError, match=r"comma only groups thousands \(1,234.50\)"):
        named_dollars("1,50", "minimum spend")
    with pytest.raises(MoneyError, match="^bad price 'x': give dollars, e.g. 25 or 9.99$"):
        named_dollars("x", "price")


@pytest.mark.parametrize("amount", ["1" * 30, 10**40, Decimal("1e30"), 1e300])
def test_amounts_beyond_the_decimal_context_are_money_errors(amount) -> None:  # noqa: ANN001
    with pytest.raises(MoneyError):
        to_cents(amount)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_every_price_reads_back_as_it_is_shown(cents: int) -> None:
    shown = format_cents(cents)
    assert parse_dollars(shown) == cents
    assert parse_dollars(str(to_dollars(cents))) == cents
    assert to_cents(to_dollars(cents)) == cents


@settings(deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=3))
def test_a_third_decimal_place_is_refused_and_two_are_exact(amount) -> None:  # noqa: ANN001
    if amount == amount.quantize(Decimal("0.01")):
        assert to_cents(amount) == int(amount * 100)
    else:
        with pytest.raises(MoneyError):
            to_cents(amount)


def test_an_amount_above_the_ceiling_is_refused_saying_the_ceiling() -> None:
    """A huge amount (a typo, or an attack) overflowed the database's integers: the
    fans filter hung on "Loading…", ``fans list --min-spent`` printed a traceback."""
    assert parse_dollars("100,000,000.00") == 100_000_000_00
    with pytest.raises(MoneyError, match=r"^amount '100000000.01' is implausibly large$"):
        parse_dollars("100000000.01")
    with pytest.raises(MoneyError, match=r"^bad minimum spend '99999999999999999999': at most \$100,000,000.00$"):
        named_dollars("99999999999999999999", "minimum spend")
