"""Keys still held (waiting for a dialog or a screen on its way) when the app closes are
dropped: the timer that lets them go ran after the screens were gone and raised
``ScreenStackError`` out of the app (seen as a failed test on a loaded machine, the
test's app closing right behind a burst)."""

from __future__ import annotations

import pytest
from textual.events import Key

from tests.tui.conftest import World
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


async def test_keys_held_as_the_app_closes_are_dropped(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app._held_keys.append(Key("j", "j"))  # noqa: SLF001 - a key waiting for its screen
        stack = app._screen_stacks[app._current_mode]  # noqa: SLF001
        screens = list(stack)
        stack.clear()  # as closing leaves it
        try:
            await app._release_keys()  # noqa: SLF001 - its timer, come due
        finally:
            stack.extend(screens)
        assert app._held_keys == []  # noqa: SLF001
