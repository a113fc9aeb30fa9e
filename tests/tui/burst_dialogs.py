"""What the tests of keys typed in one burst at a dialog share: the terminal's size, and the
top fan's screen with two notes."""

from __future__ import annotations

from ofcrm_tui.core.fans import edits
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.fans_pilot import fans_loaded
from tests.tui.pilot import press, wait_for


SIZE = (120, 36)


async def _notes_of_the_top_fan(world: World, pilot) -> FanDetailScreen:  # noqa: ANN001
    """The first fan's screen, read, with two notes ("likes cats", the newest, and
    "older"): ``e`` asks which (it opens a fan's only note at once)."""
    fans = await fans_loaded(pilot)
    for body in ("older", "likes cats"):
        edits.add_note(world.context.db, world.account.id, fans.fans.row_at(0).fan_id,
                       body, author="tester")
    await press(pilot, "enter")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == 2)
    return detail
