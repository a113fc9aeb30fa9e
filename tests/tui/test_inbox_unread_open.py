"""The unread-only inbox: the conversation opened there (and so read) leaves the list at
its next read; the cursor goes on to the one that was below it, whatever arrived above."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.jobs.events import PollCompleted
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("order", ["fan", "activity"])
async def test_read_in_the_unread_list_the_cursor_goes_on_to_the_next(
    world: World, order: str
) -> None:
    """QA: Enter on the sixth unread conversation, then a poll brought two fans' messages:
    the read one left and the cursor kept its screen line, on a conversation above it
    (the rows moved down by the two arrived), so Enter opened one already passed."""
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": order})
    app = world.app()  # no jobs: the test polls
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        read = [rows.row_at(i) for i in range(rows.count)]
        writers = [row.platform_user_id for row in read if row and not row.unread_count][:2]
        await press(pilot, "U")
        await wait_for(pilot, lambda: rows.loaded and rows.count > 4)
        await press(pilot, "j", "j", "j", "enter")
        opened, following = inbox(pilot).open_row, rows.row_at(4)
        assert opened.conversation_id == rows.row_at(3).conversation_id
        for writer in writers:  # they come in at the top of the unread list
            world.sim.add_inbound_message(writer, "still there?")
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await wait_for(pilot, lambda: rows.loaded and all(
            rows.row_at(i).conversation_id != opened.conversation_id
            for i in range(rows.count)))
        await settle(pilot)
        assert rows.cursor_row.conversation_id == following.conversation_id
