"""Under load the campaigns' rows and footer stood still for seconds: each refresh (the
screen's timer, each drain's change) started a new read of the list and threw away the
one reading. A refresh asked while a read is under way now follows it: the read that
comes back is shown."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import update
from textual.pilot import Pilot

from ofcrm_tui.core import campaigns
from ofcrm_tui.store.models import Campaign
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from tests.campaigns.test_screen_edit import _list
from tests.campaigns.test_screen_footer import _keys, _running
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import World

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio


async def _until(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
    """As ``wait_for``, without waiting for the workers (a read is held)."""
    deadline = time.monotonic() + 30  # as wait_for
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.01)


def _drawn_keys_have(app: object, key: str) -> bool:
    """``key`` among the footer's keys once they are laid out (a footer just made
    again has keys of no width until its next layout: not yet, not a failure)."""
    try:
        return key in _keys(app)  # type: ignore[arg-type]
    except AssertionError:
        return False


async def test_a_read_under_way_is_shown_not_thrown_away(
    world: World, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    running = _running(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _list(pilot, 1)
        assert "p" in _keys(app)
        screen = app.screen
        assert isinstance(screen, CampaignsScreen)
        reads: list[threading.Event] = []
        read = campaigns.campaigns

        def held(*args: object, **kwargs: object) -> object:
            gate = threading.Event()
            reads.append(gate)
            gate.wait(60)
            return read(*args, **kwargs)

        monkeypatch.setattr(campaigns, "campaigns", held)
        with world.context.db.write() as session:  # paused elsewhere (the CLI)
            session.execute(update(Campaign).where(Campaign.id == running)
                            .values(status="paused"))
        try:
            screen._refresh()  # noqa: SLF001 (the timer's)
            while not reads:
                await pilot.pause(0.01)
            screen._refresh()  # noqa: SLF001 another, while the first reads
            reads[0].set()  # the second, if one was started, reads until the end
            await _until(pilot, lambda: listing.cursor_row is not None
                         and listing.cursor_row.status == "paused")
            await _until(pilot, lambda: _drawn_keys_have(app, "r"))
            assert "p" not in _keys(app)
        finally:
            monkeypatch.setattr(campaigns, "campaigns", read)  # no read held after
            for gate in reads:
                gate.set()
