"""Where the inbox's cursor is after the list reloads under it: on the conversation the
chatter replied to while the reply waits to go out, whatever arrives meanwhile; in its
place once the reply moves it up; and on the screen line it had."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.core import outbox, team
from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.jobs.events import MessagesFailed, MessagesSent, PollCompleted
from ofcrm_tui.simulator.faults import Faults
from ofcrm_tui.store.enums import OutboundState
from tests.tui.conftest import NOW, World
from tests.tui.pilot import conversations, inbox, press, settle, thread, type_text, wait_for

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


@pytest.mark.parametrize("order", ["fan", "activity"])
async def test_a_reply_waiting_to_go_out_keeps_the_cursor_on_its_conversation(
    world: World, order: str
) -> None:
    """QA: after a reply held (the send limit) or refused, conversations arriving at
    the top moved the cursor onto other fans: Esc then ``j`` Enter reopened the one
    replied to, or one above it."""
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": order})
    app = world.app()  # no jobs: the reply stays queued
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "j", "j", "j", "enter", "r")
        replied = inbox(pilot).open_row
        await type_text(pilot, "hi")
        await press(pilot, "ctrl+s")
        for i in (10, 12):  # fans further down write: their conversations come to the top
            await arrive(world, pilot, rows.row_at(i).platform_user_id)
        await press(pilot, "escape")
        assert rows.row_at(0).platform_user_id != replied.platform_user_id
        assert rows.cursor_row.conversation_id == replied.conversation_id


async def test_a_reply_sent_in_the_activity_order_leaves_the_cursor_in_its_place(
    world: World,
) -> None:
    """The reply goes out after fans further down wrote (the rows moved down by as many)
    and with one more writing: its conversation goes to the top, the cursor stays in its
    place, so ``j`` goes on to the fan that was below the one replied to."""
    world.context.settings = world.context.settings.model_copy(
        update={"inbox_order": "activity"})
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "j", "j", "j", "enter", "r")
        replied, following = inbox(pilot).open_row, rows.row_at(4)
        writers = [rows.row_at(i).platform_user_id for i in (20, 21, 22)]
        await type_text(pilot, "hi")
        await press(pilot, "ctrl+s")
        for writer in writers[:2]:
            await arrive(world, pilot, writer)
        assert rows.cursor_row.conversation_id == replied.conversation_id
        world.sim.add_inbound_message(writers[2], "and me")
        sent = await asyncio.to_thread(world.drain)
        assert len(sent.sent) == 1
        report = await asyncio.to_thread(world.poll)  # the reply and the fan's message
        app.job_event(PollCompleted(world.account.id, report))
        app.job_event(MessagesSent(world.account.id, tuple(sent.sent)))
        await wait_for(pilot, lambda: replied.conversation_id in {
            getattr(rows.row_at(i), "conversation_id", None) for i in range(2)})  # the top
        await press(pilot, "escape", "j")
        assert rows.cursor_row.conversation_id == following.conversation_id
        await press(pilot, "enter")
        assert inbox(pilot).open_row.conversation_id == following.conversation_id


# (At 160x45 the world's 24 conversations scroll by 4 rows at most: too few to arrive.)
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_scrolled_the_highlighted_row_keeps_its_line_and_the_title_counts_those_above(
    world: World, size: tuple[int, int]
) -> None:
    """At the list's top, a conversation arriving comes into sight, the highlighted one
    going down with its own row. Scrolled down, the highlighted row keeps its screen
    line as conversations arrive above it, out of sight (QA: it slid down the screen),
    and the list's title counts the conversations above the view, so the newest are
    not out of sight unannounced; ``g`` shows them."""
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        fit = rows.container_size.height // rows.ROW_HEIGHT
        writers = [rows.row_at(i).platform_user_id for i in range(rows.count - 4, rows.count)]
        await press(pilot, "g", "j", "j", "j")
        kept = rows.cursor_row
        await arrive(world, pilot, writers[0])
        assert rows.cursor_row.conversation_id == kept.conversation_id and rows.cursor == 4
        assert rows._top_row() == 0  # the newest in sight
        assert "above" not in str(rows.border_title)
        await press(pilot, *["j"] * (fit - 2))
        kept = rows.cursor_row
        line = rows.cursor - rows._top_row()
        assert rows._top_row() > 0
        assert rows._top_row() + len(writers) <= rows.max_scroll_y // rows.ROW_HEIGHT
        for writer in writers[1:]:
            await arrive(world, pilot, writer)
            assert rows.cursor_row.conversation_id == kept.conversation_id
            assert rows.cursor - rows._top_row() == line
        above = rows._top_row()
        await wait_for(pilot, lambda: f"↑{above} above" in str(rows.border_title))
        await press(pilot, "g")
        await wait_for(pilot, lambda: "above" not in str(rows.border_title))
        assert rows.cursor == 0


async def test_filters_that_hide_the_highlighted_row_and_come_back_leave_the_cursor_on_it(
    world: World,
) -> None:
    """QA: with the cursor on row 3, ``m m m`` (mine, unassigned, all) left it on another
    conversation: each filter kept the row the one before had put the cursor on. Until
    the cursor is moved, the filters keep asking for the row it was on."""
    db, account_id = world.context.db, world.account.id
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        for index, chatter in ((1, "tester"), (3, "sam"), (5, "tester")):
            await asyncio.to_thread(team.assign, db, account_id, rows.row_at(index).conversation_id,
                                    chatter, by="tester", now=NOW)
        await press(pilot, "j", "j", "j")
        kept = rows.cursor_row
        await press(pilot, "m")
        assert rows.count == 2 and rows.cursor_row.conversation_id != kept.conversation_id
        await press(pilot, "m", "m")
        assert inbox(pilot).flt.assigned_to is None and not inbox(pilot).flt.unassigned
        assert rows.cursor_row.conversation_id == kept.conversation_id
        # Moved meanwhile, or opened, the cursor's row then is the one kept.
        await press(pilot, "m", "j")
        moved_to = rows.cursor_row
        await press(pilot, "m", "m")
        assert rows.cursor_row.conversation_id == moved_to.conversation_id
        await press(pilot, "k", "k", "m")  # from the row assigned to sam
        opened = rows.cursor_row
        assert opened.conversation_id != kept.conversation_id
        await press(pilot, "enter", "escape", "m", "m")
        assert inbox(pilot).open_row.conversation_id == opened.conversation_id
        assert rows.cursor_row.conversation_id == opened.conversation_id


async def test_another_send_landing_first_leaves_the_replied_row_its_kept_place(
    world: World,
) -> None:
    """The reply to one fan waits while a message to another (queued elsewhere: the
    command line, another chatter) is sent: once the reply goes out its conversation
    goes to the top and the cursor still keeps its place, so ``j`` goes on to the fan
    below the one replied to (every send emptied what the inbox kept of the replies
    waiting: the cursor went up with the replied row)."""
    world.context.settings = world.context.settings.model_copy(
        update={"inbox_order": "activity"})
    app = world.app()  # no jobs: the sends go when the test drains
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        other = next(row for row in map(rows.row_at, range(10, rows.count))
                     if row.subscription_status == "active")
        await asyncio.to_thread(outbox.enqueue, world.context.db, world.account.id,
                                other.fan_id, "hello", created_by="cli")
        first = await asyncio.to_thread(world.drain)  # the other send, not shown yet
        assert len(first.sent) == 1
        await press(pilot, "j", "j", "j", "enter", "r")
        replied = inbox(pilot).open_row
        await type_text(pilot, "hi")
        await press(pilot, "ctrl+s")
        app.job_event(MessagesSent(world.account.id, tuple(first.sent)))
        await wait_for(pilot, lambda: rows.row_at(0).conversation_id == other.conversation_id)
        assert rows.cursor_row.conversation_id == replied.conversation_id
        following = rows.row_at(rows.cursor + 1)
        await goes_out(world, pilot, replied)
        await press(pilot, "escape", "j")
        assert rows.cursor_row.conversation_id == following.conversation_id


async def goes_out(world: World, pilot, replied: ConversationRow) -> None:  # noqa: ANN001
    """The reply waiting is sent, the poll reads it: the app told, its row at the top."""
    sent = await asyncio.to_thread(world.drain)
    assert len(sent.sent) == 1
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))
    pilot.app.job_event(MessagesSent(world.account.id, tuple(sent.sent)))
    rows = conversations(pilot)
    await wait_for(pilot, lambda: rows.row_at(0).conversation_id == replied.conversation_id)



async def refused_reply(world: World, pilot) -> ConversationRow:  # noqa: ANN001
    """In the activity order, the fourth conversation replied to and the reply refused
    by the platform (failed, the app told): the conversation replied to."""
    await settle(pilot)
    await press(pilot, "j", "j", "j", "enter", "r")
    replied = inbox(pilot).open_row
    await type_text(pilot, "hi")
    await press(pilot, "ctrl+s")
    world.sim.set_faults(Faults(refuse_send_rate=1.0))
    refused = await asyncio.to_thread(world.drain)
    world.sim.set_faults(Faults())
    assert len(refused.failed) == 1
    view = outbox.get(world.context.db, world.account.id, refused.failed[0])
    assert view is not None and view.state == OutboundState.FAILED
    pilot.app.job_event(MessagesFailed(world.account.id, tuple(refused.failed)))
    await settle(pilot)
    return replied


async def writes_again(world: World, pilot, replied: ConversationRow) -> None:  # noqa: ANN001
    """The fan replied to writes: the poll's event posted, the fan's row at the top."""
    world.sim.add_inbound_message(replied.platform_user_id, "did you get it?")
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))
    rows = conversations(pilot)
    await wait_for(pilot, lambda: rows.row_at(0).conversation_id == replied.conversation_id)


async def test_a_failed_reply_lets_the_cursor_go_up_with_its_fan_who_writes_again(
    world: World,
) -> None:
    """A reply the platform refused is not waiting any more (failed: it goes again only
    if retried): when its fan writes again the cursor goes up with the fan's row (it
    stayed in its place, on the fan below, as if the reply had just gone out)."""
    world.context.settings = world.context.settings.model_copy(
        update={"inbox_order": "activity"})
    app = world.app()  # no jobs: the sends go when the test drains
    async with app.run_test(size=(80, 24)) as pilot:
        replied = await refused_reply(world, pilot)
        await writes_again(world, pilot, replied)
        assert conversations(pilot).cursor_row.conversation_id == replied.conversation_id


async def test_a_failed_reply_is_let_go_when_another_send_goes_out(world: World) -> None:
    """Another fan's send goes out after the refused reply: the list is read with the
    cursor on the conversation replied to, and when its fan writes the cursor goes up
    with the row."""
    world.context.settings = world.context.settings.model_copy(
        update={"inbox_order": "activity"})
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        rows = conversations(pilot)
        replied = await refused_reply(world, pilot)
        other = next(row for row in map(rows.row_at, range(10, rows.count))
                     if row.subscription_status == "active")
        await asyncio.to_thread(outbox.enqueue, world.context.db, world.account.id,
                                other.fan_id, "hello", created_by="cli")
        sent = await asyncio.to_thread(world.drain)
        assert len(sent.sent) == 1
        app.job_event(MessagesSent(world.account.id, tuple(sent.sent)))
        await wait_for(pilot, lambda: rows.row_at(0).conversation_id == other.conversation_id)
        assert rows.cursor_row.conversation_id == replied.conversation_id
        await writes_again(world, pilot, replied)
        assert rows.cursor_row.conversation_id == replied.conversation_id


async def test_a_reply_retried_from_the_thread_leaves_the_cursor_in_its_place(
    world: World,
) -> None:
    """QA: a refused reply retried from the thread (``R``) went out, its conversation
    went to the top and the cursor went up with it: ``j`` then went to the fan that had
    been at the top, not to the one below the fan replied to. A retry waits to go out
    as a reply just sent does."""
    world.context.settings = world.context.settings.model_copy(
        update={"inbox_order": "activity"})
    app = world.app()  # no jobs: the sends go when the test drains
    async with app.run_test(size=(80, 24)) as pilot:
        rows = conversations(pilot)
        replied = await refused_reply(world, pilot)
        following = rows.row_at(rows.cursor + 1)
        await press(pilot, "escape", "tab", "R")
        await wait_for(pilot, lambda: thread(pilot).pending[-1].state == "queued")
        await goes_out(world, pilot, replied)
        await press(pilot, "escape", "j")
        assert rows.cursor_row.conversation_id == following.conversation_id
