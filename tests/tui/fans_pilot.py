"""The fans screen in a running app: opened and read, a dialog opened on it, the import
dialog on a file and its first run, the list's text."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from ofcrm_tui.tui.dialogs.fan_import import ImportDialog
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.fan_list import FanList
from tests.tui.pilot import lines, press, settle, wait_for


D = TypeVar("D")


async def open_fans(pilot) -> FansScreen:  # noqa: ANN001
    await press(pilot, "3")
    screen = pilot.app.screen
    assert isinstance(screen, FansScreen)
    await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
    return screen


async def fans_loaded(pilot) -> FansScreen:  # noqa: ANN001
    """From the start: the fans screen (3), its first rows read (not yet counted)."""
    await settle(pilot)
    await press(pilot, "3")
    screen = pilot.app.screen
    assert isinstance(screen, FansScreen)
    await wait_for(pilot, lambda: screen.fans.loaded)
    return screen


async def fans_dialog(pilot, key: str, kind: type[D]) -> tuple[FansScreen, D]:  # noqa: ANN001
    """The fans screen, read, and the dialog ``key`` opens on it."""
    await settle(pilot)
    screen = await open_fans(pilot)
    await press(pilot, key)
    dialog = pilot.app.screen
    assert isinstance(dialog, kind)
    return screen, dialog


async def open_import(pilot, path: Path) -> ImportDialog:  # noqa: ANN001
    """The import dialog on ``path``, its preview read."""
    pilot.app.push_screen(ImportDialog(path))
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ImportDialog)
    await wait_for(pilot, lambda: dialog.found is not None)
    return dialog


async def check_file(pilot, path: Path) -> ImportDialog:  # noqa: ANN001
    """From the start: the import dialog on ``path`` (from the fans screen) and its
    first run (ctrl+s) done, its report laid out."""
    await settle(pilot)
    await open_fans(pilot)
    dialog = await open_import(pilot, path)
    await press(pilot, "ctrl+s")
    await wait_for(pilot, lambda: dialog.report is not None)
    await settle(pilot)
    return dialog


def fan_text(pilot) -> str:  # noqa: ANN001
    return "\n".join(lines(pilot.app.screen.query_one(FanList)))
