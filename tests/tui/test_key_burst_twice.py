"""A confirming key typed twice in one burst acts once: Enter on a choice, a saved reply,
the tag filter, ctrl+s in the composers; the key after a dialog has closed is the
user's next."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from textual.widgets import TextArea

from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.store.models import Campaign
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui import twice as twice_module
from tests.tui.burst_dialogs import SIZE, _notes_of_the_top_fan
from tests.tui.conftest import World
from tests.tui.pilot import burst, composer, conversations, inbox, press, settle, thread, wait_for


pytestmark = pytest.mark.anyio


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
        # The "!" held behind the save goes on a 10 ms timer once it is in, which a
        # settle's idle check does not wait for on a loaded machine (lost, it times out).
        await wait_for(pilot, lambda: composer.query_one("#campaign-text", TextArea).text == text + "!")
        assert kept() == [("Drop", text)]
