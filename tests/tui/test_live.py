"""New inbound messages arrive through the real scheduler while the chatter works."""

from __future__ import annotations

import pytest

from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.tui.sanitize import clean
from tests.tui.conftest import HOSTILE, World
from tests.tui.pilot import conversations, inbox, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio


def inbox_unread(world: World, conversation_id: int) -> int:
    with world.context.db.read() as session:
        return session.get(Conversation, conversation_id).unread_count


def toasts(app) -> list[tuple[str, str]]:  # noqa: ANN001 - the app
    return [(n.title, n.message) for n in app._notifications]


async def test_inbound_messages_show_up_without_moving_the_selection(world: World) -> None:
    settings = world.context.settings.model_copy(update={"poll_interval_seconds": 1})
    world.context.settings = world.context.settings.model_copy(update={"notify_inbound": "all"})
    app = world.app()
    jobs = BackgroundJobs(world.context.db, settings, on_event=app.job_event, drain=False)
    app.jobs = jobs  # as run_app does: the jobs report to the app they start with
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            rows = conversations(pilot)
            await press(pilot, "j", "j", "j", "enter")
            selected = rows.cursor_row
            top = rows.row_at(0)
            other = rows.row_at(5)

            # At the top of the list: the list stays at the top, the selection follows its row.
            world.sim.add_inbound_message(other.platform_user_id, HOSTILE)
            await wait_for(pilot, lambda: rows.row_at(0) and rows.row_at(0).fan_id == other.fan_id)
            assert rows.cursor_row.conversation_id == selected.conversation_id
            assert rows.cursor == 4 and rows.scroll_offset.y == 0
            assert inbox(pilot).open_row.conversation_id == selected.conversation_id
            assert thread(pilot).source.conversation_id == selected.conversation_id
            name = clean(other.display_name, single_line=True)
            await wait_for(pilot, lambda: name in dict(toasts(app)))
            shown = dict(toasts(app))[name]  # neutralised, one line, maybe shortened
            assert clean(HOSTILE, single_line=True).startswith(shown.removesuffix("…"))

            # Scrolled down: the selected row keeps its line on the screen.
            await press(pilot, "G")
            selected = rows.cursor_row
            line = rows.cursor - rows.scroll_offset.y // 2
            assert rows.scroll_offset.y > 0
            world.sim.add_inbound_message(top.platform_user_id, "still there?")
            await wait_for(pilot, lambda: rows.row_at(0) and rows.row_at(0).fan_id == top.fan_id)
            assert rows.cursor_row.conversation_id == selected.conversation_id
            assert rows.cursor - rows.scroll_offset.y // 2 == line

            # A message in the open conversation lands in the thread, and since the
            # chatter is looking at it, it is read: here and on the platform.
            opened = inbox(pilot).open_row
            world.sim.add_inbound_message(opened.platform_user_id, "hello again")
            await wait_for(pilot, lambda: thread(pilot).stored[-1].text == "hello again")
            await wait_for(pilot, lambda: world.sim.world.chats[opened.platform_user_id].unread == 0)
            await wait_for(pilot, lambda: rows.row_at(0).fan_id == opened.fan_id)
            assert rows.row_at(0).unread_count == 0
            assert inbox_unread(world, opened.conversation_id) == 0
            assert not any(title == clean(opened.display_name, single_line=True)
                           and message == "hello again" for title, message in toasts(app))

            # With the terminal's focus elsewhere, nobody is looking: it stays unread.
            app.app_focus = False
            world.sim.add_inbound_message(opened.platform_user_id, "are you there?")
            await wait_for(pilot, lambda: thread(pilot).stored[-1].text == "are you there?")
            await wait_for(pilot, lambda: rows.row_at(0).unread_count == 1)
            assert inbox_unread(world, opened.conversation_id) == 1
            assert world.sim.world.chats[opened.platform_user_id].unread == 1
    finally:
        jobs.shutdown(wait=True)
