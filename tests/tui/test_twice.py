"""``Twice``: the one record of a press just acted on, for the three guards against the
same press read twice (a picked choice, a price just set, an export's warning)."""

from __future__ import annotations

import pytest

from ofcrm_tui.tui import twice as twice_module
from ofcrm_tui.tui.twice import Twice


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(twice_module.time, "monotonic", lambda: now[0])
    return now


def test_the_same_press_again_until_forgotten(clock: list[float]) -> None:
    picked = Twice()
    assert not picked.again("enter")
    picked.did("enter")
    clock[0] += 60.0  # no limit: the same burst, however long
    assert picked.again("enter") and not picked.again("j")
    picked.forget()
    assert not picked.again("enter") and picked.since("enter") is None


def test_again_within_a_time(clock: list[float]) -> None:
    offer = Twice()
    offer.did()
    clock[0] += 0.2
    assert offer.again(within=0.5) and offer.since() == pytest.approx(0.2)
    clock[0] += 0.3
    assert not offer.again(within=0.5) and offer.since() == pytest.approx(0.5)


def test_nothing_acted_on_is_never_pressed_again(clock: list[float]) -> None:
    none = Twice()
    none.did(None)  # a choice picked by a click: no key to tell a second press by
    assert not none.again(None) and not none.again("enter")


def test_what_was_done_last_counts(clock: list[float]) -> None:
    warned = Twice()
    warned.did("a.csv")
    warned.did("b.csv")
    assert warned.since("a.csv") is None and warned.since("b.csv") == 0.0
