"""The chatters table names its columns short where its cells, not only its headings,
do not fit: the full headings fitted (their own widths were all it measured) and the
rows that came with them pushed ``p90 reply`` past the edge."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from ofcrm_tui.core.analytics.chatters import ChatterStats
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import World
from tests.tui.pilot import lines, press, settle, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio


async def test_p90_stays_in_view_with_wide_cells(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        table = app.screen.query_one("#chatters-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        wide = [ChatterStats(f"Annabelle-Marie{i}", 123_456, 12_345, 12_345, 12_345_678,
                             9_000, 44_880.0, 44_880.0) for i in range(12)]
        table.show([*wide, ChatterStats(None, 1, 0, 0, 0, 0, None, None)])
        await settle(pilot)
        assert [str(c.label) for c in table.columns.values()][-1] == "p90"
        assert table.max_scroll_x == 0  # no column past the edge, the scrollbar's beside
        assert lines(table)[1].rstrip().endswith("12h 28m")
