"""The unread-only inbox keeps the conversation open listed, read and highlighted, as
mail clients do, whatever arrives; it leaves the list once another one is opened or a
filter changes. The list's title counts the unread ones only."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.jobs.events import PollCompleted
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


def listed(rows) -> list[int]:  # noqa: ANN001 - a ConversationList
    return [rows.row_at(i).conversation_id for i in range(rows.count) if rows.row_at(i)]


async def unread_only(pilot, writers: int):  # noqa: ANN001, ANN201 - a Pilot
    """The list unread only, with the platform ids of ``writers`` fans read until now
    (their messages, polled, come into it)."""
    await settle(pilot)
    rows = conversations(pilot)
    read = [rows.row_at(i) for i in range(rows.count)]
    found = [row.platform_user_id for row in read if row and not row.unread_count][:writers]
    await press(pilot, "U")
    await wait_for(pilot, lambda: rows.loaded and rows.count > 4)
    return rows, found


@pytest.mark.parametrize("order", ["fan", "activity"])
async def test_the_conversation_read_in_the_unread_list_stays_until_another_is_opened(
    world: World, order: str
) -> None:
    """QA: Enter on the fourth unread conversation, then a poll brought two fans'
    messages: the one being read left the list under the chatter's eyes. It stays,
    highlighted, read, with the two arrived above it; Enter on the one below it opens
    that one, and the one read leaves."""
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": order})
    app = world.app()  # no jobs: the test polls
    async with app.run_test(size=(120, 36)) as pilot:
        rows, writers = await unread_only(pilot, 2)
        unread = rows.count
        await press(pilot, "j", "j", "j", "enter")
        opened, following = inbox(pilot).open_row, rows.row_at(4)
        assert opened.conversation_id == rows.row_at(3).conversation_id
        for writer in writers:  # they come in at the top of the unread list
            world.sim.add_inbound_message(writer, "still there?")
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await wait_for(pilot, lambda: rows.loaded and rows.count == unread + 2)
        await settle(pilot)
        assert listed(rows)[5] == opened.conversation_id  # below the two arrived
        assert rows.cursor_row.conversation_id == opened.conversation_id
        assert rows.cursor_row.unread_count == 0
        # The title counts the unread conversations, not the one kept read.
        await wait_for(pilot, lambda: str(rows.border_title) == f"Inbox  {unread + 1} · unread")

        await press(pilot, "j", "enter")
        assert inbox(pilot).open_row.conversation_id == following.conversation_id
        await wait_for(pilot, lambda: opened.conversation_id not in listed(rows))
        await settle(pilot)
        assert rows.cursor_row.conversation_id == following.conversation_id
        assert rows.count == unread + 1  # the one open now is kept, read
        await wait_for(pilot, lambda: str(rows.border_title) == f"Inbox  {unread} · unread")


async def test_a_filter_changed_keeps_the_open_conversation_read(world: World) -> None:
    """The next unread (``u``) from the one kept goes on to the one below it, and the
    one read before leaves; a filter set and taken back (``$ $``) keeps the open one
    listed (it went, with its thread still shown)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "U")
        await wait_for(pilot, lambda: rows.loaded and rows.count > 4)
        unread = rows.count
        await press(pilot, "j", "enter")
        opened, following = inbox(pilot).open_row, rows.row_at(2)
        await press(pilot, "u")
        assert inbox(pilot).open_row.conversation_id == following.conversation_id
        await wait_for(pilot, lambda: opened.conversation_id not in listed(rows))
        await press(pilot, "dollar_sign", "dollar_sign")
        await wait_for(pilot, lambda: rows.loaded and rows.count == unread - 1)
        assert following.conversation_id in listed(rows)
        assert opened.conversation_id not in listed(rows)


async def test_unread_only_pressed_keeps_the_open_conversation_listed(world: World) -> None:
    """``U`` with a read conversation open: it stays listed, its thread shown (it went
    from the list); another opened, it leaves."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await wait_for(pilot, lambda: rows.loaded)
        read = next(i for i in range(rows.count) if rows.row_at(i).unread_count == 0)
        await press(pilot, *["j"] * read, "enter")
        opened = inbox(pilot).open_row
        assert opened is not None and opened.unread_count == 0
        await press(pilot, "U")
        await wait_for(pilot, lambda: rows.loaded and inbox(pilot).flt.unread_only)
        await settle(pilot)
        assert opened.conversation_id in listed(rows)
        assert rows.cursor_row is not None
        assert rows.cursor_row.conversation_id == opened.conversation_id
        await press(pilot, "u")
        await wait_for(pilot, lambda: opened.conversation_id not in listed(rows))


def title_count(rows) -> int:  # noqa: ANN001 - a ConversationList
    """The count on the list's title: ``Inbox  12 · unread``."""
    return int(str(rows.border_title).split()[1].replace(",", ""))


async def test_the_unread_list_title_counts_with_the_status_bar(world: World) -> None:
    """QA: the list's title kept the old count while the status bar had the new one,
    until the list was read again for something else: a conversation opened (read)
    or marked unread changed the unread count without a reload. Both count the same
    unread conversations after each change: opened, messages delivered, marked unread."""
    app = world.app()  # no jobs: the test polls
    async with app.run_test(size=(120, 36)) as pilot:
        rows, writers = await unread_only(pilot, 3)
        before = app.status.unread

        await press(pilot, "enter")
        await settle(pilot)
        assert app.status.unread == before - 1
        assert title_count(rows) == app.status.unread

        for writer in writers:
            world.sim.add_inbound_message(writer, "you there?")
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await settle(pilot)
        assert app.status.unread == before + 2
        assert title_count(rows) == app.status.unread

        await press(pilot, "M")
        await settle(pilot)
        assert app.status.unread == before + 3
        assert title_count(rows) == app.status.unread
