"""A chatter's app open while a manager takes the chatter off the team (or the account
from the chatter): it says so once, where it stays, logs one line, and stops asking."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import event

from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.store.enums import TeamKind
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.security.conftest import Team
from tests.tui.pilot import settle, wait_for

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


async def _cut_off(team: Team, short: str, take, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", EVERY)
    # On the package's logger: a test that set up the process's logging stops it
    # propagating to the root (and to caplog).
    logged = _Records()
    logger = logging.getLogger("ofcrm_tui")
    logger.addHandler(logged)
    role = team.chatter(short, "mia", "zoe")
    context = AppContext(Settings(database_url=team.url_of(role), presence_interval_seconds=0.2,
                                  presence_expiry_seconds=1))
    try:
        mia = next(a for a in list_accounts(context.db) if a.name == "mia")
        app = OfcrmApp(context, mia)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.keyless and app.status.account == "mia"
            logged.records.clear()
            take(role)
            await wait_for(pilot, lambda: len(app._notifications) > 1, 10)  # (and Team mode)
            await asyncio.sleep(4 * EVERY)  # the intervals go on, without queries
            await settle(pilot)
            seen = _statements(context)
            await asyncio.sleep(6 * EVERY)
            await settle(pilot)
            assert seen == []
            notes = [(n.title, n.message) for n in app._notifications if n.title != "Team mode"]
            assert len(notes) == 1 and notes[0][0] == "No access"
            assert "removed from the team" in notes[0][1] and "account mia" in notes[0][1]
            bar = app.screen.query_one(StatusBar).render().plain
            assert "removed from the team" in bar and bar.rstrip().endswith("press q to quit")
            records = logged.records
            assert len(records) == 1 and records[0].exc_info is None, records
            await pilot.press("q")
            await settle(pilot)
        assert app.return_code == 0
    finally:
        logger.removeHandler(logged)
        context.close()


async def test_a_removed_chatters_app_says_so_once_and_stops_asking(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    def remove(role: str) -> None:
        access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)

    await _cut_off(team, "kim", remove, monkeypatch)


async def test_an_app_whose_account_was_taken_away_says_so_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    def take_mia(role: str) -> None:
        access.add_chatter(team.owner, role, ["zoe"], groups=team.groups)

    await _cut_off(team, "lou", take_mia, monkeypatch)
