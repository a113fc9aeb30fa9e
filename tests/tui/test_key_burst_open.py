"""Keys read behind a key that opens a conversation later (``u`` reads the next unread
in a worker, ``c`` on a fan shows the inbox and lists it, a search's Enter, Enter on a
row whose page is not in) wait until it is open: a reply typed in the same burst goes
to the fan on screen, never to the conversation open before."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from ofcrm_tui.core import inbox as core_inbox
from ofcrm_tui.core.fans.listing import FanRow
from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.store.models import Conversation, OutboundMessage
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import burst, conversations, inbox, let_go, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _queued(world: World) -> list[tuple[int, str]]:
    """The fans and texts of the messages queued, oldest first."""
    with world.context.db.read() as session:
        return [tuple(row) for row in session.execute(
            select(OutboundMessage.fan_id, OutboundMessage.text).order_by(OutboundMessage.id))]


def _unread_ids(world: World) -> set[int]:
    with world.context.db.read() as session:
        return set(session.scalars(select(Conversation.id).where(
            Conversation.account_id == world.account.id, Conversation.unread_count > 0)))


@pytest.mark.parametrize("lookup_seconds", [0.0, 1.5])
async def test_a_reply_typed_right_behind_u_goes_to_the_next_unread_fan(
    world: World, monkeypatch: pytest.MonkeyPatch, lookup_seconds: float
) -> None:
    """Also when the lookup is slow: the keys held for a dialog go on after a second (it
    was refused), those held for a conversation on its way wait for it longer."""
    looked_up = core_inbox.next_unread

    def next_unread(*args: object, **kwargs: object) -> object:
        time.sleep(lookup_seconds)
        return looked_up(*args, **kwargs)

    monkeypatch.setattr(core_inbox, "next_unread", next_unread)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        await press(pilot, "u")
        first = screen.open_row
        assert first is not None
        burst(app, "u", "r", *"via u", "ctrl+s")
        await let_go(pilot)
        second = screen.open_row
        assert second is not None and second.conversation_id != first.conversation_id
        assert _queued(world) == [(second.fan_id, "via u")]
        assert screen.query_one(Composer).text == ""


async def test_u_pressed_five_times_in_a_burst_opens_five_unread(world: World) -> None:
    """Each ``u`` goes on from the one the ``u`` before opened (each read the next
    unread from the same row, cancelling the lookup before it: one was read)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = _unread_ids(world)
        assert len(before) > 5
        burst(app, *"uuuuu")
        await let_go(pilot)
        assert len(before - _unread_ids(world)) == 5


async def test_a_reply_typed_right_behind_c_on_fans_goes_to_that_fan(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the inbox's first conversation open
        opened = inbox(pilot).open_row
        await press(pilot, "3")
        fans = app.screen
        assert isinstance(fans, FansScreen)
        await wait_for(pilot, lambda: fans.fans.loaded and fans.fans.counted)
        await press(pilot, "j", "j", "j")
        fan = fans.fans.cursor_row
        assert fan is not None and fan.fan_id != opened.fan_id
        burst(app, "c", "r", *"via c", "ctrl+s")
        await let_go(pilot)
        assert inbox(pilot).open_row.fan_id == fan.fan_id
        assert _queued(world) == [(fan.fan_id, "via c")]


async def _highlight_another_fan(pilot: Pilot[object], opened: ConversationRow) -> FanRow:
    """The fans screen, its cursor on a fan with a conversation other than ``opened``'s
    whom a reply can go to (``i`` in the inbox acts on the open conversation: the other
    fan is reached here)."""
    await press(pilot, "3")
    fans = pilot.app.screen
    assert isinstance(fans, FansScreen)
    await wait_for(pilot, lambda: fans.fans.loaded and fans.fans.counted)
    rows = [fans.fans.row_at(n) for n in range(fans.fans.count)]
    index = next(n for n, row in enumerate(rows) if row.conversation_id is not None
                 and row.subscription_status == "active" and row.fan_id != opened.fan_id)
    await press(pilot, *["j"] * index)
    return fans.fans.cursor_row


async def test_a_reply_typed_right_behind_c_on_a_fan_goes_to_that_fan(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the first conversation open
        opened = inbox(pilot).open_row
        other = await _highlight_another_fan(pilot, opened)
        await press(pilot, "enter")
        assert isinstance(app.screen, FanDetailScreen)
        fan_id = app.screen.fan_id
        assert fan_id == other.fan_id != opened.fan_id
        burst(app, "c", "r", *"via detail", "ctrl+s")
        await let_go(pilot)
        assert inbox(pilot).open_row.fan_id == fan_id
        assert _queued(world) == [(fan_id, "via detail")]


async def test_a_reply_typed_right_behind_a_search_goes_to_its_match(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        await press(pilot, "enter")  # the first conversation open
        opened, fourth = screen.open_row, conversations(pilot).row_at(3)
        name = fourth.username  # one fan's
        burst(app, "slash", *name, "enter", "r", *"via search", "ctrl+s")
        await let_go(pilot)
        match = screen.open_row
        assert screen.flt.query == name and match is not None
        assert match.fan_id == fourth.fan_id != opened.fan_id
        assert _queued(world) == [(match.fan_id, "via search")]


async def test_a_reply_typed_behind_enter_on_a_row_not_read_yet_goes_to_it(world: World, small_pages: int) -> None:
    """``G enter r …``: the last row's page is read after Enter, which opens it then."""
    app = world.app()
    async with app.run_test(size=(120, 16)) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        await press(pilot, "enter")
        opened = screen.open_row
        burst(app, "G", "enter", "r", *"the last", "ctrl+s")
        await let_go(pilot)
        last = conversations(pilot).row_at(conversations(pilot).count - 1)
        # (By id: the open row and the list's are read apart, the draft's mark between.)
        assert screen.open_row.conversation_id == last.conversation_id
        assert last.fan_id != opened.fan_id
        assert _queued(world) == [(last.fan_id, "the last")]



async def test_keys_behind_enter_on_a_fan_not_read_yet_wait_for_its_screen(world: World, small_pages: int) -> None:
    """Any list: ``G enter c`` on the fans opens the last fan (with a conversation),
    then its conversation (``c`` acted on the list first: no fan there yet, then the
    fan's screen came up)."""
    app = world.app()
    async with app.run_test(size=(120, 16)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        fans = app.screen
        assert isinstance(fans, FansScreen)
        await wait_for(pilot, lambda: fans.fans.loaded and fans.fans.counted)
        rows = fans.fans.source.window(0, fans.fans.count, None)
        back, last = next((n, row) for n, row in enumerate(reversed(rows))
                          if row.conversation_id is not None)
        assert fans.fans.row_at(fans.fans.count - 1) is None  # its page not read
        burst(app, "G", *"k" * back, "enter", "c")
        # Keys held are let go on a timer, which settling does not wait for.
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen)
                       and app.screen.open_row is not None)
        assert inbox(pilot).open_row.fan_id == last.fan_id


async def test_a_reply_typed_behind_c_before_the_fan_is_read_goes_to_that_fan(
    world: World,
) -> None:
    """``enter c r …`` on the fans screen in one burst: ``c`` waits for the fan to be
    read, and the keys behind it with it (they acted on the fan's screen: ``a`` of the
    text asked for a note); the reply goes to that fan, not the one open in the inbox."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        opened = inbox(pilot).open_row
        other = await _highlight_another_fan(pilot, opened)
        burst(app, "enter", "c", "r", *"via a fan", "ctrl+s")
        await let_go(pilot)
        assert inbox(pilot).open_row.fan_id == other.fan_id != opened.fan_id
        assert _queued(world) == [(other.fan_id, "via a fan")]
