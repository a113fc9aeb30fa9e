"""The fans list's name column: a long nickname is cut (an ellipsis says so) and the
fan's @username stays in view."""

from __future__ import annotations

import pytest

from ofcrm_tui.core.fans import edits
from tests.tui.conftest import World
from tests.tui.fans_pilot import fan_text, open_fans

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("width", [160, 80])
async def test_a_long_nickname_keeps_the_username_in_view(world: World, width: int) -> None:
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(width, 30)) as pilot:
        screen = await open_fans(pilot)
        top = screen.fans.cursor_row
        edits.set_nickname(db, account, top.fan_id, "The Very Generous " * 8)
        screen.fans.refresh_rows()
        await open_fans(pilot)  # the list read again, on the same fan
        row = fan_text(pilot).splitlines()[0]
        assert row.startswith(" The Very ") and f"… @{top.username} " in row, row
        assert "$" in row  # the spend column is still there
