"""The fans screen's notices are drawn whole, over the list's inside: a two-line notice
lost its last line (the rack, measured, was a line short: `▌ Exported 302 fans to` and
the list's border where the path was), and stood on the list's bottom border."""

from __future__ import annotations

import pytest

from tests.tui.conftest import World
from tests.tui.fans_pilot import open_fans
from tests.tui.pilot import settle
from tests.tui.test_notices_at_80_columns import drawn_whole
from tests.tui.test_toast_placement import BODY, TITLE

pytestmark = pytest.mark.anyio
# Paths that broke the notice's lines where the rack came a line short at 80x24.
EXPORTED = ["Exported 302 fans to /home/" + "x" * n + ".csv" for n in (55, 88, 121)]


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_fans_screens_notices_are_drawn_whole_inside_the_list(
    world: World, size: tuple[int, int]
) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        inside = screen.fans.scrollable_content_region
        for message, title in [*((m, "") for m in EXPORTED), (BODY.strip(), TITLE)]:
            region = await drawn_whole(pilot, screen, message, title)
            assert inside.contains_region(region), (message, region, inside)
