"""The inbox's footer at 80 columns while the list shows a search: the keys that do not
fit are the minor ones (N, n's reverse; u, whose room n takes) and then the palette's
ctrl+p, not r Reply nor esc Clear search (QA: Esc cleared the search, and no footer said
so); all of them work, and the help lists them."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import World
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio


async def test_a_search_at_80_columns_keeps_reply_and_clear_search_in_the_footer(
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
        assert {("r", "Reply"), ("escape", "Clear search"), ("n", "Next match"),
                ("question_mark", "Help"), ("q", "Quit")} <= shown
        # In the help, and they work.
        assert shown.isdisjoint({("N", "Previous match"), ("u", "Next unread"),
                                 ("ctrl+p", "Commands")})
        assert all(key.region.area and key.region.right <= 80 for key in keys)  # drawn whole
