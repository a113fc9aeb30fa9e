"""The fans screen's filter: the cursor's fan kept across filters set and cleared, and
filters no fan can pass refused by the dialog, as the command line refuses them."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Select, Static
from textual.widgets._footer import FooterKey

from ofcrm_tui.core.fans import FanFilter, edits
from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog
from ofcrm_tui.tui.screens.fans import FansScreen
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for
from tests.tui.fans_pilot import open_fans

pytestmark = pytest.mark.anyio


async def filter_dialog(pilot) -> FanFilterDialog:  # noqa: ANN001
    await press(pilot, "f")
    dialog = pilot.app.screen
    assert isinstance(dialog, FanFilterDialog)
    return dialog


async def filter_on_tag(pilot, screen: FansScreen, tag: str) -> None:  # noqa: ANN001
    """``f``, ``tag`` in the dialog's tags, ctrl+s: the list shows the fans tagged so."""
    dialog = await filter_dialog(pilot)
    dialog.query_one("#fan-filter-tags-in", Input).value = tag
    await press(pilot, "ctrl+s")
    await wait_for(pilot, lambda: screen.flt.tags_in == (tag,) and screen.fans.loaded
                   and screen.fans.counted)


async def test_a_filter_that_hid_the_cursors_fan_cleared_finds_the_cursor_on_it_again(
    world: World,
) -> None:
    """QA: the cursor on a fan, a filter that hides it (``#vip``) puts the cursor on a
    vip; ``x`` then left it on that vip, not on the fan it was on. Until the cursor
    moves, each filter keeps asking for the fan it was on (as the inbox's ``m m m``)."""
    db, account_id = world.context.db, world.account.id
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        fans = screen.fans
        ids = [fans.row_at(index).fan_id for index in range(6)]
        for fan_id in (ids[1], ids[4], ids[5]):
            await asyncio.to_thread(edits.add_tags, db, account_id, fan_id, ["vip"])
        await press(pilot, "j", "j", "j")
        kept = fans.cursor_row.fan_id
        assert kept == ids[3]
        for _ in range(2):  # set and cleared twice: back on it each time
            await filter_on_tag(pilot, screen, "vip")
            assert fans.count == 3 and fans.cursor_row.fan_id != kept
            await press(pilot, "x")
            await wait_for(pilot, lambda: screen.flt == FanFilter() and fans.loaded)
            assert fans.cursor_row.fan_id == kept
        # Moved meanwhile, the cursor's fan then is the one kept.
        await filter_on_tag(pilot, screen, "vip")
        await press(pilot, "j")
        moved_to = fans.cursor_row.fan_id
        assert moved_to in (ids[1], ids[4], ids[5]) and moved_to != kept
        await press(pilot, "x")
        await wait_for(pilot, lambda: screen.flt == FanFilter() and fans.loaded)
        assert fans.cursor_row.fan_id == moved_to


@pytest.mark.parametrize(
    ("typed", "purchased", "why", "at"),
    [
        ({"tags-in": "vip", "tags-out": "blocked, #VIP"}, None,
         "#vip is both wanted and left out: no fan can match", "tags-out"),
        ({"min": "5"}, False,
         "never purchased, with a minimum spend of $5.00: no fan can match", "min"),
        ({"max": "0"}, True,
         "has purchased, with a maximum spend of $0.00: no fan can match", "max"),
        # QA: the spend refusals quoted what was typed, the days' did not.
        ({"after": " 2026-13-01"}, None,
         "active since: a day like 2026-11-20, not '2026-13-01'", "after"),
    ],
)
async def test_the_filter_dialog_refuses_a_filter_no_fan_can_pass(
    world: World, typed: dict[str, str], purchased: bool | None, why: str, at: str,
) -> None:
    """QA: ``vip`` both wanted and left out, "Never purchased" with a minimum spend, "Has
    purchased" with at most $0: applied without a word, an empty list. The dialog says
    why in its line and stays open, all typed kept, the cursor on the field at fault;
    the filter as it was stays applied."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        dialog = await filter_dialog(pilot)
        for box, text in typed.items():
            dialog.query_one(f"#fan-filter-{box}", Input).value = text
        if purchased is not None:
            dialog.query_one("#fan-filter-purchased", Select).value = purchased
        await press(pilot, "ctrl+s")
        error = dialog.query_one("#fan-filter-error", Static)
        assert pilot.app.screen is dialog and error.display
        assert str(error.render()) == why
        assert dialog.focused is dialog.query_one(f"#fan-filter-{at}")
        for box, text in typed.items():
            assert dialog.query_one(f"#fan-filter-{box}", Input).value == text
        assert screen.flt == FanFilter() and screen.fans.count == 30


def _footer(screen: FansScreen) -> set[tuple[str, str]]:
    return {(key.key, key.description) for key in screen.query(FooterKey)}


async def test_x_is_named_while_a_filter_is_on(world: World) -> None:
    """The footer never showed x: it is named while a filter is on, with a search or not,
    and not for a search alone (Esc clears that)."""
    async with world.app().run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert ("x", "Clear filters") not in _footer(screen)
        await press(pilot, "slash", *"a", "enter")
        await settle(pilot)
        assert screen.flt.search == "a" and ("x", "Clear filters") not in _footer(screen)
        await filter_on_tag(pilot, screen, "vip")
        await settle(pilot)
        assert ("x", "Clear filters") in _footer(screen)
        await press(pilot, "escape")  # the search cleared, the filter kept
        await settle(pilot)
        assert screen.flt.search is None and ("x", "Clear filters") in _footer(screen)
        await press(pilot, "x")
        await settle(pilot)
        assert screen.flt == FanFilter() and ("x", "Clear filters") not in _footer(screen)
