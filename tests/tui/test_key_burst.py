"""Keys that arrive in one burst (a laggy link, a fast typist, tmux ``send-keys``) are
read before the app has acted on the ones ahead of them. Enter and ``r`` act as they
are read, so what follows them is the reply, never list keys (``o`` reorders the list,
``a`` filters it...)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from ofcrm_tui.core.inbox import drafts
from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import burst, conversations, inbox, press, settle, thread, type_text

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



async def test_send_pressed_twice_fast_queues_the_reply_once(world: World) -> None:
    """ctrl+s ctrl+s: the second waits for the first's outcome and finds the box empty
    (it queued the reply twice); the keys after it go on into the empty box."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "enter", "r", *"thanks babe", "ctrl+s", "ctrl+s", *"next")
        await settle(pilot)
        assert [m.text for m in thread(pilot).pending] == ["thanks babe"]
        assert inbox(pilot).query_one(Composer).text == "next"


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
        assert [n.message for n in app._notifications] == ["Open a conversation first (⏎)"]
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


# -- Esc and the next key read as one alt+<key> ----------------------------------------


async def test_escape_j_j_enter_from_the_reply_box_in_one_burst(world: World) -> None:
    """The terminal reads Esc j as one ``alt+j``: Esc leaves the reply box, then both
    j's move the list and Enter opens the third conversation; the reply keeps its text."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        first, third = conversations(pilot).row_at(0), conversations(pilot).row_at(2)
        await press(pilot, "enter", "r")
        await type_text(pilot, "hello")
        burst(app, "alt+j", "j", "enter")
        await settle(pilot)
        screen = inbox(pilot)
        assert app.focused is screen.conversations
        assert screen.open_row is not None
        assert screen.open_row.conversation_id == third.conversation_id
    draft = drafts.load_draft(world.context.db, world.account.id, first.conversation_id,
                              "tester")
    assert draft is not None and draft.text == "hello"


async def test_escape_and_a_key_from_a_dialog_close_it_and_act_below(world: World) -> None:
    """Esc s from the new fan dialog's field: the dialog is closed (nothing created)
    and s sorts the fans; the s is not typed into the field."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "n")
        assert isinstance(app.screen, NewFanDialog)
        await type_text(pilot, "ab")
        fans = app.screen_stack[-2]
        assert isinstance(fans, FansScreen)
        sort = fans.sort
        burst(app, "alt+s")
        await settle(pilot)
        assert app.screen is fans and fans.sort != sort


async def test_an_alt_key_a_keymap_binds_is_that_key(world: World) -> None:
    """Not split: a user's ``[keymap]`` may bind an alt key (Esc would end the search)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.set_keymap({"inbox.order": "alt+o"})
        screen = inbox(pilot)
        burst(app, "slash", *"you", "enter")
        await settle(pilot)
        order = screen.flt.order
        burst(app, "alt+o")
        await settle(pilot)
        assert screen.flt.order != order and screen.flt.query == "you"


async def test_a_slash_and_an_at_type_in_the_boxes_of_a_screen_of_priority_keys(
        world: World) -> None:
    """``/`` searched again and ``@`` assigned the conversation instead of typing (Textual
    finds no character for those key names)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "enter", "r", "a", "at", "slash", "b")
        await settle(pilot)
        screen = inbox(pilot)
        assert app.screen is screen and screen.query_one(Composer).text == "a@/b"
        burst(app, "escape", "slash", "a", "at", "slash", "b")
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#search", Input).value == "a@/b"


@pytest.mark.parametrize(("key", "box"), [("ctrl+o", "#offer-price"), ("ctrl+r", Input)])
async def test_keys_after_one_that_opens_a_dialog_go_to_the_dialog(
    world: World, key: str, box: object
) -> None:
    """ctrl+o 1 5 in one burst is a price of 15 in the price dialog: the 15 went into
    the reply to the fan (and ctrl+r's filter letters too)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await type_text(pilot, "hi")
        reply = inbox(pilot).query_one(Composer)
        burst(app, key, "1", "5")
        await settle(pilot)
        assert reply.text == "hi"
        assert app.screen.query_one(box, Input).value == "15"


async def test_a_text_box_acts_on_its_own_keys_in_the_order_typed(world: World) -> None:
    """Backspace and ctrl+u typed in a burst act where they were typed, not after the
    letters behind them (``a b backspace c d`` gave ``abc``)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        reply = inbox(pilot).query_one(Composer)
        burst(app, "Z", "a", "b", "backspace", "c", "d")
        await settle(pilot)
        assert reply.text == "Zacd"
        await press(pilot, "escape")
        burst(app, "slash", "a", "b", "ctrl+u", "c", "d")
        await settle(pilot)
        assert inbox(pilot).query_one("#search", Input).value == "cd"


async def test_a_dialogs_text_box_too(world: World) -> None:
    """The fan filter's fields are such boxes: ``e ctrl+u f g`` is ``fg``."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "f")
        burst(app, "e", "ctrl+u", "f", "g")
        await settle(pilot)
        assert app.screen.query_one("#fan-filter-tags-in", Input).value == "fg"


async def test_tab_in_a_burst_moves_the_letters_behind_it_to_the_next_field(world: World) -> None:
    """``user Tab Name`` typed fast filled the first field with ``userName``."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "n")
        assert isinstance(app.screen, NewFanDialog)
        burst(app, *"user", "tab", *"Name", "tab", *"nick")
        await settle(pilot)
        values = [app.screen.query_one(f"#fan-new-{f}", Input).value
                  for f in ("username", "name", "nickname")]
        assert values == ["user", "Name", "nick"]
