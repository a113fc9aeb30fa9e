"""The help (``?``) lists the keys of the screen shown first, then the keys of every
screen, then the other screens' (the fans screen listed the inbox's first)."""

from __future__ import annotations

import pytest

from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.screens import registry
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from tests.tui.conftest import World
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _titles(app) -> list[str]:  # noqa: ANN001
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    # The title each section draws, top to bottom.
    return [lines(section)[0].strip() for section in help_screen.query(".help-section")]


@pytest.mark.parametrize("spec", registry.SCREENS, ids=lambda spec: spec.mode)
async def test_the_help_lists_the_screen_shown_first(world: World, spec) -> None:  # noqa: ANN001
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, spec.keys.split(",")[0])
        assert isinstance(app.screen, spec.load())
        await press(pilot, "question_mark")
        titles = _titles(app)
        own = [title for title, _ in spec.help_sections()]
        assert titles[:len(own) + 1] == [*own, "Everywhere"]
        assert len(titles) == len(set(titles)) == len(app.help_sections())


async def test_the_help_on_a_fans_screen_lists_its_keys_first(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        screen = app.screen
        assert isinstance(screen, FansScreen)
        await wait_for(pilot, lambda: screen.fans.loaded)
        await press(pilot, "enter")
        assert isinstance(app.screen, FanDetailScreen)
        await press(pilot, "question_mark")
        assert _titles(app)[:2] == ["Fan detail", "Everywhere"]
        await press(pilot, "escape", "escape", "question_mark")
        assert _titles(app)[:3] == ["Fans", "Fan list", "Fan detail"]
