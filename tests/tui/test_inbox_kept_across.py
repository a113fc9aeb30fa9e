"""What the inbox keeps across the ways back to it: the account open picked again, a
conversation opened from another screen (Failed) under unread only, and ``R`` on the
list for the open thread's failed reply."""

from __future__ import annotations

import pytest

from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, press, settle

pytestmark = pytest.mark.anyio


async def test_picking_the_account_already_open_changes_nothing(world: World) -> None:
    """``A`` then Enter on the account open closed the conversation and sent the list
    back to its top."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "enter", "j")
        opened = inbox(pilot).open_row
        assert opened is not None
        await press(pilot, "A")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")
        assert app.account.id == world.account.id
        assert inbox(pilot).open_row == opened
        assert conversations(pilot).cursor == 3
