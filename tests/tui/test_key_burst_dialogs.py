"""Keys typed right behind the key that opens a dialog, in one burst, act in the dialog
(``test_key_burst.py``): the dialog has its focus where it says before they are read,
and a dialog that comes once a worker has read something holds them until it is there."""

from __future__ import annotations

import time
from datetime import date

import pytest
from textual import events
from textual.widgets import SelectionList

from ofcrm_tui.core import inbox as inbox_core
from ofcrm_tui.core import team
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.collision import CollisionDialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui.dialogs.owned import OwnedDialog
from ofcrm_tui.tui.dialogs.quit import QuitDialog
from ofcrm_tui.tui.screens.failed import FailedScreen
from tests.tui.burst_dialogs import SIZE, _notes_of_the_top_fan
from tests.tui.conftest import NOW, World
from tests.tui.pilot import (
    TwiceClock,
    burst,
    composer,
    conversations,
    inbox,
    press,
    settle,
    wait_for,
)
from tests.tui.test_quit import queue_reply


pytestmark = pytest.mark.anyio


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


async def test_q_twice_in_one_burst_asks_and_stays(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second q of a burst never saw the question: it does not quit anyway (on the
    test's clock: a busy machine may read it more than ``UNSEEN_SECONDS`` after)."""
    TwiceClock(monkeypatch)
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
