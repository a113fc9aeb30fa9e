"""The monitoring screen shows a team database's audit trail to its managers, a window
onto SQL, and tells anyone else in one line why it does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from textual.pilot import Pilot

from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import health
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.screens.monitoring import AUDIT_LEAST, MonitoringScreen
from ofcrm_tui.tui.widgets.audit_list import AuditList
from tests.security.conftest import NOW, Team
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def _monitoring(url: str) -> AsyncIterator[tuple[Pilot[object], MonitoringScreen]]:
    """The app of ``url``'s role at 80x24 on its monitoring screen, the trail loaded."""
    context = AppContext(Settings(database_url=url, chatter_name="me", team_mode=True))
    app = OfcrmApp(context, get_account(context.db, "mia"), clock=lambda: NOW)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "6")
            screen = app.screen
            assert isinstance(screen, MonitoringScreen)
            await wait_for(pilot, lambda: screen.query_one(AuditList).loaded)
            yield pilot, screen
    finally:
        context.close()


async def _audit_lines(url: str) -> list[str]:
    async with _monitoring(url) as (_, screen):
        return [line.strip("│ ") for line in lines(screen.query_one(AuditList))]


async def test_managers_see_the_trail_and_chatters_why_not(team: Team) -> None:
    role = team.chatter("pia", "mia")
    shown = await _audit_lines(team.url)
    assert any("member added" in line and f"chatter {role}" in line for line in shown)
    assert any("team initialised" in line for line in shown)
    assert "The audit trail is shown to managers" in await _audit_lines(team.url_of(role))


async def test_the_trail_takes_the_lines_one_account_leaves_at_80x24(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trail took half the room below the problems, and one account's lines
    scrolled: the account is all in view, the trail in the lines left, as many as there
    are (its entries in them)."""
    team.chatter("ria", "mia")  # two entries at least: the team's, this one
    check = health.check
    monkeypatch.setattr(health, "check", lambda *args, **kwargs: replace(
        report := check(*args, **kwargs), accounts=report.accounts[:1]))
    async with _monitoring(team.url) as (pilot, screen):
        await wait_for(pilot, lambda: screen.report is not None)
        await settle(pilot)
        body = screen.query_one("#monitoring-body")
        assert body.virtual_size.height <= body.size.height
        accounts = [line.rstrip() for line in lines(screen.query_one("#monitoring-accounts"))]
        assert accounts[-1].startswith("Failed 24 h")
        audit = screen.query_one(AuditList)
        assert audit.region.y == body.region.bottom
        assert audit.region.bottom == 24 - 2  # above the status bar and the footer
        assert audit.region.height >= AUDIT_LEAST
        # Its entries from the top (the team's, ria's at least), the lines left blank under them.
        filled = [bool(line.strip("│ ")) for line in lines(audit)]
        assert filled.count(True) >= 2 and filled == sorted(filled, reverse=True)
