"""The footer (``KeyFooter``) is made again only when the keys it shows change."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList
from ofcrm_tui.tui.widgets.failed_list import FailedList
from ofcrm_tui.tui.widgets.footer import KeyFooter
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, show, wait_for

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
async def test_footer_keys_mount_in_the_footers_spacing(
    world: World, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """Keys made for a footer, roomy or compact, mount already styled for it:
    none is restyled as it mounts (Textual's were restyled twice each, every time a
    footer was made: a twelfth of the app's start-up)."""
    restyled: list[FooterKey] = []
    update = FooterKey.update_node_styles

    def counted(self: FooterKey, animate: bool = True) -> None:
        restyled.append(self)
        update(self, animate)

    monkeypatch.setattr(FooterKey, "update_node_styles", counted)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        keys = list(footer.query(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert len(palette) == 1 and palette[0].compact  # Textual draws it compact
        assert all(key.compact == footer.compact for key in keys if key not in palette)
        assert all(key.has_class("-compact") == key.compact for key in keys)
        assert restyled == []


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
        assert app.screen.flt.query == "zzz"
        # No match: none to open (nor n, N); Esc clears the search.
        assert shown() == listing - {("enter", "Open")} | {("escape", "Clear search")}
        await press(pilot, "escape")
        assert app.screen.flt.query is None and shown() == listing


async def test_the_inbox_footer_shows_next_and_previous_match_while_a_search_is_on(world: World) -> None:
    """n and N step through a search's matches: the footer named them nowhere (only the
    help did); it does while the list shows a search, not before it or after Esc."""
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        matches = {("n", "Next match"), ("N", "Previous match")}

        def shown() -> set[tuple[str, str]]:
            return {(key.key, key.description) for key in app.screen.query(FooterKey)}

        assert not matches & shown()
        await press(pilot, "slash", *"hi")  # typing the search: n types
        assert not matches & shown()
        await press(pilot, "enter")
        assert app.screen.flt.query == "hi"
        assert matches <= shown()
        await press(pilot, "escape")  # the search is cleared
        assert app.screen.flt.query is None and not matches & shown()


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_keys_that_act_on_a_row_are_not_offered_by_an_empty_list(
    world: World, size: tuple[int, int]
) -> None:
    """No campaign: no p, r, x, R, e or D (they showed, acting on nothing); no fan found:
    no Open or Chat; no failed message: no Select, Retry, Retry all or Discard (space
    Select showed). Pressed anyway, they do nothing; with rows they are back."""
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)

        def shown() -> set[str]:
            return {key.key for key in app.screen.query(FooterKey)}

        # (mode key, its list, the row keys not offered, those pressed, a key offered)
        for key, rows, hidden, pressed, kept in [
            ("2", FailedList, {"space", "enter", "R", "ctrl+r", "d"},
             ("space", "R", "ctrl+r", "d", "enter"), "p"),
            ("4", CampaignList, {"p", "r", "x", "R", "e", "D"},
             ("p", "x", "R", "e", "D", "enter"), "n"),
        ]:
            await press(pilot, key)
            screen = app.screen
            await wait_for(pilot, lambda screen=screen, rows=rows: screen.query_one(rows).empty)
            assert not hidden & shown() and kept in shown()
            await press(pilot, *pressed)
            assert app.screen is screen and not app._notifications  # noqa: SLF001

        await press(pilot, "3")
        fans = app.screen
        assert isinstance(fans, FansScreen)
        await wait_for(pilot, lambda: fans.fans.counted and fans.fans.count == 30)
        assert {"enter", "c"} <= shown()
        await press(pilot, "slash", *"nobody-here", "enter")
        await wait_for(pilot, lambda: fans.fans.empty)
        assert not {"enter", "c"} & shown() and "slash" in shown()
        await press(pilot, "c", "enter", "D")
        assert app.screen is fans and not app._notifications  # noqa: SLF001
        await press(pilot, "escape")  # the search cleared: every fan, and the keys, again
        await wait_for(pilot, lambda: fans.fans.count == 30)
        assert {"enter", "c"} <= shown()


async def test_the_campaign_composer_comes_with_its_footer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every paint of the composer shows its keys: the footer waited for the screen's
    first bindings refresh and a paint after it (at 80x24, four paints without it)."""
    from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

    app = world.app()
    painted: list[set[str]] = []
    display = type(app)._display  # noqa: SLF001

    def shown(self, screen, renderable) -> None:  # noqa: ANN001
        if isinstance(screen, CampaignComposer) and renderable is not None:
            painted.append({key.key for key in screen.query(FooterKey)})
        display(self, screen, renderable)

    monkeypatch.setattr(type(app), "_display", shown)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        assert isinstance(app.screen, CampaignComposer)
        assert painted and all({"escape", "ctrl+s", "ctrl+l"} <= keys for keys in painted), painted


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_fans_search_line_shows_its_keys(world: World, size: tuple[int, int]) -> None:
    """As the inbox's: ``3 /`` showed an empty footer; it shows the line's Enter and
    Esc, which work (Esc closes the line and keeps the search as it was), and the list's
    keys again after, with Esc: Clear search while a search is on (the help listed it,
    the footer never did), else Inbox, the way back (at 80 columns the palette's key
    makes room for it, as ``footer_fit`` says)."""
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        screen = app.screen
        assert isinstance(screen, FansScreen)
        await wait_for(pilot, lambda: screen.fans.loaded)

        def shown() -> set[tuple[str, str]]:
            return {(key.key, key.description) for key in screen.query(FooterKey)}

        listing = shown()
        await press(pilot, "slash")
        assert {("enter", "Search"), ("escape", "Close search")} <= shown()
        await press(pilot, "z", "z", "escape")  # closes the line, nothing else
        assert screen.flt.search is None and screen.focused is screen.fans
        assert shown() == listing
        assert ("escape", "Inbox") in listing  # no search: nothing to clear
        assert (("ctrl+p", "Commands") in listing) == (size[0] > 80)
        await press(pilot, "slash", "a", "enter")  # Enter searches
        assert screen.flt.search == "a"
        assert shown() == listing - {("escape", "Inbox")} | {("escape", "Clear search")}
        await press(pilot, "slash", "b", "escape")  # the search stays as it was
        assert screen.flt.search == "a" and screen.focused is screen.fans
        assert ("escape", "Clear search") in shown()
        await press(pilot, "escape")  # on the list: clears it
        assert screen.flt.search is None and shown() == listing


@pytest.mark.parametrize("size", [(80, 24), (64, 24)])
async def test_the_campaign_composer_footer_names_only_the_keys_that_fit(
    world: World, size: tuple[int, int]
) -> None:
    """The composer's footer is fitted as a screen's (``FittedFooter``): at 80 columns,
    compact, every key named whole, "Schedule…" (its longest name) too; narrower, the
    keys with no room are left out from the last, not cut at the border ("Preview next"
    ran off a 64-column terminal), and its Esc, ctrl+s and ctrl+l stay named."""
    from textual.widgets import Input

    from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

    width = size[0]
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        composer = await show(pilot, "n", CampaignComposer)
        composer.query_one("#campaign-at", Input).value = "2026-12-24 18:00"
        await wait_for(pilot, lambda: ("ctrl+l", "Schedule…") in {
            (key.key, key.description) for key in composer.query(FooterKey)})
        footer = composer.query_one(KeyFooter)
        keys = list(composer.query(FooterKey))
        assert footer.compact
        assert all(key.region.right <= width for key in keys), [
            (key.key, key.region) for key in keys]
        named = {key.key for key in keys}
        assert {"escape", "ctrl+s", "ctrl+l"} <= named
        assert (named >= {"ctrl+down", "ctrl+o", "ctrl+n"}) == (width >= 80)
