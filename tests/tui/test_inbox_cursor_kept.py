"""Where the inbox's cursor is after the list reloads under it."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.jobs.events import PollCompleted
from tests.tui.conftest import World
from tests.tui.pilot import conversations, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def arrive(world: World, pilot, platform_user_id: int) -> None:  # noqa: ANN001
    """A fan below the cursor writes: the poll's event is posted as the scheduler would,
    and the list shows the fan's conversation above the cursor."""
    world.sim.add_inbound_message(platform_user_id, "still there?")
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))
    rows = conversations(pilot)

    def above() -> bool:
        return any(getattr(rows.row_at(i), "platform_user_id", None) == platform_user_id
                   for i in range(rows.cursor))

    await wait_for(pilot, above)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_highlighted_row_keeps_its_line_as_conversations_arrive_above(
    world: World, size: tuple[int, int]
) -> None:
    """``g j j j``, then fans further down write, one after another: their conversations
    come to the top, above the highlighted one, which stays on the screen line it had
    (the list scrolls with it, as far as it scrolls) instead of sliding down the screen
    under the chatter's eyes."""
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "g", "j", "j", "j")
        kept = rows.cursor_row
        line = rows.cursor - rows._top_row()
        fit = rows.container_size.height // rows.ROW_HEIGHT
        # The last rows' fans, as many as fill the list: the row would reach the bottom.
        writers = [rows.row_at(i).platform_user_id for i in range(rows.count - fit, rows.count)]
        assert rows.count - fit > rows.cursor
        for writer in writers:
            await arrive(world, pilot, writer)
            assert rows.cursor_row.conversation_id == kept.conversation_id
            # As far as the list scrolls: at 160x45 its 24 rows stop it after 4.
            assert rows._top_row() == min(rows.cursor - line, rows.max_scroll_y // 2)
        assert rows.cursor == 3 + len(writers)
