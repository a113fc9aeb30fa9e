"""The Failed screen's cursor follows a retried message: queued again it leaves the list,
failed again it comes back at the top, and the cursor with it (a second R retries the
same message), unless the chatter moved the cursor meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.core import outbox
from ofcrm_tui.jobs.events import MessagesFailed
from ofcrm_tui.simulator.faults import Faults
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.widgets.failed_list import FailedList, FailedSource
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _list, _many_failed, _notes, _states
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


async def _fails_again(app: OfcrmApp, world: World, outbound_id: int) -> None:
    """The platform refuses the retried message: it is failed again, now, the newest."""
    world.sim.set_faults(Faults(refuse_send_rate=1.0))
    report = await asyncio.to_thread(world.drain)
    assert report.failed == [outbound_id]
    app.job_event(MessagesFailed(world.account.id, tuple(report.failed)))


async def _first_retried(pilot) -> FailedList:  # noqa: ANN001
    """The Failed list (of 4) with its first message retried: queued again, gone from it."""
    await settle(pilot)
    await press(pilot, "2", "R")
    listing = _list(pilot.app)
    await wait_for(pilot, lambda: listing.count == 3)
    return listing


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
        listing = await _first_retried(pilot)
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


async def test_each_reload_asks_where_the_retried_message_is_once_and_only_until_it_is_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reload read the retried row's position twice (once to prefer it, once to put the
    cursor on it), and every reload went on asking for it after it had come back under
    the cursor: after it left again for good (discarded in another app), each change
    still asked where it was, and would have pulled the cursor back to it."""
    asked: list[int] = []
    position = FailedSource.position

    def counted(self: FailedSource, key: int) -> int | None:
        asked.append(key)
        return position(self, key)

    monkeypatch.setattr(FailedSource, "position", counted)
    ids = _many_failed(world, 4)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _first_retried(pilot)
        await _fails_again(app, world, ids[0])
        await wait_for(pilot, lambda: listing.count == 4 and listing.cursor_row.id == ids[0])

        asked.clear()
        app.queue_changed()
        await settle(pilot)
        assert asked == [ids[0]]  # the cursor's row, once

        outbox.discard(world.context.db, world.account.id, [ids[0]], now=NOW)
        app.queue_changed()
        await wait_for(pilot, lambda: listing.count == 3)
        assert listing.cursor_row.id == ids[1]
        asked.clear()
        app.queue_changed()
        await settle(pilot)
        assert asked == [ids[1]]
