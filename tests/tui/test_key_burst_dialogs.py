"""Keys typed right behind the key that opens a dialog, in one burst, act in the dialog
(``test_key_burst.py``): the dialog has its focus where it says before they are read,
and a dialog that comes once a worker has read something holds them until it is there."""

from __future__ import annotations

import itertools
import time
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from textual import events
from textual.widgets import SelectionList, TextArea

from ofcrm_tui.core import inbox as inbox_core
from ofcrm_tui.core import team
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.store.models import Campaign
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.collision import CollisionDialog
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui import keymap
from ofcrm_tui.tui import twice as twice_module
from ofcrm_tui.tui.dialogs.owned import OwnedDialog
from ofcrm_tui.tui.dialogs.quit import QuitDialog
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets import composer as composer_module
from ofcrm_tui.tui.widgets.composer import TYPED_EVERY_SECONDS
from tests.tui.conftest import NOW, World
from tests.tui.pilot import (
    TwiceClock,
    burst,
    composer,
    conversations,
    inbox,
    let_go,
    press,
    settle,
    thread,
    wait_for,
)
from tests.tui.test_key_burst_lists import _fans
from tests.tui.test_quit import queue_reply

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


@pytest.mark.parametrize(("keys", "waiting", "quits"), [
    (("q", "w"), True, False),  # wait for them
    (("enter", "r", "alt+q", "w"), True, False),  # Esc q read as one key, from the reply
    (("q", "tab", "enter"), False, False),  # from "Wait for them" to "Back": stay
    (("q", "escape", "j"), False, False),  # cancel, and j moves the inbox's list
])
async def test_keys_after_q_wait_for_the_quit_dialog(
    world: World, keys: tuple[str, ...], waiting: bool, quits: bool
) -> None:
    """q reads the queue in a worker before it asks: the keys typed behind it acted on
    the inbox (w went nowhere, Enter opened a conversation), not on the dialog."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        burst(app, *keys)
        await settle(pilot)
        assert bool(app._exit) is quits  # noqa: SLF001
        if not quits:
            dialog = app.screen
            if waiting:
                assert isinstance(dialog, QuitDialog) and dialog.waiting_to_quit
            else:
                assert dialog is screen and screen.open_row is None
                assert screen.conversations.cursor == keys.count("j")


async def test_q_twice_in_one_burst_asks_and_stays(world: World) -> None:
    """The second q of a burst never saw the question: it does not quit anyway."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "q", "q")
        await settle(pilot)
        assert isinstance(app.screen, QuitDialog) and not app._exit  # noqa: SLF001
        assert not app.screen.waiting_to_quit


async def test_a_q_typed_into_a_reply_is_a_letter(world: World) -> None:
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "enter", "r", "q", "w")
        await settle(pilot)
        assert app.screen is inbox(pilot) and composer(pilot).text == "qw"


async def test_enter_behind_the_key_that_opens_a_choice_picks_from_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The choices are read in a worker (here a slow one): Enter read before they were
    in picked nothing."""
    known = team.known_chatters

    def slowly(*args: object, **kwargs: object) -> team.Assignees:
        time.sleep(0.3)
        return known(*args, **kwargs)

    monkeypatch.setattr(team, "known_chatters", slowly)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = conversations(pilot).row_at(0)
        burst(app, "enter", "at", "enter")
        await settle(pilot)
        owner = team.owners_of(world.context.db, world.account.id,
                               [row.conversation_id]).get(row.conversation_id)
        assert owner is not None and owner.chatter == "tester"


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


def focus_as_acted(app: OfcrmApp, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The id of what has the focus as each key is acted on."""
    seen: list[str | None] = []
    act = app._act_on_key  # noqa: SLF001

    async def spy(event: events.Key) -> None:
        seen.append(app.focused.id if app.focused else None)
        await act(event)

    monkeypatch.setattr(app, "_act_on_key", spy)
    return seen


async def test_keys_after_q_find_the_quit_dialogs_focus_on_wait(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys held for the dialog are let go once it is mounted, all together: its
    ``focus()`` came a turn after them, and they found "Quit anyway" focused."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = focus_as_acted(app, monkeypatch)
        burst(app, "q", "tab")
        await settle(pilot)
        assert seen == ["conversations", "quit-wait"]


@pytest.mark.parametrize(("dialog", "focused"), [
    (lambda: OwnedDialog("sam", "Lena"), None),  # no button: Enter is the reply's
    (lambda: CollisionDialog(team.Collision([], ["sam"], NOW), "Lena", NOW), "collision-keep"),
])
async def test_keys_read_as_a_dialog_comes_find_its_focus_on_its_safe_button(
    world: World, monkeypatch: pytest.MonkeyPatch, dialog, focused: str | None,  # noqa: ANN001
) -> None:
    """Keys read before the dialog's ``on_mount`` (where it puts its focus) wait for it:
    they found the first button, that Textual focuses before, focused ("Reply anyway",
    "Send anyway")."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = focus_as_acted(app, monkeypatch)
        app.push_screen(dialog())
        burst(app, "tab")
        await settle(pilot)
        assert seen == [focused]


async def test_keys_after_keeping_a_reply_as_a_draft_are_more_of_it(world: World) -> None:
    """d keeps the reply: the letters typed behind it went to the dialog's button."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        burst(app, *"hi")
        await settle(pilot)
        app.push_screen(CollisionDialog(team.Collision([], ["sam"], NOW), "Lena", NOW))
        await settle(pilot)
        burst(app, "d", *" there")
        await settle(pilot)
        assert app.screen is inbox(pilot) and composer(pilot).text == "hi there"


async def test_a_note_picked_and_edited_in_one_burst(world: World) -> None:
    """e (which note?), Enter (this one), then the words added and ctrl+s: Enter and the
    letters behind it went to the list of notes before the choices were in."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _notes_of_the_top_fan(world, pilot)
        burst(app, "e", "enter", *" too", "ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        await wait_for(pilot, lambda: [n.body for n in detail.notes]
                       == ["likes cats too", "older"])


@pytest.mark.parametrize("move", ["j", "down", "end"])
async def test_the_moves_before_enter_in_a_choice_come_first(world: World, move: str) -> None:
    """Enter picks as it is read: the moves typed before it act before it too."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        fan_id = conversations(pilot).row_at(0).fan_id
        edits.add_tags(world.context.db, world.account.id, fan_id, ["cats", "dogs", "vip"])
        tags = inbox_core.tags(world.context.db, world.account.id)
        burst(app, "t", move, "enter")
        await settle(pilot)
        screen = inbox(pilot)
        assert app.screen is screen
        assert screen.flt.tag == (tags[-1] if move == "end" else tags[0])


async def test_a_period_typed_in_one_burst(world: World) -> None:
    """Enter in the first day goes on to the last day as it is read: the last day typed
    behind it went into the first (Enter moved the focus once that field had read them)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        screen = app.screen
        assert isinstance(screen, FailedScreen)
        burst(app, "p", "ctrl+u", *"2026-11-01", "enter", "ctrl+u", *"2026-11-05", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.chosen is not None
        assert (screen.chosen.first_day, screen.chosen.last_day) == (date(2026, 11, 1),
                                                                    date(2026, 11, 5))


async def test_enter_behind_ctrl_r_picks_a_saved_reply(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saved replies are read in a worker (here a slow one): Enter read before they
    were in picked nothing."""
    saved_replies.create_reply(world.context.db, world.account.id, "thanks", "Thank you!")
    listed = saved_replies.list_replies

    def slowly(*args: object, **kwargs: object) -> list[saved_replies.SavedReply]:
        time.sleep(0.3)
        return listed(*args, **kwargs)

    monkeypatch.setattr(saved_replies, "list_replies", slowly)
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        burst(app, "ctrl+r", *"than", "enter")
        await settle(pilot)
        assert app.screen is inbox(pilot) and composer(pilot).text == "Thank you!"


async def test_a_new_saved_reply_typed_in_one_burst(world: World) -> None:
    """Enter in its name goes on to its text as it is read (the text went into the name)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+r")
        burst(app, "ctrl+n", *"hi", "enter", "ctrl+u", *"Hello!", "enter", *"Bye", "ctrl+s")
        await settle(pilot)
        replies = saved_replies.list_replies(world.context.db, world.account.id)
        assert [(r.name, r.body) for r in replies] == [("hi", "Hello!\nBye")]



@pytest.mark.parametrize("acted_slowly", [False, True])
async def test_a_second_confirming_key_read_as_a_dialog_closes_is_dropped(
    world: World, monkeypatch: pytest.MonkeyPatch, acted_slowly: bool
) -> None:
    """ctrl+s ctrl+s on the price dialog: the first applies the offer, the second (the
    same press twice) does not reach the reply box under it, which sent the priced
    message unreviewed. ``acted_slowly``: a loaded machine (CI) acted on the two more
    than ``REVIEW_OFFER_SECONDS`` apart, and the second sent it; they are told by when
    they were read (here the clock the guard reads at each act moves 10 s a reading)."""
    if acted_slowly:
        ticks = itertools.count(0, 10)
        monkeypatch.setattr(twice_module, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", *"a little something", "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferDialog))
        await press(pilot, "tab", "space", "shift+tab")  # one media, back to the price
        burst(app, *"25", "ctrl+s", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, OfferDialog)
        assert composer(pilot).offer.price_cents == 2500
        assert composer(pilot).text == "a little something" and thread(pilot).pending == []
        assert any("check it, then send" in str(n.message) for n in app._notifications)




async def test_media_picked_in_one_burst_are_the_ones_typed_on(world: World) -> None:
    """``space down space`` on the vault media picks the first two items: the second
    space toggled the highlighted item when the first's toggle was handled, after the
    down had moved it (the second item twice, the first never)."""
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferDialog))
        await press(pilot, "tab")
        media = app.screen.query_one("#offer-media", SelectionList)
        await wait_for(pilot, lambda: media.option_count >= 3)
        assert app.screen.focused is media and media.highlighted == 0
        first, second = (media.get_option_at_index(i).value for i in (0, 1))
        burst(app, "space", "down", "space")
        await settle(pilot)
        assert media.selected == [first, second] and media.highlighted == 1
        burst(app, "space", "up", "space", "down", "down")
        await settle(pilot)
        assert media.selected == [] and media.highlighted == 2
        # j and k move as on every list (``space j space`` ticked one item twice).
        burst(app, "k", "space", "j", "space", "k")
        await settle(pilot)
        assert media.selected == [second, media.get_option_at_index(2).value]
        assert media.highlighted == 1


@pytest.mark.parametrize("last", ["tab", "ctrl+s"])
async def test_picks_typed_before_tab_or_ctrl_s_in_one_burst_act_first(
    world: World, last: str
) -> None:
    """``12 Tab space down space down space Tab`` in one burst: the spaces tick the
    vault media they were typed on, then the Tab moves on to the previews (the Tab moved
    the focus as read, and the spaces, acted on once they had come back up to the app,
    ticked three previews); with ctrl+s last, the offer is applied with them (it was
    refused: no media yet)."""
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, OfferDialog))
        dialog = app.screen
        media = dialog.query_one("#offer-media", SelectionList)
        previews = dialog.query_one("#offer-previews", SelectionList)
        await wait_for(pilot, lambda: media.option_count >= 3)
        three = [media.get_option_at_index(i).value for i in range(3)]
        burst(app, *"12", "tab", "space", "down", "space", "down", "space", last)
        await settle(pilot)
        if last == "tab":
            assert app.screen is dialog and dialog.focused is previews
            assert media.selected == three and previews.selected == []
        else:
            assert not isinstance(app.screen, OfferDialog)
            offer = composer(pilot).offer
            assert offer.price_cents == 1200 and list(offer.media_ids) == three


async def _notes_of_the_top_fan(world: World, pilot) -> FanDetailScreen:  # noqa: ANN001
    """The first fan's screen, read, with two notes ("likes cats", the newest, and
    "older"): ``e`` asks which (it opens a fan's only note at once)."""
    fans = await _fans(pilot)
    for body in ("older", "likes cats"):
        edits.add_note(world.context.db, world.account.id, fans.fans.row_at(0).fan_id,
                       body, author="tester")
    await press(pilot, "enter")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == 2)
    return detail


@pytest.mark.parametrize("shown", [False, True], ids=["blind", "choices-shown"])
async def test_enter_twice_on_a_choice_picks_once(world: World, shown: bool) -> None:
    """Enter Enter on "Edit which note?", typed before the choices are in or after: the
    note opens as it was (the second Enter was a new line in it); the words typed
    behind still go to the note."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _notes_of_the_top_fan(world, pilot)
        if shown:
            await press(pilot, "e")
            burst(app, "enter", "enter", *" too")
        else:
            burst(app, "e", "enter", "enter", *" too")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one(TextArea).text == "likes cats too"
        await press(pilot, "escape", "j", "enter")  # the changes discarded
        assert app.screen is detail


@pytest.mark.parametrize("shown", [False, True], ids=["blind", "replies-shown"])
async def test_enter_twice_on_a_saved_reply_inserts_it_once(world: World, shown: bool) -> None:
    """Enter Enter in the saved replies: the reply goes into the box once, with no new
    line after it (the second Enter came through to the reply box); the keys typed
    behind go on into the reply."""
    saved_replies.create_reply(world.context.db, world.account.id, "thanks", "Thank you!")
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        if shown:
            await press(pilot, "ctrl+r")
            await settle(pilot)
            burst(app, "enter", "enter", *" x")
        else:
            burst(app, "ctrl+r", "enter", "enter", *" x")
        await settle(pilot)
        assert app.screen is inbox(pilot) and composer(pilot).text == "Thank you! x"


async def test_enter_twice_on_the_tag_filter_opens_no_conversation(world: World) -> None:
    """t Enter Enter: the tag is picked; the second Enter opened the highlighted
    conversation (one the filter may leave out)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        fan_id = conversations(pilot).row_at(0).fan_id
        edits.add_tags(world.context.db, world.account.id, fan_id, ["cats"])
        await press(pilot, "j", "j")
        burst(app, "t", "j", "enter", "enter")
        await settle(pilot)
        screen = inbox(pilot)
        assert app.screen is screen and screen.flt.tag == "cats" and screen.open_row is None


async def test_an_enter_after_the_choice_has_closed_is_the_users_next(world: World) -> None:
    """Not a repeat: an Enter read once the pick is done (the app idle since), or after
    another key behind the pick, acts on what is shown (the inbox opens a conversation)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        burst(app, "t", "enter")
        await settle(pilot)
        burst(app, "enter")
        await settle(pilot)
        assert screen.open_row is not None
        await press(pilot, "escape")
        burst(app, "t", "enter", "j", "enter")
        await settle(pilot)
        second = screen.conversations.row_at(1)
        assert screen.open_row is not None
        assert screen.open_row.conversation_id == second.conversation_id


@pytest.mark.parametrize("text", ["Hi {nickname}", "Hi {name}"])
async def test_ctrl_s_twice_in_the_campaign_composer_keeps_one_draft(
        world: World, text: str) -> None:
    """The second ctrl+s waits for the first's draft: both wrote a new one (the first's
    id not in yet), a text the campaign refuses ({nickname}) or not. The keys typed
    behind ctrl+s go on into the message, after it is saved (they were saved too)."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)

        def kept() -> list[tuple[str, str]]:
            with world.context.db.read() as session:
                return [tuple(r) for r in session.execute(select(Campaign.name, Campaign.text))]

        burst(app, *"Drop", "tab", *text, "ctrl+s", "ctrl+s")
        await settle(pilot)
        assert kept() == [("Drop", text)]
        burst(app, "ctrl+s", *"!")
        await settle(pilot)
        assert kept() == [("Drop", text)]
        assert composer.query_one("#campaign-text", TextArea).text == text + "!"
