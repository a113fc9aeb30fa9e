"""The import's file picker (``I`` on the fans): a path typed or pasted with spaces
around it is taken (refused "The file must exist"), and its footer names its own keys
(the fans screen's showed under it: ``⏎ Open / Search s Sort ...``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from textual_fspicker.parts import DirectoryNavigation

from ofcrm_tui.tui.dialogs.csv_picker import CsvPicker
from ofcrm_tui.tui.dialogs.fan_import import ImportDialog
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.footer import KeyFooter
from tests.tui.conftest import World
from tests.tui.pilot import burst, press, settle, wait_for
from tests.tui.fans_pilot import open_fans

pytestmark = pytest.mark.anyio


async def _picker(
    pilot, home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> tuple[CsvPicker, FansScreen]:
    """The picker, opened in ``home`` from the fans screen (under it)."""
    monkeypatch.setattr(Path, "home", lambda: home)
    await settle(pilot)
    fans = await open_fans(pilot)
    await press(pilot, "I")
    await settle(pilot)
    picker = pilot.app.screen
    assert isinstance(picker, CsvPicker)
    return picker, fans


@pytest.mark.parametrize("typed", ["pasted", "typed"])
async def test_a_path_with_spaces_around_it_is_taken(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    (tmp_path / "spaced.csv").write_text("username\nspaced1\n", encoding="utf-8")
    async with world.app().run_test(size=(160, 45)) as pilot:
        picker, _ = await _picker(pilot, Path("/"), monkeypatch)
        path = f"  {tmp_path / 'spaced.csv'} \t "
        if typed == "pasted":
            box = picker.query_one(Input)
            picker.set_focus(box)
            box.value = path
            await press(pilot, "enter")
        else:
            burst(pilot.app, *path.replace("\t", " "), "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        assert pilot.app.screen.path == tmp_path / "spaced.csv"


async def test_a_path_that_is_not_there_trimmed_is_still_refused(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal stays in view (the box's text trimmed does not take it away)."""
    async with world.app().run_test(size=(160, 45)) as pilot:
        picker, _ = await _picker(pilot, tmp_path, monkeypatch)
        box = picker.query_one(Input)
        picker.set_focus(box)
        box.value = " missing.csv "
        await press(pilot, "enter")
        await settle(pilot)
        assert pilot.app.screen is picker and box.value == "missing.csv"
        assert picker.query_one("Dialog").border_subtitle == "The file must exist"


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_picker_s_footer_names_its_own_keys(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    async with world.app().run_test(size=size) as pilot:
        picker, fans = await _picker(pilot, tmp_path, monkeypatch)
        footer = picker.query_one(KeyFooter)
        under = fans.query_one(KeyFooter)
        assert footer.region == under.region  # over the fans' footer, hiding it

        def named() -> list[str]:
            return [key.description for key in footer.query(FooterKey) if key.display]

        assert "Cancel" in named() and "Hidden files" in named()
        assert not {"Sort", "Filter", "New fan", "Open"} & set(named())
        await press(pilot, "m")  # the name box has the focus: it types the dot
        await wait_for(pilot, lambda: "Hidden files" not in named())
        assert "Cancel" in named()
        picker.set_focus(picker.query_one(DirectoryNavigation))
        await wait_for(pilot, lambda: "Hidden files" in named())
        await press(pilot, "escape")
        assert pilot.app.screen is fans
