"""The help (``?``) names every key the footer offers, in the footer's words: for
every screen, the keys of its own sections and the app's (the Failed screen's help had
no ``space Select`` nor ``⏎ Open``)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.screens import registry
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import PagedList
from tests.tui.conftest import World
from tests.tui.failed_pilot import _many_failed
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


def _footer_keys(app) -> list[tuple[str, str]]:  # noqa: ANN001
    """The keys the screen's footer names: (key as shown, description)."""
    footer = app.screen.query_one(KeyFooter)
    return [(key.key_display, key.description) for key in footer.query(FooterKey)]


def _help_rows(app, last: str = "Everywhere") -> list[tuple[list[str], str]]:  # noqa: ANN001
    """The keys the help lists from its first section to ``last`` (by default: the
    screen's sections and the app's), each row's keys as shown and its description."""
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    titles = [title for title, _ in help_screen.sections]
    shown = help_screen.sections[:titles.index(last) + 1]
    return [(keys.split(" "), text) for _, owner in shown
            for keys, text, _id in help_screen._rows(owner)]


# Each screen's keys where the footer names others: (the screen's key, keys pressed there).
STATES = [
    *((spec.keys.split(",")[0], ()) for spec in registry.SCREENS),
    ("1", ("enter",)),  # a conversation open
    ("1", ("enter", "tab")),  # its thread
    ("1", ("enter", "r")),  # the reply box
    ("1", ("slash",)),  # the search box
    ("3", ("slash",)),
    ("3", ("enter",)),  # the fan's screen
    ("4", ("enter",)),  # a campaign open
    ("4", ("enter", "tab")),  # its recipients
    ("4", ("n",)),  # the campaign composer
]


@pytest.mark.parametrize(("screen_key", "keys"), STATES, ids=lambda v: str(v))
async def test_the_help_names_every_key_the_footer_shows(
    world: World, screen_key: str, keys: tuple[str, ...]
) -> None:
    # Rows on every list: the keys that act on a row are shown.
    _many_failed(world, 3)
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Later", "Hi"),
                         created_by="tester")
    app = world.app()
    # Wide enough for the footer to name every key the screen shows.
    async with app.run_test(size=(400, 40)) as pilot:
        await settle(pilot)
        await press(pilot, screen_key)
        lists = app.screen.query(PagedList)
        await wait_for(pilot, lambda: all(the_list.loaded for the_list in lists))
        focused = app.screen.focused
        assert not isinstance(focused, PagedList) or focused.count
        await press(pilot, *keys)
        footer = _footer_keys(app)
        assert footer
        app.action_help()  # what ? does (a text box focused types it)
        await settle(pilot)
        rows = _help_rows(app)
        # An id with two meanings is one row naming both ("Close search / back").
        missing = [(key, text) for key, text in footer
                   if not any(key in keys and text.lower() in described.lower().split(" / ")
                              for keys, described in rows)]
        assert not missing, f"the help does not name {missing}"


async def test_the_fans_help_says_what_esc_does(world: World) -> None:
    """Esc on the fans list clears the search (as the user guide says), else goes back
    to the inbox: the help said "Back", then "Clear search" only."""
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        screen = app.screen
        assert isinstance(screen, FansScreen)
        await press(pilot, "slash", "a", "enter")
        assert screen.flt.search == "a"
        await press(pilot, "escape")
        assert screen.flt.search is None and app.screen is screen
        await press(pilot, "question_mark")
        esc = [text for keys, text in _help_rows(app, "Fans") if "esc" in keys]
        assert esc == ["Clear search / inbox"]


@pytest.mark.parametrize(("screen_key", "keys", "esc"), [
    ("1", (), "Close search / back"),
    ("3", ("enter",), "Back / cancel edit"),
], ids=["inbox", "fan"])
async def test_an_id_with_two_meanings_is_listed_once(
    world: World, screen_key: str, keys: tuple[str, ...], esc: str
) -> None:
    """The inbox's Esc (one id, ``inbox.back``) was listed twice, "Close search" and
    "Back"; the fan's Esc too: one id reads once, its meanings on its row."""
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, screen_key, *keys)
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        for _title, owner in help_screen.sections:  # (a list's moves are in each list's)
            ids = [binding_id for _keys, _text, binding_id in help_screen._rows(owner)]
            assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        section = help_screen.sections[0][0]
        assert [text for keys_shown, text in _help_rows(app, section)
                if "esc" in keys_shown] == [esc]
