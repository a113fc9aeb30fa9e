"""The footer (``KeyFooter``) is made again only when the keys it shows change."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import World
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio


async def test_the_footer_keys_are_made_again_only_when_they_change(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        keys = list(app.screen.query(FooterKey))
        assert ("r", "Reply") in {(key.key, key.description) for key in keys}

        app.screen.refresh_bindings()  # what a focus change or a resize does: the same keys
        await settle(pilot)
        assert list(app.screen.query(FooterKey)) == keys

        await press(pilot, "2")  # another screen, other keys
        assert ("escape", "Inbox") in {(key.key, key.description)
                                       for key in app.screen.query(FooterKey)}


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_inbox_search_box_shows_its_keys(world: World, size: tuple[int, int]) -> None:
    """The footer follows the focus into the search (``/``): it showed no key at all;
    it shows the search's Enter and Esc, which work, and the list's keys again after."""
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)

        def shown() -> set[tuple[str, str]]:
            return {(key.key, key.description) for key in app.screen.query(FooterKey)}

        listing = shown()
        await press(pilot, "slash")
        assert {("enter", "Search"), ("escape", "Close search")} <= shown()
        await press(pilot, "escape")  # closes the search, nothing else
        assert shown() == listing and app.screen.focused is app.screen.conversations
        await press(pilot, "slash", "z", "z", "z", "enter")  # Enter searches
        assert app.screen.flt.query == "zzz" and shown() == listing
