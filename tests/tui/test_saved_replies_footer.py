"""The saved-replies picker's footer names Enter, as the other choice dialogs do."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.tui.dialogs.saved_replies import SavedReplyPicker
from tests.tui.conftest import World
from tests.tui.pilot import composer, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_the_pickers_footer_says_enter_inserts_the_reply(world: World) -> None:
    """It read `esc Cancel ^n New reply ^t Delete`: the filter's own Enter hid the
    dialog's."""
    saved_replies.create_reply(world.context.db, world.account.id, "goodnight", "sleep well")
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SavedReplyPicker)
                       and pilot.app.screen.shown)
        keys = [(key.key, key.description) for key in pilot.app.screen.query(FooterKey)]
        assert keys[:2] == [("enter", "Insert"), ("escape", "Cancel")], keys

        await press(pilot, "tab")  # on the list: its Enter picks too
        keys = [(key.key, key.description) for key in pilot.app.screen.query(FooterKey)]
        assert ("enter", "Insert") in keys, keys
        await press(pilot, "enter")
        assert composer(pilot).text == "sleep well"
