"""The failed list completed: paged over SQL, any period, several selected and retried (or
all), the manual limit of 10 a minute said on screen with when it frees up, the
conversation opened in the inbox, the reason readable at 80x24."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static

from ofcrm_tui.store.models import Conversation, OutboundMessage
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.period import PeriodDialog
from ofcrm_tui.tui.screens.inbox import InboxScreen
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _list, _many_failed, _notes, _states, open_failed
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _limit_line(app: object) -> str:
    return " ".join(lines(app.screen.query_one("#failed-limit", Static))).strip()  # type: ignore[attr-defined]


async def test_several_selected_are_retried_together(world: World) -> None:
    ids = _many_failed(world, 5)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_failed(pilot)
        assert listing.count == 5
        await press(pilot, "space", "j", "space", "space")  # rows 0, 2 and 3
        assert listing.selected == {ids[0], ids[2], ids[3]}
        assert "3 selected" in str(listing.border_subtitle)
        await press(pilot, "R")
        assert _notes(app)[-1] == "Queued again: 3 messages"
        assert listing.count == 2 and not listing.selected
        assert "7 of 10 manual retries left this minute" in _limit_line(app)
        assert "12:01:00 (in 60 s)" in _limit_line(app)
    assert _states(world, ids) == ["queued", "failed", "queued", "queued", "failed"]


async def test_the_manual_limit_is_said_with_when_it_frees_up(world: World) -> None:
    ids = _many_failed(world, 12)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "ctrl+r")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")  # "Keep them" first: an Enter by habit sends nothing
        assert _list(app).count == 12 and not _notes(app)
        await press(pilot, "ctrl+r", "down", "enter")
        assert _notes(app)[-1] == (
            "Queued again: 10 messages; 2 messages left failed: manual retries are limited "
            "to 10 a minute, the next frees up in 60 s")
        assert _list(app).count == 2
        line = _limit_line(app)
        assert line.startswith("Manual retry limit reached (10 a minute)")
        assert "frees up at 12:01:00 (in 60 s)" in line
        await press(pilot, "R")
        assert _notes(app)[-1] == ("Not retried: manual retries are limited to 10 a minute "
                                   "for this account; try again in 60 s")
        assert _list(app).count == 2
    # Retry all takes them in the order they were queued: the two queued last are left.
    assert _states(world, ids) == ["queued"] * 10 + ["failed"] * 2


async def test_the_list_pages_and_shows_any_period(world: World) -> None:
    recent = _many_failed(world, 230)
    old = _many_failed(world, 3, age=timedelta(days=20))
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_failed(pilot)
        await wait_for(pilot, lambda: listing.counted)
        assert listing.count == 230  # the last 7 days only
        assert "Failed, last 7 days  230" in str(listing.border_title)
        await press(pilot, "G")
        await wait_for(pilot, lambda: listing.cursor_row is not None)
        assert listing.cursor_row.id == recent[-1]  # the oldest of the week, read by page
        await press(pilot, "p")
        assert isinstance(app.screen, PeriodDialog)
        first, last = app.screen.query(Input).results(Input)
        day = (NOW - timedelta(days=20)).date()
        first.value, last.value = day.isoformat(), day.isoformat()
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: listing.counted)
        assert listing.count == 3
        assert [listing.row_at(i).id for i in range(3)] == old
        assert day.isoformat() in str(listing.border_title)


async def test_enter_opens_the_conversation_in_the_inbox(world: World) -> None:
    ids = _many_failed(world, 3)
    with world.context.db.read() as session:
        fan_id = session.get(OutboundMessage, ids[1]).fan_id
        conversation_id = session.scalar(select(Conversation.id)
                                         .where(Conversation.fan_id == fan_id))
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        await wait_for(pilot, lambda: app.screen.open_row is not None)
        assert app.screen.open_row.conversation_id == conversation_id


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_every_row_shows_its_tries_and_reason(world: World, size: tuple[int, int]) -> None:
    _many_failed(world, 3)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        drawn = lines(_list(app))
        for i in range(3):
            assert any(f"tried 3× · 500: broke {i}" in line for line in drawn), drawn


async def test_the_limit_line_goes_with_the_last_failed_message_and_the_minute(
    world: World,
) -> None:
    """Nothing left to retry: no retry budget shown. A failed message again: the
    budget shows, counts down with the clock and goes when the minute has passed."""
    from ofcrm_tui.tui.app import OfcrmApp

    ids = _many_failed(world, 1)
    now = [NOW]
    app = OfcrmApp(world.context, world.account, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "R")
        assert _notes(app)[-1] == "Queued again"
        await wait_for(pilot, lambda: _list(app).counted and _list(app).count == 0)
        assert not app.screen.query_one("#failed-limit").display
        assert _limit_line(app) == ""
        _many_failed(world, 1)
        app.queue_changed()
        await wait_for(pilot, lambda: _list(app).count == 1)
        await wait_for(pilot, lambda: "9 of 10 manual retries left" in _limit_line(app))
        now[0] = NOW + timedelta(seconds=20)
        await wait_for(pilot, lambda: "(in 40 s)" in _limit_line(app))
        now[0] = NOW + timedelta(seconds=61)
        await wait_for(pilot, lambda: not app.screen.query_one("#failed-limit").display)
    assert _states(world, ids) == ["queued"]
