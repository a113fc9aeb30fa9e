"""The Fans and Failed lists, scrolled, say when rows came in above the view, as the inbox
does: ``↑8 above`` after the title, its count current, gone once ``g`` shows them.
(QA, 80x24: the Failed list's cursor kept its row as failures came in above it, out of
sight, and nothing said so; the Fans list by last active the same.)"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from ofcrm_tui.core.fans import FanFilter
from ofcrm_tui.core.fans.listing import FanSort
from ofcrm_tui.jobs.events import MessagesFailed, PollCompleted
from ofcrm_tui.tui.widgets.row_view import BORDER_LABEL_CELLS
from tests.tui.conftest import World
from tests.tui.failed_pilot import _many_failed, open_failed
from tests.tui.fans_pilot import open_fans
from tests.tui.pilot import press, wait_for

pytestmark = pytest.mark.anyio


def title(widget: Widget) -> str:
    """The list's border title as drawn, without its styles (the marker is bold)."""
    return Content.from_markup(widget.border_title or "").plain


async def test_failures_arriving_above_the_failed_list_s_view_are_counted_in_its_title(
    world: World,
) -> None:
    _many_failed(world, 17, age=timedelta(minutes=30))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_failed(pilot)
        await press(pilot, "j", "j", "j")
        kept = listing.cursor_row
        assert title(listing) == "Failed, last 7 days  17"
        # A campaign's sends fail: eight newer failures, the cursor's row pushed down
        # past the view's bottom; it keeps its screen line, the new rows out of sight.
        app.job_event(MessagesFailed(world.account.id, tuple(_many_failed(world, 8))))
        await wait_for(pilot, lambda: listing.count == 25)
        assert listing.cursor_row.id == kept.id
        assert listing.cursor - listing._top_row() == 3
        assert listing._top_row() == 8
        await wait_for(pilot, lambda: title(listing) == "Failed, last 7 days  25  ↑8 above")
        await press(pilot, "g")
        await wait_for(pilot, lambda: title(listing) == "Failed, last 7 days  25")
        assert listing.cursor == 0


async def test_fans_active_above_the_fans_list_s_view_are_counted_in_its_title(
    world: World,
) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        screen = await open_fans(pilot)
        fans = screen.fans
        await press(pilot, "s")  # by last active
        await wait_for(pilot, lambda: fans.loaded and fans.counted)
        assert screen.sort is FanSort.LAST_ACTIVE
        head = "Fans  30 · by last active"
        assert title(fans) == head
        fit = fans.container_size.height
        writers = [fans.row_at(i).username for i in (28, 29)]  # the least active two
        await press(pilot, *["j"] * (fit + 2))
        kept, top = fans.cursor_row, fans._top_row()
        line = fans.cursor - top
        assert top == 3
        await wait_for(pilot, lambda: title(fans) == f"{head}  ↑3 above")
        by_name = {fan.username: fan_id for fan_id, fan in world.sim.world.fans.items()}
        for writer in writers:  # they write: active now, at the top of the list
            world.sim.add_inbound_message(by_name[writer], "still there?")
        report = await asyncio.to_thread(world.poll)
        pilot.app.job_event(PollCompleted(world.account.id, report))
        await wait_for(pilot, lambda: {getattr(fans.row_at(i), "username", None)
                                       for i in range(2)} == set(writers))
        assert fans.cursor_row.fan_id == kept.fan_id
        assert fans.cursor - fans._top_row() == line
        await wait_for(pilot, lambda: title(fans) == f"{head}  ↑5 above")
        await press(pilot, "g")
        await wait_for(pilot, lambda: title(fans) == head)
        assert fans.row_at(0).username in writers



async def test_a_title_too_long_for_its_border_is_cut_before_the_marker(world: World) -> None:
    """Two tags left out fill the Fans list's top border at 80 columns: scrolled, the
    marker is shortened (``↑3``, its word left out first) and the title cut (``…``)
    before it, which stays in sight."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        screen = await open_fans(pilot)
        fans = screen.fans
        screen._set_filter(FanFilter(tags_out=("a" * 25, "b" * 25)))  # every fan
        await wait_for(pilot, lambda: fans.loaded and fans.counted)
        await press(pilot, *["j"] * (fans.container_size.height + 2))
        await wait_for(pilot, lambda: title(fans).endswith("…  ↑3"))
        assert title(fans).startswith("Fans  30 · not #aaaa")
        assert cell_len(title(fans)) == fans.outer_size.width - BORDER_LABEL_CELLS
