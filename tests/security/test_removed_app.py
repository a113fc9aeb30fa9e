"""A chatter's app open while a manager takes the chatter off the team (whatever schema
the tables are in), or the account from the chatter: it says so once, where it stays,
logs one line, and stops asking; nothing of the account stays shown (the open
conversation closed, a reply being typed kept on the clipboard)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import event

from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access
from ofcrm_tui.store.enums import TeamKind
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.team_notes import lost_access_note
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.security.conftest import Team
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio
EVERY = 0.2


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _statements(context: AppContext) -> list[str]:
    """The statements the app's connections run from now on."""
    seen: list[str] = []
    event.listen(context.db.engine, "before_cursor_execute",
                 lambda _c, _cu, statement, *_: seen.append(statement))
    return seen


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _cut_off(team: Team, short: str, take: Callable[[str], None],
                   monkeypatch: pytest.MonkeyPatch, *, off_team: bool, typed: str = "") -> None:
    """``take`` cuts the chatter's app off while a conversation is open (and ``typed``
    in its reply box); ``off_team``: it takes the chatter off the team."""
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", EVERY)
    # On the package's logger: a test that set up the process's logging stops it
    # propagating to the root (and to caplog).
    logged = _Records()
    logger = logging.getLogger("ofcrm_tui")
    logger.addHandler(logged)
    role = team.chatter(short, "mia", "zoe")
    app = team.app(role, "mia", now=None, presence_interval_seconds=0.2,
                   presence_expiry_seconds=1)
    context = app.context
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.keyless and app.status.account == "mia"
            screen = app.screen
            assert isinstance(screen, InboxScreen)
            await press(pilot, "enter")
            await wait_for(pilot, lambda: screen.open_row is not None)
            if typed:
                await press(pilot, "r", *typed)
            logged.records.clear()
            take(role)
            await wait_for(pilot, lambda: app.cut_off is not None)
            await asyncio.sleep(4 * EVERY)  # the intervals go on, without queries
            await settle(pilot)
            seen = _statements(context)
            await asyncio.sleep(6 * EVERY)
            await settle(pilot)
            assert seen == []
            notes = [(n.title, n.message) for n in app._notifications if n.title != "Team mode"]
            kept = [message for _, message in notes if "on the clipboard" in message]
            assert len(notes) == 1 + len(kept) and notes[0][0] == "No access", notes
            said = lost_access_note("mia", team=off_team)
            assert notes[0][1] == said
            bar = app.screen.query_one(StatusBar).render().plain
            assert bar.rstrip().endswith(said)
            # Nothing of the account stays shown, nothing of it is read.
            listed = screen.conversations
            assert screen.open_row is None and listed.count == 0
            assert listed.empty_text == "No access to this account" and app.focused is listed
            if typed:
                assert app.clipboard == typed and len(kept) == 1
                assert "out of reach: access to the account was lost. Your unsent reply is " \
                    f"on the clipboard: {typed}" in kept[0]
            else:
                assert kept == []
            records = logged.records
            assert len(records) == 1 and records[0].exc_info is None, records
            await pilot.press("q")
            await settle(pilot)
        assert app.return_code == 0
    finally:
        logger.removeHandler(logged)
        context.close()


def removing(team: Team) -> Callable[[str], None]:
    """What takes a chatter off ``team``."""
    return lambda role: access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)


def taking_mia(team: Team) -> Callable[[str], None]:
    """What leaves a chatter of ``team`` the account zoe alone."""
    return lambda role: access.add_chatter(team.owner, role, ["zoe"], groups=team.groups)


async def test_a_removed_chatters_app_says_so_once_and_stops_asking(
    any_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _cut_off(any_team, "kim", removing(any_team), monkeypatch, off_team=True)


async def test_an_app_whose_account_was_taken_away_says_so_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _cut_off(team, "lou", taking_mia(team), monkeypatch, off_team=False)


async def test_a_reply_typed_as_the_chatter_is_removed_is_kept(
    private_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _cut_off(private_team, "ivy", removing(private_team), monkeypatch,
                   off_team=True, typed="see you")
