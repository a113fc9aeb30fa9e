"""The inbox acts on the fan the chatter is looking at: the keys that act on a fan go
to the open conversation (after a reply the cursor keeps its line, on another fan), ``u``
goes to the highlighted unread one, and the open conversation's header follows what
syncs (a tip's spend)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ofcrm_tui.core import sync, team
from ofcrm_tui.jobs.events import MessagesSent, PollCompleted
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, lines, press, settle, type_text

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_after_a_reply_moves_its_row_the_fan_keys_act_on_the_open_fan(
    world: World, size: tuple[int, int]
) -> None:
    """In the activity order a reply sent moves its conversation to the top while the
    cursor keeps its line (on the next fan): ``i``, ``@`` and "assign to me" from the
    list still act on the conversation shown, not the row now under the cursor."""
    from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
    from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen

    world.context.settings = world.context.settings.model_copy(update={"inbox_order": "activity"})
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "j", "j", "j", "enter", "r")
        screen = inbox(pilot)
        opened = screen.open_row
        assert opened.conversation_id == rows.row_at(3).conversation_id
        await type_text(pilot, "see you at 8")
        await press(pilot, "ctrl+s")
        report = await asyncio.to_thread(world.drain)
        app.job_event(MessagesSent(world.account.id, tuple(report.sent)))
        await settle(pilot)
        await press(pilot, "escape")  # back to the list
        assert screen.focused is rows
        # The row replied to went to the top; the cursor kept its line, on another fan.
        assert rows.row_at(0).conversation_id == opened.conversation_id
        assert rows.cursor == 3
        other = rows.cursor_row
        assert other.conversation_id != opened.conversation_id
        assert screen.open_row.conversation_id == opened.conversation_id

        await press(pilot, "i")
        assert isinstance(pilot.app.screen, FanDetailScreen)
        assert pilot.app.screen.fan_id == opened.fan_id
        await press(pilot, "escape", "at")
        assert isinstance(pilot.app.screen, ChoiceDialog)
        assert pilot.app.screen.title_text == f"Assign {opened.display_name} to"
        await press(pilot, "escape")
        await pilot.app.run_action("screen.assign_me")
        await settle(pilot)
        db, account = world.context.db, world.account.id
        owners = team.owners_of(db, account, [opened.conversation_id, other.conversation_id])
        assert {c: o.chatter for c, o in owners.items()} == {opened.conversation_id: "tester"}
        # The cursor was left where it was: j goes on down the list.
        assert rows.cursor == 3


async def test_u_with_a_conversation_open_goes_to_the_highlighted_unread_one(
    world: World,
) -> None:
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        unread = [i for i in range(1, rows.count)
                  if rows.row_at(i) is not None and rows.row_at(i).unread_count]
        assert len(unread) >= 2
        first, second = (rows.row_at(i) for i in unread[:2])
        await press(pilot, "enter")  # the first conversation is open
        await press(pilot, *["j"] * unread[0])
        assert rows.cursor_row.conversation_id == first.conversation_id
        await press(pilot, "u")  # the highlighted one is unread: that one, not the next
        assert inbox(pilot).open_row.conversation_id == first.conversation_id
        await press(pilot, "u")  # the highlighted one is open now: the next one below
        assert inbox(pilot).open_row.conversation_id == second.conversation_id


async def test_the_open_conversations_header_shows_a_tip_synced_while_it_is_open(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sync, "TRANSACTIONS_EVERY", timedelta(0))  # this poll reads them
    app = world.app()  # no jobs: the poll's event is posted as the scheduler would
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        opened = inbox(pilot).open_row
        header = inbox(pilot).query_one(ThreadHeader)
        before = opened.total_spent_cents
        assert f"spent {format_cents(before)}" in "".join(lines(header))

        world.sim.add_inbound_message(opened.platform_user_id, "for you", tip_cents=2500)
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await settle(pilot)
        assert header.row.total_spent_cents == before + 2500
        assert f"spent {format_cents(before + 2500)}" in "".join(lines(header))
        assert inbox(pilot).open_row.total_spent_cents == before + 2500
