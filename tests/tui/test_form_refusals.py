"""A form dialog's refusal points at the field at fault with its text selected
(``FormDialog.point_at``), whether that field had the focus or not: the next keys replace
the bad text (the new fan's cursor was left at its end: ``u100418bad user!lena_qa``)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog
from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.pilot import press, type_text, wait_for
from tests.tui.fans_pilot import fans_dialog

pytestmark = pytest.mark.anyio


async def _pointed_at(pilot, box: Input, error: Static) -> None:  # noqa: ANN001
    """Refused: the reason shown, ``box`` focused with its whole text selected."""
    await wait_for(pilot, lambda: bool(error.display))
    assert pilot.app.focused is box
    assert box.value and box.selected_text == box.value


@pytest.mark.parametrize("field", ["username", "nickname"])
async def test_a_refused_new_fan_field_is_typed_over(world: World, field: str) -> None:
    """The username, refused on ctrl+s from the last field; the nickname, on its own
    Enter (it has the focus as it is refused)."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        _, dialog = await fans_dialog(pilot, "plus", NewFanDialog)
        box = dialog.query_one(f"#fan-new-{field}", Input)
        if field == "username":
            await type_text(pilot, "u100418bad user!")
            await press(pilot, "tab", "tab", "ctrl+s")
        else:
            await type_text(pilot, "lena_qa")
            await press(pilot, "tab", "tab")
            box.value = "n" * 256
            await press(pilot, "enter")
        await _pointed_at(pilot, box, dialog.query_one("#fan-new-error", Static))
        await type_text(pilot, "lena_qa")
        assert box.value == "lena_qa"
        await press(pilot, "ctrl+s")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        assert getattr(detail.detail.profile, field) == "lena_qa"


@pytest.mark.parametrize("save", ["ctrl+s", "enter"])
async def test_a_refused_filter_field_is_typed_over(world: World, save: str) -> None:
    """ctrl+s from another field, or the bad field's own Enter."""
    async with world.app().run_test(size=(100, 30)) as pilot:
        screen, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        box = dialog.query_one("#fan-filter-min", Input)
        dialog.set_focus(box)
        await type_text(pilot, "ten")
        if save == "ctrl+s":
            await press(pilot, "tab")
        await press(pilot, save)
        await _pointed_at(pilot, box, dialog.query_one("#fan-filter-error", Static))
        await type_text(pilot, "10")
        assert box.value == "10"
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen and screen.flt.min_spent_cents == 1000


@pytest.mark.parametrize("field", ["tags-out", "before"])
async def test_a_refused_field_stays_in_view_with_its_reason(world: World, field: str) -> None:
    """At 80x24 the filter dialog scrolls: the reason below the fields was scrolled into
    view and both tag fields out of it, the focus and the selection on the hidden one;
    the last field, refused, lost its last line to the reason laid out under it."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        _, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        box = dialog.query_one(f"#fan-filter-{field}", Input)
        if field == "tags-out":
            await type_text(pilot, "vip")
            await press(pilot, "tab")
            await type_text(pilot, "vip")
        else:
            dialog.set_focus(box)
            await type_text(pilot, "nope")
        await press(pilot, "ctrl+s")
        error = dialog.query_one("#fan-filter-error", Static)
        await _pointed_at(pilot, box, error)
        await pilot.pause(0.6)  # a scroll may animate
        shown = dialog.query_one("#fan-filter-dialog").content_region
        assert shown.contains_region(box.region) and shown.contains_region(error.region)
        assert not box.region.overlaps(error.region)
