"""Keys that arrive in one burst (a laggy link, a fast typist, tmux ``send-keys``) are
read before the app has acted on the ones ahead of them. Enter and ``r`` act as they
are read, so what follows them is the reply, never list keys (``o`` reorders the list,
``a`` filters it...)."""

from __future__ import annotations

import pytest

from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import burst, conversations, inbox, press, settle, thread

pytestmark = pytest.mark.anyio

async def test_enter_r_and_a_reply_in_one_burst_reach_the_reply_box(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first = conversations(pilot).row_at(0)
        screen = inbox(pilot)
        order = screen.flt.order
        burst(app, "enter", "r", *"oh a reply", "enter", *"today", "ctrl+s")
        await settle(pilot)
        assert screen.open_row is not None
        assert screen.open_row.conversation_id == first.conversation_id
        assert screen.flt.order == order and screen.flt.status is None  # no o, no a
        assert [m.text for m in thread(pilot).pending] == ["oh a reply\ntoday"]
        assert app.focused is screen.query_one(Composer)
        assert screen.query_one(Composer).text == ""


async def test_moves_before_enter_in_a_burst_come_first(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        third = conversations(pilot).row_at(2)
        burst(app, "j", "j", "enter", "r", *"third")
        await settle(pilot)
        screen = inbox(pilot)
        assert screen.open_row is not None
        assert screen.open_row.conversation_id == third.conversation_id
        assert screen.query_one(Composer).text == "third"


async def test_r_in_a_burst_after_moving_replies_to_the_open_conversation(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        opened = inbox(pilot).open_row
        assert opened is not None
        burst(app, "j", "r", *"just you")
        await settle(pilot)
        composer = inbox(pilot).query_one(Composer)
        assert composer.text == "just you"
        assert composer.target is not None
        assert composer.target.fan.conversation_id == opened.conversation_id


async def test_r_with_nothing_open_still_says_so(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "r", *"xy")
        await settle(pilot)
        assert [n.message for n in app._notifications] == ["Open a conversation first (enter)"]
        assert inbox(pilot).query_one(Composer).text == ""


async def test_a_search_typed_in_one_burst_searches_for_all_of_it(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        order = screen.flt.order
        burst(app, "a", "slash", *"you", "enter")
        await settle(pilot)
        assert screen.flt.query == "you" and screen.flt.order == order  # no o
        assert screen.flt.status == "active"  # the a before the search, not after
        assert app.focused is screen.conversations
        burst(app, "tab", *"kk", "shift+tab", "j")
        await settle(pilot)
        assert app.focused is screen.conversations and screen.conversations.cursor == 1
