"""Prices as people type them (the PPV dialog, ``ofcrm send --price``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofcrm_tui.platform.money import MoneyError, format_cents, parse_dollars, to_cents, to_dollars


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("9.99", 999), ("$9.99", 999), (" $ 12. ", 1200), (".5", 50), ("200", 20000)],
)
def test_dollars_and_cents_are_read(typed: str, cents: int) -> None:
    assert parse_dollars(typed) == cents


@pytest.mark.parametrize(
    "typed", ["1e2", "-5", "1_000", "0x10", "١٢", "9.999", "", "$", "ten", "1" * 30, "9" * 40 + ".5"]
)
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_dollars(typed)


@pytest.mark.parametrize("amount", ["1" * 30, 10**40, Decimal("1e30"), 1e300])
def test_amounts_beyond_the_decimal_context_are_money_errors(amount) -> None:  # noqa: ANN001
    with pytest.raises(MoneyError):
        to_cents(amount)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_every_price_reads_back_as_it_is_shown(cents: int) -> None:
    shown = format_cents(cents)
    assert parse_dollars(shown.replace(",", "")) == cents
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
