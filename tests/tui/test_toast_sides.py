"""Toasts off what the user works on, on the side they came on: the Failed screen's
cursor's row (they moved each time the row crossed the list's middle), the import
dialog's report (several stacked up over it), the revenue chart's amounts and dates on
analytics (a long one reached them at 80x24)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets._toast import Toast

from ofcrm_tui.tui.widgets.analytics_charts import RevenueChart
from ofcrm_tui.tui.widgets.failed_list import FailedList
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for
from tests.tui.fans_pilot import open_fans, open_import
from tests.tui.test_toast_placement import (
    _no_words_under,
    _shown,
    _toasts,
    analytics_screen,
    long_failed_list,
)

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (160, 45)]


def _drawn_parts(screen: Screen[object]) -> list[Region]:
    """The parts of ``screen``'s toasts drawn (those its rack has no room for are not)."""
    visible = screen._compositor.visible_widgets
    return [region.intersection(clip) for widget, (region, clip) in visible.items()
            if isinstance(widget, Toast)]


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_on_the_failed_screen_keep_their_side_while_the_cursor_moves(
    world: World, size: tuple[int, int]
) -> None:
    """Toasts stay where they came while the cursor goes up and down the list off them
    (they changed sides each time its row crossed the list's middle), and move once,
    to the other side, when the cursor's row would come under them; never over it."""
    async with long_failed_list(world, size) as (pilot, screen, listing):
        inside = listing.scrollable_content_region
        toasts = await _toasts(pilot)
        await settle(pilot)
        came = [toast.region for toast in _shown(screen)]
        top = min(region.y for region in came) - 1  # the line above them (a margin)
        assert top > inside.y + inside.height // 2, (came, inside)  # bottom right

        def where() -> list[Region]:
            row = listing.cursor_region()
            assert row is not None
            regions = [toast.region for toast in _shown(screen)]
            assert not any(region.overlaps(row) for region in regions), (regions, row)
            return regions

        # Down past the middle to the row above the toasts, and back: they stay.
        rows_above = (top - inside.y) // FailedList.ROW_HEIGHT
        assert rows_above > inside.height // FailedList.ROW_HEIGHT // 2
        for key in ("down",) * (rows_above - 1) + ("up",) * (rows_above - 1):
            await press(pilot, key)
            await settle(pilot)
            assert where() == came, (key, listing.cursor)
        # Down onto their rows and on through the list: they go top right, once.
        moved = []
        for _ in range(rows_above + 4):
            await press(pilot, "down")
            await settle(pilot)
            regions = where()
            if regions != (moved[-1] if moved else came):
                moved.append(regions)
        assert len(moved) == 1 and moved[0][0].y <= inside.y + 1, (moved, inside)  # top right
        assert len(toasts) == len(moved[0])


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_stay_off_the_import_report(
    world: World, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Several toasts at once over the import dialog leave its report whole (they
    stacked up over its right side), inside the dialog, off its options and next step;
    the dialog's own notices are said on its next-step line, not toasted."""
    path = tmp_path / "fans.csv"
    path.write_text("username;name;total spent\n" + "".join(
        f"imp{n};Ann;{'abc' if n % 2 else '12.50'}\n" for n in range(12)), encoding="utf-8")
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        dialog = await open_import(pilot, path)
        hint = dialog.query_one("#fan-import-next")
        assert "ctrl+s imports" in str(hint.render()) and not app._notifications
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: dialog.report is not None)
        await settle(pilot)
        report = dialog.query_one("#fan-import-outcome")
        assert report.region.height >= 3, report.region
        toasts = await _toasts(pilot)
        for note in ("5 messages could not be sent: see Failed messages", "Queued again"):
            app.notify(note, severity="error", timeout=30)
        await wait_for(pilot, lambda: sum(bool(t.region.area) for t in dialog.query(Toast))
                       == len(toasts) + 2)
        await settle(pilot)
        inside = dialog.query_one("#fan-import-dialog").scrollable_content_region
        kept_clear = [report, hint, *dialog.query_one("#fan-import-options").children]
        drawn = _drawn_parts(dialog)
        assert drawn  # the first at least, where there is no room for all (80x24)
        for part in drawn:
            assert inside.contains_region(part), (part, inside)
            assert not any(part.overlaps(widget.region) for widget in kept_clear), part


@pytest.mark.parametrize("size", SIZES)
async def test_long_toasts_on_analytics_stay_over_the_revenue_chart_lines(
    world: World, size: tuple[int, int]
) -> None:
    """A toast of many lines (an export's, naming its file in full) with a new
    message's: drawn over the revenue chart's lines only, never over its dates, axis
    or amounts (at 80x24 one of 5 lines reached the dates), scrolled to the end too."""
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await analytics_screen(pilot)
        await settle(pilot)
        chart = screen.query_one(RevenueChart)
        await _toasts(pilot)
        app.notify("Exported 7 daily rows to /home/chatter/exports/analytics/"
                   "creator-account-number-one/2026-11-14-to-2026-11-20.csv", timeout=30)
        await settle(pilot)
        for keys in [(), ("end",)]:
            await press(pilot, *keys)
            await settle(pilot)
            area = chart.region
            top = chart.render_line(2).text  # the first plot line: an amount and the axis
            axis = min(i for i in (top.find("┤"), top.find("│")) if i >= 0)
            amounts = Region(area.x, area.y, axis + 1, area.height)
            dates = Region(area.x, area.bottom - 2, area.width, 2)  # the axis, the dates
            drawn = _drawn_parts(screen)
            assert drawn
            for part in drawn:
                assert chart.region.contains_region(part), (part, chart.region)
                assert not part.overlaps(amounts) and not part.overlaps(dates), (part, area)
            _no_words_under(drawn, chart)
