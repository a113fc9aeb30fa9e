"""Keys typed in one burst at the question a conversation owned by another chatter asks:
taking it, a reply typed on kept and never an answer, the letters read before it
shown as kept, a paste, Esc, and the question asked again once it changes hands."""

from __future__ import annotations

import pytest
from textual import events

from ofcrm_tui.core import team
from ofcrm_tui.tui import keymap
from ofcrm_tui.tui.dialogs.owned import OwnedDialog
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets import composer as composer_module
from ofcrm_tui.tui.widgets.composer import TYPED_EVERY_SECONDS
from tests.tui.burst_dialogs import SIZE
from tests.tui.conftest import NOW, World
from tests.tui.pilot import TwiceClock, burst, composer, conversations, inbox, let_go, press, settle


pytestmark = pytest.mark.anyio


async def _owned_open(world: World, pilot) -> InboxScreen:  # noqa: ANN001
    """The first conversation belongs to sam; it is open and its reply asked about."""
    await settle(pilot)
    row = conversations(pilot).row_at(0)
    team.assign(world.context.db, world.account.id, row.conversation_id, "sam", by="sam",
                now=NOW)
    screen = inbox(pilot)
    screen._refresh_list()  # noqa: SLF001
    await settle(pilot)
    await press(pilot, "enter", "r")
    assert isinstance(pilot.app.screen, OwnedDialog)
    return screen


async def test_keys_after_taking_a_conversation_are_the_reply(world: World) -> None:
    """ctrl+t takes the conversation and goes into the reply: the letters typed behind it
    acted on the inbox (o reordered the list) before the reply's focus came."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _owned_open(world, pilot)
        order = screen.flt.order
        burst(app, "ctrl+t", *"hello")
        await settle(pilot)
        assert screen.flt.order == order
        assert app.focused is composer(pilot) and composer(pilot).text == "hello"
        assert _owner(world, screen) == "tester"


def _owner(world: World, screen: InboxScreen) -> str | None:
    assert screen.open_row is not None
    conversation = screen.open_row.conversation_id
    owner = team.owners_of(world.context.db, world.account.id, [conversation]).get(conversation)
    return owner.chatter if owner else None


def _kept(dialog: OwnedDialog) -> str:
    line = dialog.query_one("#owned-typed")
    return str(line.render()) if line.display else ""


@pytest.mark.parametrize(("answer", "owner", "typing"), [
    (("ctrl+g",), "sam", True),
    (("ctrl+t",), "tester", True),
    (("tab", "enter"), "sam", True),  # the first button: "Reply anyway"
    (("right", "right", "enter"), "tester", True),  # "Take it"
    (("escape",), "sam", False),  # leave it: the reply stays as the draft
])
async def test_a_reply_typed_on_after_a_pause_is_kept_not_an_answer(
    world: World, answer: tuple[str, ...], owner: str, typing: bool
) -> None:
    """r in a conversation sam owns puts the question up as the chatter starts typing:
    "thanks", a pause, then " to you" lost its space and its t took the conversation
    over. Every letter typed while the question is up, however long after it came, is
    kept, shown, and goes into the reply; only ctrl+g, ctrl+t, Esc or a button answer."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _owned_open(world, pilot)
        for key in "thanks":
            await pilot.press(key)
        # A pause: the app idle since (the burst over), long after the question came.
        # No clock in this path: waiting for it to be idle, not a fixed 0.8 s a case.
        await let_go(pilot)
        await press(pilot, "space", *"to", "backspace", "o", "enter", *"you")
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog) and dialog.typed == "thanks to\nyou"
        assert _owner(world, screen) == "sam"
        assert "Kept for your reply: thanks to you" in _kept(dialog)
        await press(pilot, *answer)
        await settle(pilot)
        assert app.screen is screen and (app.focused is composer(pilot)) == typing
        assert composer(pilot).text == "thanks to\nyou"
        await settle(pilot)
        assert _owner(world, screen) == owner


async def test_a_keymap_giving_the_questions_answers_a_typed_key_is_refused(
    world: World
) -> None:
    """``[keymap]`` owned.reply = "g" would make g, a letter of the reply, the answer
    (or a key that never answers, the dialog keeping it): refused at load in one line
    naming the id, the default kept; a ctrl key or a binding elsewhere is applied."""
    world.context.settings.keymap.update({
        "owned.reply": "g", "owned.take": "ctrl+y,shift+t", "owned.cancel": "space",
        "owned.next": "ctrl+n", "inbox.order": "O",
    })
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]  # noqa: SLF001
        for refused, default in (("owned.reply", "ctrl+g"), ("owned.take", "ctrl+t"),
                                 ("owned.cancel", "escape")):
            line = next(line for line in said if f"[keymap] {refused} = " in line)
            assert line.endswith(f"takes every key a reply types; {default} kept")
            assert "\n" not in line
        assert not any("owned.next" in line or "inbox.order" in line for line in said)
        screen = await _owned_open(world, pilot)
        await press(pilot, *"go", "space", "T")
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog) and dialog.typed == "go T"
        await press(pilot, "ctrl+g")
        await settle(pilot)
        assert app.screen is screen and composer(pilot).text == "go T"
        assert _owner(world, screen) == "sam"


def test_keys_that_type() -> None:
    for key in ("g", "G", "shift+g", "space", "minus", "full_stop", "1", "ü", "enter",
                "backspace", "question_mark"):
        assert keymap.types(key), key
    for key in ("ctrl+g", "alt+g", "escape", "tab", "up", "f5", "delete", "home", "ctrl+t"):
        assert not keymap.types(key), key


async def test_keys_read_before_the_question_are_shown_as_kept(world: World) -> None:
    """The reply box had the focus when sam took the conversation: the keys typed
    landed in the box before the question came. The question says they are kept, as it
    does for the keys it takes itself."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", *"thanks")
        screen = inbox(pilot)
        assert screen.open_row is not None and app.focused is composer(pilot)
        conversation_id = screen.open_row.conversation_id
        team.assign(world.context.db, world.account.id, conversation_id, "sam", by="sam",
                    now=NOW)
        screen._owner_shown(conversation_id, "sam")  # noqa: SLF001
        screen._check_owner()  # noqa: SLF001  (as the box's next key, or its focus, asks)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog) and dialog.typed == ""
        assert "Kept for your reply: thanks" in _kept(dialog)
        await press(pilot, *" you", "ctrl+g")
        assert app.focused is composer(pilot) and composer(pilot).text == "thanks you"


async def test_the_first_key_typed_asks_and_the_letters_behind_it_are_kept(
    world: World,
) -> None:
    """The reply box had the focus when sam took the conversation: the first letter
    typed asks, and the letters typed behind it, which the question took, stay the
    reply's."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        screen = inbox(pilot)
        assert screen.open_row is not None and app.focused is composer(pilot)
        conversation_id = screen.open_row.conversation_id
        team.assign(world.context.db, world.account.id, conversation_id, "sam", by="sam",
                    now=NOW)
        screen._owner_shown(conversation_id, "sam")  # noqa: SLF001
        for key in "thanks":  # each read once the one before is done, as typed
            await pilot.press(key)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog)
        assert "Kept for your reply: thanks" in _kept(dialog)
        await press(pilot, "ctrl+g")
        assert app.focused is composer(pilot) and composer(pilot).text == "thanks"
        assert _owner(world, screen) == "sam"


async def test_a_paste_while_the_question_is_up_is_kept(world: World) -> None:
    """A paste read while the question was up went nowhere (no field takes it)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _owned_open(world, pilot)
        await press(pilot, "h")
        app.post_message(events.Paste("ey there"))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog) and dialog.typed == "hey there"
        await press(pilot, "ctrl+g")
        assert app.screen is screen and composer(pilot).text == "hey there"


async def test_esc_leaves_and_what_was_typed_stays_as_the_draft(world: World) -> None:
    """Esc answers at once, in its place behind the letters typed before it: they stay
    in the reply box, the chatter out of it."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _owned_open(world, pilot)
        burst(app, *"hi", "escape")
        await settle(pilot)
        assert app.screen is screen and app.focused is not composer(pilot)
        assert composer(pilot).text == "hi" and _owner(world, screen) == "sam"


async def test_replying_anyway_asks_again_once_the_conversation_changes_hands(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"Reply anyway" was remembered for the conversation whoever owned it: given to kim
    afterwards, the chatter's next letters went into kim's conversation unasked."""
    clock = TwiceClock(monkeypatch, also=(composer_module,))  # the box's, not real waits
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _owned_open(world, pilot)
        await press(pilot, "ctrl+g", "h")
        clock.advance(TYPED_EVERY_SECONDS)  # the box tells of the next key typed
        await press(pilot, "e")
        assert app.screen is screen and composer(pilot).text == "he"  # still sam's: not asked
        assert screen.open_row is not None
        conversation_id = screen.open_row.conversation_id
        team.assign(world.context.db, world.account.id, conversation_id, "kim", by="kim",
                    now=NOW)
        screen._owner_shown(conversation_id, "kim")  # noqa: SLF001  (as a beat reads it)
        clock.advance(TYPED_EVERY_SECONDS)
        await press(pilot, "y")
        dialog = app.screen
        assert isinstance(dialog, OwnedDialog) and dialog.owner == "kim"
        assert "Kept for your reply: hey" in _kept(dialog)
        await press(pilot, "ctrl+g", "!")
        assert app.screen is screen and composer(pilot).text == "hey!"
        screen._owner_shown(conversation_id, "sam")  # noqa: SLF001  back to sam: asked again
        clock.advance(TYPED_EVERY_SECONDS)
        await press(pilot, "?")
        assert isinstance(app.screen, OwnedDialog) and app.screen.owner == "sam"
