"""At 80 columns the thread header keeps the fan's @username (two fans both "Chris S."
are told apart by it): the display name is cut first, with an ellipsis."""

from __future__ import annotations

import pytest
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import World
from tests.tui.pilot import conversations, lines, press, settle

pytestmark = pytest.mark.anyio

LONG = "Christopher Sebastian Montgomery-Whitfield the Third"


@pytest.mark.parametrize(("name", "handle"), [
    ("Chris S.", "chris"), ("Chris S.", "chris_s_from_austin"), (LONG, "chris_s_from_austin")])
async def test_the_header_keeps_the_username_and_cuts_the_name(
    world: World, name: str, handle: str
) -> None:
    with world.context.db.write() as session:  # every fan: whichever is first is one
        for fan in session.query(Fan).filter(Fan.account_id == world.account.id):
            fan.name, fan.nickname, fan.username = name, "", f"{handle}{fan.id}"
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        header = app.screen.query_one(ThreadHeader)
        shown = header.row
        line = lines(header)[0].rstrip()
        assert shown is not None and shown.display_name == name, shown
        assert f"@{shown.username}  ·  " in line, line
        assert f"spent {format_cents(shown.total_spent_cents)}" in line, line
        named = line.split(f"  @{shown.username}")[0]
        if handle == "chris":
            assert named == name, line  # room for both
        else:
            assert named.endswith("…") and name.startswith(named[:-1]) and len(named) >= 4, line


async def test_a_username_too_long_for_the_pane_is_cut_after_the_name(world: World) -> None:
    with world.context.db.write() as session:
        for fan in session.query(Fan).filter(Fan.account_id == world.account.id):
            fan.name, fan.nickname = "Chris S.", ""
            fan.username = f"chris_s_from_austin_texas_united_states{fan.id}"
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        header = app.screen.query_one(ThreadHeader)
        line = lines(header)[0].rstrip()
        assert header.row is not None
        assert line.startswith("Chr…  @chris_s_from_austin"), line
        assert line.endswith(f"…  ·  spent {format_cents(header.row.total_spent_cents)}"), line
