"""What the inbox keeps across the ways back to it: the account open picked again, a
conversation opened from another screen (Failed) under unread only, and ``R`` on the
list for the open thread's failed reply."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.widgets._footer import FooterKey

from ofcrm_tui.store.models import Conversation, Fan
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from tests.tui.conftest import World
from tests.tui.failed_pilot import _failed, _notes, _states, open_failed
from tests.tui.pilot import conversations, inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_picking_the_account_already_open_changes_nothing(world: World) -> None:
    """``A`` then Enter on the account open closed the conversation and sent the list
    back to its top."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "enter", "j")
        opened = inbox(pilot).open_row
        assert opened is not None
        await press(pilot, "A")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")
        assert app.account.id == world.account.id
        assert inbox(pilot).open_row == opened
        assert conversations(pilot).cursor == 3


def _read_fan(world: World, *, status: str, spent: bool) -> tuple[int, int]:
    """A fan of ``status`` who has spent (or not), their conversation read: (fan,
    conversation)."""
    spend = Fan.total_spent_cents > 0 if spent else Fan.total_spent_cents == 0
    with world.context.db.write() as session:
        fan_id, conversation_id = session.execute(
            select(Fan.id, Conversation.id).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == world.account.id, Fan.subscription_status == status, spend)
            .order_by(Fan.id).limit(1)).one()
        session.execute(update(Conversation).where(Conversation.id == conversation_id)
                        .values(unread_count=0))
    return fan_id, conversation_id


async def _open_from_failed(pilot, conversation_id: int) -> None:  # noqa: ANN001
    await open_failed(pilot)
    await press(pilot, "enter")
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "open_row", None) is not None)
    assert inbox(pilot).open_row.conversation_id == conversation_id


async def test_a_conversation_opened_from_failed_keeps_unread_only(world: World) -> None:
    """With unread only on, Enter on a failed message opened its conversation in the
    whole inbox, the filter dropped without a word: it is listed through ``keep``."""
    fan_id, conversation_id = _read_fan(world, status="active", spent=True)
    _failed(world, fan_id)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "U", "dollar_sign", "a")  # none of them hides the fan but unread
        shown = len(_notes(app))
        await _open_from_failed(pilot, conversation_id)
        screen = inbox(pilot)
        assert screen.flt.unread_only and screen.flt.purchased_only
        assert screen.flt.status == "active" and screen.flt.keep == conversation_id
        listing = conversations(pilot)
        assert listing.cursor_row.conversation_id == conversation_id
        assert "unread" in str(listing.border_title) + str(listing.border_subtitle)
        assert _notes(app)[shown:] == []  # nothing was cleared


async def test_the_filters_that_hide_it_are_cleared_and_named(world: World) -> None:
    fan_id, conversation_id = _read_fan(world, status="expired", spent=False)
    _failed(world, fan_id)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "U", "dollar_sign", "a")  # active: the fan is expired
        await _open_from_failed(pilot, conversation_id)
        screen = inbox(pilot)
        assert screen.flt.unread_only and screen.flt.keep == conversation_id
        assert not screen.flt.purchased_only and screen.flt.status is None
        name = screen.open_row.display_name
        assert f"Filters cleared to show {name}: purchased, active" in _notes(app)
        assert conversations(pilot).cursor_row.conversation_id == conversation_id


def _footer(app) -> dict[str, str]:  # noqa: ANN001
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def test_R_on_the_list_retries_the_open_threads_failed_reply(world: World) -> None:
    """With the focus on the list, ``R`` did nothing and nothing said why: only the
    thread's footer named it."""
    fan_id, conversation_id = _read_fan(world, status="active", spent=True)
    outbound_id = _failed(world, fan_id)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_from_failed(pilot, conversation_id)
        assert app.screen.focused is conversations(pilot)
        await wait_for(pilot, lambda: _footer(app).get("R") == "Retry failed")
        await press(pilot, "R")
        assert _states(world, [outbound_id]) == ["queued"]
        await wait_for(pilot, lambda: "R" not in _footer(app))

        shown = len(_notes(app))
        await press(pilot, "R")  # nothing failed in it now
        assert _notes(app)[shown:] == ["Nothing failed in this conversation"]
