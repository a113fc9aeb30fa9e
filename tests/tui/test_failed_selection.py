"""What R and d act on is said before either is pressed: the footer names the selection
(``R Retry 2 selected``), or none (``R Retry``: the cursor's row), at 80x24 too; space
says it moves down; the Discard question counts the selection."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.widgets.footer import KeyFooter
from tests.tui.conftest import World
from tests.tui.failed_pilot import _many_failed, _notes, _states, open_failed
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio


def _footer(app: object) -> dict[str, str]:
    """The keys the footer draws, within the screen's width: key shown -> description."""
    screen = app.screen  # type: ignore[attr-defined]
    keys = [key for key in screen.query_one(KeyFooter).query(FooterKey) if key.display]
    assert all(key.region.right <= screen.size.width for key in keys)
    return {key.key_display: key.description for key in keys}


async def test_the_footer_and_the_question_name_the_selection(world: World) -> None:
    ids = _many_failed(world, 12)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await open_failed(pilot)
        footer = _footer(app)
        assert (footer["R"], footer["d"], footer["space"]) == ("Retry", "Discard", "Select ↓")

        await press(pilot, "space")  # row 0 ticked, the cursor on row 1
        assert listing.cursor == 1 and listing.selected == {ids[0]}
        footer = _footer(app)
        assert (footer["R"], footer["d"]) == ("Retry 1 selected", "Discard 1 selected")
        assert {"?", "q"} <= footer.keys()

        await press(pilot, "d")
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.title_text == "Discard 1 selected message?"
        await press(pilot, "escape")  # Back: the selection stays, and the footer says so
        assert _footer(app)["R"] == "Retry 1 selected"

        for _ in range(10):  # eleven selected: the widest count still fits 80 columns
            await press(pilot, "space")
        footer = _footer(app)
        assert (footer["R"], footer["d"]) == ("Retry 11 selected", "Discard 11 selected")
        await press(pilot, "d")
        assert app.screen.title_text == "Discard 11 selected messages?"
        await press(pilot, "escape", "R")
        assert _notes(app)[-1] == "Queued again: 10 messages; 1 message left failed: manual " \
                                  "retries are limited to 10 a minute, the next frees up in 60 s"
        # The one left failed stays selected: the footer still names it.
        assert _footer(app)["R"] == "Retry 1 selected"
        await press(pilot, "d")
        assert app.screen.title_text == "Discard 1 selected message?"
        await press(pilot, "down", "enter")
        assert _notes(app)[-1] == "Discarded 1 message" and not listing.selected
        assert (_footer(app)["R"], _footer(app)["d"]) == ("Retry", "Discard")
    assert _states(world, ids) == ["queued"] * 10 + ["cancelled", "failed"]


async def test_the_question_about_the_cursors_row_names_its_fan(world: World) -> None:
    _many_failed(world, 2)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "d")
        assert isinstance(app.screen, ChoiceDialog)
        assert app.screen.title_text == "Discard this failed message?"
        labels = [str(app.screen.query_one("OptionList").get_option_at_index(i).prompt)
                  for i in range(2)]
        assert labels[0] == "Keep it" and labels[1].startswith("Discard the message to ")
