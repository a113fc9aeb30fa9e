"""The campaign composer's ctrl+down / ctrl+up stop at the last section and the first:
going round landed on the name with its text selected, and what was typed next for
the recipients replaced the campaign's name."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, type_text

pytestmark = pytest.mark.anyio


async def test_sections_stop_at_the_last_and_the_first(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        await type_text(pilot, "Friday drop")
        await press(pilot, "tab")
        await type_text(pilot, "Hi {name}")
        await press(pilot, *["ctrl+down"] * 4)
        await type_text(pilot, "vip")
        tagged = composer.query_one("#campaign-tags_in", Input)
        assert composer.focused is tagged
        assert composer.query_one("#campaign-name", Input).value == "Friday drop"
        assert tagged.value == "vip"
        assert composer.query_one("#campaign-text", TextArea).text == "Hi {name}"
        await press(pilot, *["ctrl+up"] * 6)
        assert composer.focused is composer.query_one("#campaign-name", Input)
