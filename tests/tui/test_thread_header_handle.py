"""At 80 columns the thread header keeps the fan's @username (two fans both "Chris S."
are told apart by it): the display name is cut first, with an ellipsis."""

from __future__ import annotations

import pytest

from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import World
from tests.tui.pilot import lines, press, settle

pytestmark = pytest.mark.anyio

LONG = "Christopher Sebastian Montgomery-Whitfield the Third"


async def _header(world: World, name: str, handle: str) -> tuple[ConversationRow, str]:
    """Every fan named ``name`` (whichever is first is one), usernames ``handle`` and
    the fan's id; the first conversation opened at 80x24: its row and header line."""
    with world.context.db.write() as session:
        for fan in session.query(Fan).filter(Fan.account_id == world.account.id):
            fan.name, fan.nickname, fan.username = name, "", f"{handle}{fan.id}"
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        header = app.screen.query_one(ThreadHeader)
        assert header.row is not None and header.row.display_name == name, header.row
        return header.row, lines(header)[0].rstrip()


@pytest.mark.parametrize(("name", "handle"), [
    ("Chris S.", "chris"), ("Chris S.", "chris_s_from_austin"), (LONG, "chris_s_from_austin")])
async def test_the_header_keeps_the_username_and_cuts_the_name(
    world: World, name: str, handle: str
) -> None:
    row, line = await _header(world, name, handle)
    assert f"@{row.username}  ·  " in line, line
    assert f"spent {format_cents(row.total_spent_cents)}" in line, line
    named = line.split(f"  @{row.username}")[0]
    if handle == "chris":
        assert named == name, line  # room for both
    else:
        assert named.endswith("…") and name.startswith(named[:-1]) and len(named) >= 4, line


async def test_a_username_too_long_for_the_pane_is_cut_after_the_name(world: World) -> None:
    row, line = await _header(world, "Chris S.", "chris_s_from_austin_texas_united_states")
    assert line.startswith("Chr…  @chris_s_from_austin"), line
    assert line.endswith(f"…  ·  spent {format_cents(row.total_spent_cents)}"), line
