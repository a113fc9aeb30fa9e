"""The Failed screen's cursor follows a retried message: queued again it leaves the list,
failed again it comes back at the top, and the cursor with it (a second R retries the
same message), unless the chatter moved the cursor meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.jobs.events import MessagesFailed
from ofcrm_tui.simulator.faults import Faults
from ofcrm_tui.tui.app import OfcrmApp
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for
from tests.tui.test_failed_list import _list, _many_failed, _notes, _states

pytestmark = pytest.mark.anyio


async def _fails_again(app: OfcrmApp, world: World, outbound_id: int) -> None:
    """The platform refuses the retried message: it is failed again, now, the newest."""
    world.sim.set_faults(Faults(refuse_send_rate=1.0))
    report = await asyncio.to_thread(world.drain)
    assert report.failed == [outbound_id]
    app.job_event(MessagesFailed(world.account.id, tuple(report.failed)))


@pytest.mark.parametrize("row", [0, 2])
async def test_the_cursor_goes_back_to_a_retried_message_that_failed_again(
    world: World, row: int
) -> None:
    ids = _many_failed(world, 4)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", *["j"] * row)
        listing = _list(app)
        assert listing.cursor_row.id == ids[row]
        await press(pilot, "R")
        assert _notes(app)[-1] == "Queued again"
        # Queued again, it has left the list: the cursor is on the row that took its place.
        await wait_for(pilot, lambda: listing.count == 3)
        assert listing.cursor_row.id == ids[row + 1]
        await _fails_again(app, world, ids[row])
        await wait_for(pilot, lambda: listing.count == 4)
        assert listing.row_at(0).id == ids[row]  # back at the top
        assert listing.cursor_row.id == ids[row]
        await press(pilot, "R")  # the same message again, not its neighbour
        await wait_for(pilot, lambda: listing.count == 3)
    assert _states(world, ids) == ["queued" if i == row else "failed" for i in range(4)]


async def test_a_cursor_moved_meanwhile_stays_where_it_was_moved(world: World) -> None:
    ids = _many_failed(world, 4)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "R")
        listing = _list(app)
        await wait_for(pilot, lambda: listing.count == 3)
        await press(pilot, "j")
        assert listing.cursor_row.id == ids[2]
        await _fails_again(app, world, ids[0])
        await wait_for(pilot, lambda: listing.count == 4)
        assert listing.row_at(0).id == ids[0]
        assert listing.cursor_row.id == ids[2]
        # A later change does not pull it back either.
        app.queue_changed()
        await settle(pilot)
        assert listing.cursor_row.id == ids[2]
