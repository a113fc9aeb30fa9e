"""The monitoring screen shows a team database's audit trail to its managers, a window
onto SQL, and tells anyone else in one line why it does not."""

from __future__ import annotations

import pytest

from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.widgets.audit_list import AuditList
from tests.security.conftest import NOW, Team
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _audit_lines(url: str) -> list[str]:
    context = AppContext(Settings(database_url=url, chatter_name="me", team_mode=True))
    app = OfcrmApp(context, get_account(context.db, "mia"), clock=lambda: NOW)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "6")
            audit = app.screen.query_one(AuditList)
            await wait_for(pilot, lambda: audit.loaded)
            return [line.strip("│ ") for line in lines(audit)]
    finally:
        context.close()


async def test_managers_see_the_trail_and_chatters_why_not(team: Team) -> None:
    role = team.chatter("pia", "mia")
    shown = await _audit_lines(team.url)
    assert any("member added" in line and f"chatter {role}" in line for line in shown)
    assert any("team initialised" in line for line in shown)
    assert "The audit trail is shown to managers" in await _audit_lines(team.url_of(role))
