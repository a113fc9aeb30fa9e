"""Where toasts go on each screen: never over what is being worked on (the KPI cards on
analytics, the text typed in the campaign composer, the inbox's reply box)."""

from __future__ import annotations

import pytest
from textual.widget import Widget
from textual.widgets._toast import Toast

from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, type_text, wait_for

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (120, 36), (160, 45)]
# As a new-message toast is: the fan's name, then a line of up to 60 characters.
TITLE, BODY = "Mateo Benítez", "3 new messages · " + "are you online tonight? " * 2


async def _toasts(pilot) -> list[Toast]:  # noqa: ANN001
    pilot.app.notify(BODY.strip(), title=TITLE, timeout=30)
    screen = pilot.app.screen
    await wait_for(pilot, lambda: any(t.region.area for t in screen.query(Toast)))
    return list(screen.query(Toast))


def _clear(toasts: list[Toast], widgets: list[Widget]) -> None:
    for toast in toasts:
        for widget in widgets:
            assert not toast.region.overlaps(widget.region), (toast.region, widget)


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_analytics_kpis_in_view(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = app.screen
        assert isinstance(screen, AnalyticsScreen)
        _clear(await _toasts(pilot), [*screen.query(".kpi"), screen.query_one("#analytics-bar")])


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_campaign_text_being_typed_in_view(
    world: World, size: tuple[int, int]
) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        await press(pilot, "tab")
        await type_text(pilot, "Weekend drop: a set just for you, open it before Sunday " * 3)
        toasts = await _toasts(pilot)
        _clear(toasts, [composer.query_one("#campaign-form")])
        side = composer.query_one("#campaign-side").region
        assert all(side.contains_region(toast.region) for toast in toasts)


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_stay_off_the_inbox_reply_box(world: World, size: tuple[int, int]) -> None:
    """As before: top right, under the header, never over the reply being typed."""
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await type_text(pilot, "see you soon")
        toasts = await _toasts(pilot)
        _clear(toasts, [app.screen.query_one(Composer)])
        assert all(toast.region.y <= 2 for toast in toasts)
