"""The campaign composer's drop-downs open where they are whole: under the field when
there is room above the footer, else upward (the Subscription's at 80x24 ran into the
footer, its last option over it)."""

from __future__ import annotations

import pytest
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.widgets.footer import KeyFooter
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(("size", "upward"), [((80, 24), True), ((120, 40), False)])
async def test_the_subscription_drop_down_is_whole_and_clear_of_the_footer(
    world: World, size: tuple[int, int], upward: bool
) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        field = composer.query_one("#campaign-status", Select)
        field.focus()
        await settle(pilot)
        await press(pilot, "enter")
        overlay = field.query_one(SelectOverlay)
        await wait_for(pilot, lambda: bool(overlay.region.area))
        shown = overlay.region
        assert shown.height == overlay.outer_size.height  # whole: every option in view
        assert not shown.overlaps(composer.query_one(KeyFooter).region)
        assert not shown.overlaps(field.region)  # the field's own line stays in view
        assert (shown.bottom <= field.region.y) is upward
        await press(pilot, "down", "enter")
        assert field.value == "all"
