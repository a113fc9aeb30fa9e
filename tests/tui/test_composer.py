"""The composer's dialogs: a PPV price with vault media, and saved replies."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Button, Input, Static, TextArea

from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.new_reply import NewReplyDialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog, check_offer
from ofcrm_tui.tui.dialogs.saved_replies import SavedReplyPicker
from ofcrm_tui.tui.widgets import composer as composer_module
from ofcrm_tui.tui.widgets.composer import Offer
from tests.tui.conftest import World
from tests.tui.pilot import composer, lines, press, settle, thread, wait_for
from tests.tui.test_small_terminal import whole

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("price", "media", "previews", "expected"),
    [
        ("", [], [], Offer()),
        ("0", [7], [], Offer(0, (7,))),
        ("$25", [7, 8], [8], Offer(2500, (7, 8), (8,))),
        ("3.00", [7], [], Offer(300, (7,))),
        ("2.99", [7], [], "the price must be $0 (free) or between $3.00 and $200.00"),
        ("200.01", [7], [], "the price must be $0 (free) or between $3.00 and $200.00"),
        ("12.345", [7], [], "price: '12.345' is not an amount like 12.50"),
        ("ten", [7], [], "price: 'ten' is not an amount like 12.50"),
        ("1e2", [7], [], "price: '1e2' is not an amount like 12.50"),
        ("-5", [7], [], "price: '-5' is not an amount like 12.50"),
        ("1_000", [7], [], "price: '1_000' is not an amount like 12.50"),
        ("12.5", [7], [], Offer(1250, (7,))),
        ("$ 12.", [7], [], Offer(1200, (7,))),
        ("10", [], [], "a priced message needs at least one media item"),
        ("10", [7], [9], "previews must be among the message's media (not: 9)"),
    ],
)
def test_offer_rules(price: str, media: list[int], previews: list[int], expected: object) -> None:
    assert check_offer(price, media, previews) == expected


async def test_ppv_dialog_checks_the_rules_and_the_offer_is_sent(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(composer_module, "REVIEW_OFFER_SECONDS", 0.0)  # a person reads first
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await pilot.press(*"a little something")
        await press(pilot, "ctrl+o")
        dialog = app.screen
        assert isinstance(dialog, OfferDialog)

        await pilot.press(*"25")
        await settle(pilot)
        error = dialog.query_one("#offer-error", Static)
        assert "needs at least one media item" in str(error.content)
        assert dialog.query_one("#offer-apply", Button).disabled

        await press(pilot, "tab", "space", "shift+tab", "enter")
        offer = composer(pilot).offer
        assert offer.price_cents == 2500 and len(offer.media_ids) == 1
        assert "PPV $25.00 · 1 media" in str(composer(pilot).border_subtitle)

        await press(pilot, "ctrl+j")  # what many terminals send for ctrl+enter
        queued = thread(pilot).pending[-1]
        assert (queued.text, queued.price_cents, queued.media_count) == (
            "a little something", 2500, 1)
        assert composer(pilot).offer == Offer()


async def test_saved_replies_are_created_filtered_and_filled_in(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    saved_replies.create_reply(db, account_id, "goodnight", "sleep well {name}")
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        fan = composer(pilot).target.fan
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, SavedReplyPicker)

        await press(pilot, "ctrl+n")
        await pilot.press(*"welcome", "enter", *"hi {name}, welcome!")
        await press(pilot, "ctrl+s")
        assert [r.name for r in app.screen.replies] == ["goodnight", "welcome"]

        await pilot.press(*"wlc")
        await settle(pilot)
        assert [r.name for r in app.screen.shown] == ["welcome"]
        await press(pilot, "enter")
        assert composer(pilot).text == saved_replies.render_reply("hi {name}, welcome!", fan)
        assert composer(pilot).has_focus
    names = await asyncio.to_thread(saved_replies.list_replies, db, account_id)
    assert [r.name for r in names] == ["goodnight", "welcome"]



async def test_a_saved_reply_inserted_after_a_word_gets_a_space(world: World) -> None:
    """"Hey" then the reply "sleep well": "Hey sleep well", not "Heysleep well"; into an
    empty box or after a space, nothing is added."""
    db, account_id = world.context.db, world.account.id
    saved_replies.create_reply(db, account_id, "goodnight", "sleep well")
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", *"Hey", "ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SavedReplyPicker)
                       and pilot.app.screen.shown)
        await press(pilot, "enter")
        assert composer(pilot).text == "Hey sleep well"
        await press(pilot, "home", "ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SavedReplyPicker)
                       and pilot.app.screen.shown)
        await press(pilot, "enter")
        assert composer(pilot).text == "sleep well Hey sleep well"



async def _new_reply_dialog(pilot) -> NewReplyDialog:  # noqa: ANN001
    """The new saved reply dialog, from the first conversation's reply box."""
    await settle(pilot)
    await press(pilot, "enter", "r", "ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SavedReplyPicker))
    await press(pilot, "ctrl+n")
    dialog = pilot.app.screen
    assert isinstance(dialog, NewReplyDialog)
    return dialog


@pytest.mark.parametrize(("text", "said"), [
    ("yo {nickname}", "never goes to fans"), ("see you at {time}", "unknown placeholder {time}"),
])
async def test_a_refused_new_saved_reply_keeps_what_was_typed(
        world: World, text: str, said: str) -> None:
    """{nickname} (never sent to fans) or a word in braces that is no placeholder (the
    fan would read it as typed) is refused in the dialog, which stays open with the name
    and text typed (it closed and lost them), said under the text as it is typed (a
    toast far from the field said it only on ctrl+s). At 80x24 the refusal is whole (it
    was cut to its first line)."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _new_reply_dialog(pilot)
        await pilot.press(*"yo", "enter", *text)
        error = dialog.query_one("#new-reply-error", Static)
        assert said in str(error.content)  # under the text, as it is typed
        box = dialog.query_one("#new-reply-dialog").content_region
        assert error.region.height >= 1 and box.contains_region(error.region)
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert dialog.query_one(TextArea).text.endswith(text)
        assert said in str(error.content) and not app._notifications  # not a toast
        await press(pilot, *["backspace"] * len(text))
        assert str(error.content) == ""
        await press(pilot, "shift+tab", "ctrl+u", "ctrl+s")  # no name: said there too
        assert app.screen is dialog and "needs a name" in str(error.content)


async def test_a_new_saved_reply_names_each_of_its_problems(world: World) -> None:
    """A name too long, a text too long, {nickname} and words in braces that are no
    placeholder: each is named under the text as it is typed and on ctrl+s, whole at
    80x24 (only the first was named; a name too long was said once the dialog had
    closed, what was typed lost)."""
    from ofcrm_tui.core.outbox.rules import MAX_TEXT_CHARS

    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _new_reply_dialog(pilot)
        dialog.query_one(Input).value = "n" * 130
        dialog.query_one(TextArea).insert(
            "yo {nickname} at {time} or {nmae} " + "x" * MAX_TEXT_CHARS)
        await settle(pilot)
        error = dialog.query_one("#new-reply-error", Static)
        said = str(error.content).splitlines()
        assert [line.split()[:3] for line in said] == [
            ["a", "saved", "reply's"], ["the", "text", "is"], ["{nickname}", "is", "your"],
            ["unknown", "placeholders", "{time},"]]
        box = dialog.query_one("#new-reply-dialog").content_region
        assert box.contains_region(error.region), (error.region, box)
        assert error.region.height >= len(lines(error)) and whole(error) == " ".join(
            " ".join(said).split())
        await press(pilot, "ctrl+s")
        assert app.screen is dialog and str(error.content).splitlines() == said


async def test_a_saved_reply_can_be_deleted(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    saved_replies.create_reply(db, account_id, "old", "not any more")
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+r", "ctrl+t")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")  # "Keep the reply" first: an Enter by habit keeps it
        picker = app.screen
        assert isinstance(picker, SavedReplyPicker) and len(picker.replies) == 1
        await press(pilot, "ctrl+t", "down", "enter")
        await wait_for(pilot, lambda: app.screen is picker and picker.replies == [])
    assert saved_replies.list_replies(db, account_id) == []


async def test_a_saved_reply_with_the_private_nickname_is_refused_when_picked(world: World) -> None:
    """Saved before {nickname} was refused: picking it says why and inserts nothing (the
    team's label for a fan never goes to the fan)."""
    from ofcrm_tui.core.campaigns.placeholders import NICKNAME_REFUSED
    from ofcrm_tui.store.models import SavedReply

    db, account_id = world.context.db, world.account.id
    with db.write() as session:  # as an older version stored it
        session.add(SavedReply(account_id=account_id, name="night", body="night {nickname}"))
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+r")
        picker = app.screen
        assert isinstance(picker, SavedReplyPicker)
        await wait_for(pilot, lambda: bool(picker.shown))
        assert NICKNAME_REFUSED in str(picker.query_one("#replies-preview").render())
        await press(pilot, "enter")
        assert app.screen is picker  # nothing inserted
        assert [n.message for n in app._notifications] == [NICKNAME_REFUSED]  # noqa: SLF001
