"""The Failed screen's counts tell the truth: messages ticked that leave the list (retried
or discarded elsewhere while the screen is open) leave the selection when it reloads;
Retry all's question counts what it retries, those outside the period shown too, at
80x24."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import outbox
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.period import PeriodDialog
from ofcrm_tui.tui.screens import failed
from ofcrm_tui.tui.screens.failed import FailedScreen
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _list, _many_failed, _notes, _states, open_failed
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _footer_says(app: object, key: str) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return next(k.description for k in screen.query(FooterKey) if k.key_display == key)


async def test_messages_gone_elsewhere_leave_the_selection(world: World) -> None:
    ids = _many_failed(world, 230)
    db, account_id = world.context.db, world.account.id
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "space", "space", "space", "G", "space")
        listing = _list(app)
        assert listing.selected == {*ids[:3], ids[-1]}
        assert str(listing.border_subtitle) == "4 selected"
        # While the screen is open: ``ofcrm failed retry`` queues one again, another
        # chatter discards two (one far from the rows the list holds at its end).
        outbox.retry_detailed(db, account_id, [ids[1]], by="cli", now=NOW)
        outbox.discard_detailed(db, account_id, [ids[0], ids[-1]], now=NOW)
        app.queue_changed()
        await wait_for(pilot, lambda: listing.counted and listing.count == 227)
        await settle(pilot)
        assert listing.selected == {ids[2]}
        assert str(listing.border_subtitle) == "1 selected"
        assert _footer_says(app, "R") == "Retry 1 selected"
        assert _footer_says(app, "d") == "Discard 1 selected"
        await press(pilot, "d")
        assert app.screen.title_text == "Discard 1 selected message?"
        await press(pilot, "down", "enter")
        assert _notes(app)[-1] == "Discarded 1 message"
    assert _states(world, ids[:3]) == ["cancelled", "queued", "cancelled"]


def _question(app: object) -> tuple[str, str, list[str]]:
    """The question up: its title, the line under it as drawn, its choices."""
    dialog = app.screen  # type: ignore[attr-defined]
    assert isinstance(dialog, ChoiceDialog)
    box = dialog.query_one(".choice-dialog", Vertical)
    assert dialog.region.contains_region(box.region)
    # The title whole on the border (its corners and a space either side).
    assert len(dialog.title_text) + 4 <= box.region.width
    body = dialog.query(".choice-body")
    drawn = " ".join(" ".join(line.split()) for line in lines(body.first()) if line.strip())
    options = dialog.query_one(OptionList)
    choices = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return dialog.title_text, drawn if body else "", choices


async def test_retry_all_counts_what_it_retries(world: World) -> None:
    recent = _many_failed(world, 5)
    old = _many_failed(world, 3, age=timedelta(days=20))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "ctrl+r")
        title, body, choices = _question(app)
        assert title == "Retry all 8 failed messages?"
        assert body == "3 of them are older than the 7 days shown."
        assert choices == ["Keep them", "Retry every failed message (at most 10 a minute)"]
        await press(pilot, "enter")  # Keep them
        assert isinstance(app.screen, FailedScreen)

        # A period in the past: the five of this week are newer than it.
        await press(pilot, "p")
        assert isinstance(app.screen, PeriodDialog)
        day = (NOW - timedelta(days=20)).date().isoformat()
        for box in app.screen.query(Input).results(Input):
            box.value = day
        await press(pilot, "ctrl+s")
        listing = _list(app)
        await wait_for(pilot, lambda: listing.counted and listing.count == 3)
        await press(pilot, "ctrl+r")
        assert _question(app)[:2] == ("Retry all 8 failed messages?",
                                      "5 of them are newer than the period shown.")
        await press(pilot, "down", "enter")
        assert _notes(app)[-1] == "Queued again: 8 messages"
    assert _states(world, recent + old) == ["queued"] * 8


async def test_retry_all_with_none_left_says_so_instead_of_asking(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 3600.0)  # no reload meanwhile
    ids = _many_failed(world, 2)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_failed(pilot)
        assert listing.count == 2
        # Both retried elsewhere; the list has not reloaded yet.
        outbox.retry_detailed(world.context.db, world.account.id, ids, by="cli", now=NOW)
        await press(pilot, "ctrl+r")
        assert isinstance(app.screen, FailedScreen)
        assert _notes(app)[-1] == "No failed messages to retry"


def test_the_question_says_where_those_outside_the_period_are() -> None:
    shown, question, spread = "the period shown", failed.retry_all_question, outbox.FailedSpread
    assert question(spread(1, 0, 0), shown) == ("Retry the failed message?", "")
    assert question(spread(1, 1, 0), shown) == (
        "Retry the failed message?", "It is older than the period shown.")
    assert question(spread(1_200, 1, 0), shown)[1] == "1 of them is older than the period shown."
    assert question(spread(40, 9, 3), shown) == (
        "Retry all 40 failed messages?",
        "12 of them are outside the period shown: 9 older, 3 newer.")
