"""The fans screen's notices are drawn whole, over the list's inside: a two-line notice
lost its last line (the rack, measured, was a line short: `▌ Exported 302 fans to` and
the list's border where the path was), and stood on the list's bottom border."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from tests.tui.conftest import World
from tests.tui.fans_pilot import open_fans
from tests.tui.pilot import settle, wait_for
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
            app.clear_notifications()
            await settle(pilot)
            app.notify(message, title=title, timeout=30)
            await wait_for(pilot, lambda: any(t.region.area for t in screen.query(Toast)))
            await settle(pilot)
            shown = screen._compositor.visible_widgets
            toasts = [toast for toast in screen.query(Toast) if toast in shown]
            assert len(toasts) == 1
            region, clip = shown[toasts[0]]
            assert region.intersection(clip) == region, (message, region, clip)  # whole
            assert inside.contains_region(region), (message, region, inside)
