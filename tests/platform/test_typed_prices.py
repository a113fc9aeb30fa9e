"""Prices as people type them (the PPV dialog, ``ofcrm send --price``)."""

from __future__ import annotations

import pytest

from ofcrm_tui.platform.money import MoneyError, parse_dollars


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("9.99", 999), ("$9.99", 999), (" $ 12. ", 1200), (".5", 50), ("200", 20000)],
)
def test_dollars_and_cents_are_read(typed: str, cents: int) -> None:
    assert parse_dollars(typed) == cents


@pytest.mark.parametrize("typed", ["1e2", "-5", "1_000", "0x10", "١٢", "9.999", "", "$", "ten"])
def test_anything_else_is_refused(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_dollars(typed)
