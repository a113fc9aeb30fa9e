"""Widgets of a screen that went are freed: nothing of the app's keeps them alive."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from textual.signal import Signal
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.pilot import inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


def gone_subscribers(signal: Signal[Any]) -> list[object]:
    """The nodes ``signal`` still keeps (with their callbacks, which hold them) that left."""
    return [node for node in signal._subscriptions if not node.is_attached]


def detached(kind: type[Widget]) -> list[Widget]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind) and not o.is_attached]


async def test_a_fan_screen_closed_leaves_the_apps_signals(world: World) -> None:
    """Its subscription to the app's data changes held it until they next changed:
    every fan screen opened and closed stayed in memory with its widgets."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the top conversation
        await wait_for(pilot, lambda: inbox(pilot).open_row is not None)
        for _ in range(2):
            await press(pilot, "i")
            assert isinstance(app.screen, FanDetailScreen)
            await press(pilot, "escape")
        for signal in (app.changes, app.team):
            assert gone_subscribers(signal) == []


async def test_the_campaign_composer_closed_leaves_the_apps_changes(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        assert isinstance(app.screen, CampaignComposer)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CampaignComposer))
        assert gone_subscribers(app.changes) == []


async def test_footer_keys_made_again_are_freed(world: World) -> None:
    """Each key a footer makes watches the footer's spacing, which seldom changes: the
    keys of every footer made again (another screen, other keys) stayed alive."""
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await press(pilot, "2", "1")  # the fans' screen and back: both footers made again
        assert detached(FooterKey) == []
