"""While the manual retry limit is reached, the Failed screen's footer dims R Retry and
^r Retry all; they come back by themselves once a retry frees up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _list, _many_failed, _notes, open_failed
from tests.tui.pilot import press, wait_for

pytestmark = pytest.mark.anyio


def _dimmed(app: object) -> dict[str, bool]:
    """The footer's retry keys, by description: dimmed or not."""
    keys = app.screen.query(FooterKey)  # type: ignore[attr-defined]
    return {key.description: key.has_class("-disabled") for key in keys
            if key.description.startswith("Retry")}


async def test_the_retry_keys_are_dimmed_until_a_retry_frees_up(world: World) -> None:
    from ofcrm_tui.tui.app import OfcrmApp

    _many_failed(world, 12)
    now = [NOW]
    app = OfcrmApp(world.context, world.account, clock=lambda: now[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await open_failed(pilot)
        assert _dimmed(app) == {"Retry": False, "Retry all": False}

        await press(pilot, "ctrl+r", "down", "enter")
        await wait_for(pilot, lambda: _list(app).count == 2)
        await wait_for(pilot, lambda: _dimmed(app) == {"Retry": True, "Retry all": True})
        await press(pilot, "R")  # dimmed, the key still says why
        assert _notes(app)[-1].startswith("Not retried: manual retries are limited")

        now[0] = NOW + timedelta(seconds=61)
        await wait_for(pilot, lambda: _dimmed(app) == {"Retry": False, "Retry all": False})
