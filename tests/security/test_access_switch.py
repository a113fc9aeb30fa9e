"""A chatter's app cut off from its account: one account taken away, another it may
still read opens as before, on every screen (the ones shown before too), and the status
is read again; taken off the team, nothing is readable, and a switch is refused in one
line."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.widgets import OptionList

from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.failed_list import FailedList
from ofcrm_tui.tui.widgets.fan_list import FanList
from ofcrm_tui.tui.widgets.paged_list import NO_ACCESS, PagedList
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.security.conftest import Team
from tests.security.test_removed_app import _statements, removing, taking_mia
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio
EVERY = 0.2

# The screens' keys and the list each shows (None: analytics, its figures).
SCREENS: tuple[tuple[str, type[PagedList[Any]] | None], ...] = (
    ("1", ConversationList), ("2", FailedList), ("3", FanList), ("4", CampaignList),
    ("5", None),
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _shown(app: OfcrmApp, kind: type[PagedList[Any]] | None) -> bool:
    """The screen shown reads the account: its list (rows, when the account has some),
    or its figures."""
    screen = app.screen
    if kind is None:
        assert isinstance(screen, AnalyticsScreen)
        return screen.shown is not None and screen.query_one("#analytics-body").display
    rows = screen.query_one(kind)
    return (rows.loaded and not rows.cut_off and rows.empty_text != NO_ACCESS
            and (rows.count > 0 or kind is FailedList))


async def _every_screen(app: OfcrmApp, pilot: Any) -> None:
    for key, kind in SCREENS:
        await press(pilot, key)
        await wait_for(pilot, lambda kind=kind: _shown(app, kind))


def _app(team: Team, short: str, monkeypatch: pytest.MonkeyPatch) -> tuple[OfcrmApp, str]:
    """A chatter of mia and zoe, and its app on mia, reading its status often."""
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", EVERY)
    role = team.chatter(short, "mia", "zoe")
    app = team.app(role, "mia", now=None, presence_interval_seconds=0.2,
                   presence_expiry_seconds=1)
    return app, role


async def test_another_account_opens_after_one_was_taken_away(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, role = _app(team, "ada", monkeypatch)
    context = app.context
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await _every_screen(app, pilot)  # each made on mia, kept in its mode
            await press(pilot, "3")
            taking_mia(team)(role)
            await wait_for(pilot, lambda: app.cut_off is not None)
            await settle(pilot)
            assert "account mia" in app.cut_off
            assert app.screen.query_one(FanList).empty_text == NO_ACCESS
            await press(pilot, "A")
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                           and app.screen.values != [])
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            names = [account.name for account in dialog.values]
            dialog.query_one(OptionList).highlighted = names.index("zoe")
            await press(pilot, "enter")
            await wait_for(pilot, lambda: app.account is not None and app.account.name == "zoe")
            await settle(pilot)
            assert app.cut_off is None
            await _every_screen(app, pilot)
            bar = app.screen.query_one(StatusBar).render().plain
            assert "zoe" in bar and "access" not in bar
            # The status is read on the timer again.
            seen = _statements(context)
            await asyncio.sleep(3 * EVERY)
            await settle(pilot)
            assert seen
            await pilot.press("q")
            await settle(pilot)
    finally:
        context.close()


async def test_off_the_team_a_switch_is_refused_in_one_line(
    any_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, role = _app(any_team, "bob", monkeypatch)
    zoe = get_account(any_team.owner, "zoe")
    context = app.context
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            removing(any_team)(role)
            await wait_for(pilot, lambda: app.cut_off is not None)
            await settle(pilot)
            assert "removed from the team" in app.cut_off
            shown = len(app._notifications)
            await press(pilot, "A")  # the account dialog's key
            assert not isinstance(app.screen, ChoiceDialog)
            app.open_account(zoe)  # the palette's account commands
            await settle(pilot)
            assert app.cut_off is not None and app.account is not None
            assert app.account.name == "mia"
            notes = list(app._notifications)[shown:]
            said = "No account can be opened: you are no longer on the team"
            assert [note.message.startswith(said) for note in notes] == [True, True], notes
            await pilot.press("q")
            await settle(pilot)
    finally:
        context.close()
