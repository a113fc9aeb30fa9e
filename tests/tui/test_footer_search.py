"""The inbox's footer at 80 columns while the list shows a search: the keys that do not
fit are the minor ones (N, n's reverse), not r Reply nor the palette's ctrl+p, which
work and were left out."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import World
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio


async def test_a_search_at_80_columns_keeps_reply_and_the_palette_in_the_footer(
    world: World,
) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"hi", "enter")
        await settle(pilot)
        assert app.screen.flt.query == "hi"
        keys = list(app.screen.query(FooterKey))
        shown = {(key.key, key.description) for key in keys}
        assert {("r", "Reply"), ("ctrl+p", "Commands"), ("n", "Next match"),
                ("question_mark", "Help"), ("q", "Quit")} <= shown
        assert ("N", "Previous match") not in shown  # in the help, and it works
        assert all(key.region.area and key.region.right <= 80 for key in keys)  # drawn whole
