"""Deleting fans (and all their history with them) is a right, like export and
campaigns: given by ``team add-chatter --can-delete``, shown by ``team list`` and
``whoami``, checked by the database, refused in one line by the command line and the
app; the audit trail names the fans deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access
from ofcrm_tui.core.access import AuditSpan
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Conversation, Fan
from ofcrm_tui.tui.screens.fans import FansScreen
from tests.security.conftest import Team
from tests.tui.pilot import press, settle, show, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _fans_with_a_chat(team: Team, account: str) -> list[Fan]:
    with team.owner.read() as session:
        return list(session.scalars(
            select(Fan).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == team.accounts[account]).order_by(Fan.id)))


def _exists(team: Team, fan_id: int) -> bool:
    with team.owner.read() as session:
        return session.get(Fan, fan_id) is not None


async def test_deleting_fans_is_a_right_on_the_command_line(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    eve, dan = team.chatter("delno", "zoe"), team.chatter("delyes", "zoe", delete=True)
    fan = _fans_with_a_chat(team, "zoe")[0]
    delete = ["fans", "delete", fan.username, "--account", "zoe", "--yes"]
    assert main(["--db", team.url_of(eve), *delete]) == 1
    assert capsys.readouterr().err == (
        f"ofcrm: error: refused by the database: {eve} may not delete fans of account 'zoe'\n")
    assert _exists(team, fan.id)

    assert main(["--db", team.url_of(dan), "team", "whoami"]) == 0
    assert f"{dan}: chatter; sees zoe; rights: deleting fans" in capsys.readouterr().out
    assert main(["--db", team.url, "team", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{dan:<20} zoe  [deleting fans]" in listed
    assert f"{eve:<20} zoe  [no export, no campaigns, no deleting fans]" in listed

    assert main(["--db", team.url_of(dan), *delete]) == 0
    assert capsys.readouterr().out.startswith("deleted ")
    assert not _exists(team, fan.id)
    newest = access.audit_window(team.owner, AuditSpan(), 0, 1)[0]
    assert (newest.actor, newest.action, newest.rows) == (dan, AuditAction.FANS_DELETED, 1)
    label = fan.nickname or fan.name or fan.username
    assert newest.detail == f"{label} (@{fan.username}, user {fan.platform_user_id})"


async def test_the_app_refuses_a_chatter_without_the_right_in_one_line(team: Team) -> None:
    role = team.chatter("delapp", "zoe")
    app = team.app(role, "zoe")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            screen = await show(pilot, "3", FansScreen)
            await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
            fan_id = screen.fans.cursor_row.fan_id
            before = len(app._notifications)  # noqa: SLF001
            await press(pilot, "D")
            assert app.screen is screen  # no confirmation asked
            notes = [str(n.message) for n in list(app._notifications)[before:]]  # noqa: SLF001
            assert notes == [f"{role} may not delete fans: a manager gives the right "
                             "(ofcrm team add-chatter --can-delete)"]
    finally:
        app.context.close()
    assert _exists(team, fan_id)
