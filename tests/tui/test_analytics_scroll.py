"""At 80x24 the analytics tables are below the fold: j/k scroll the screen as on a fan's
page, and the footer names j Scroll while there is more than fits."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import World
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio


def _footer(app: object) -> list[tuple[str, str]]:
    keys = app.screen.query(FooterKey)  # type: ignore[attr-defined]
    return [(key.key, key.description) for key in keys if key.display]


async def test_j_and_k_scroll_the_analytics_and_the_footer_says_so(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        await settle(pilot)
        body = app.screen.query_one("#analytics-body")
        assert body.max_scroll_y > 1
        assert ("j", "Scroll") in _footer(app)
        assert ("c", "Custom period") in _footer(app)  # Export gives way: the palette's

        await press(pilot, "j", "j")
        assert body.scroll_y == 2
        await press(pilot, "k")
        assert body.scroll_y == 1

        await pilot.resize_terminal(160, 45)  # it all fits: nothing to scroll, not named
        await settle(pilot)
        assert body.max_scroll_y == 0
        assert ("j", "Scroll") not in _footer(app)
