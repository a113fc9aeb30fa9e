"""App keys that show a screen or a dialog once they have come back up from the focused
widget (help, the account choice, a mode's screen): the keys read behind them in one
burst act on what they showed, in the order typed."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from tests.tui.conftest import World
from tests.tui.pilot import burst, let_go, settle

pytestmark = pytest.mark.anyio


async def test_escape_after_help_in_a_burst_closes_the_help(world: World) -> None:
    """``5 4 ? esc`` ended on the inbox with the help open: Esc went to Campaigns
    ("Back") before the help was shown, and the help came up over the inbox."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "5", "4", "question_mark", "escape")
        await let_go(pilot)
        assert isinstance(app.screen, CampaignsScreen)
        assert not any(isinstance(screen, HelpScreen) for screen in app.screen_stack)


async def test_escape_after_the_account_key_in_a_burst_closes_the_choice(world: World) -> None:
    """``4 A esc``: Esc is the account choice's (Cancel), not Campaigns' Back."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "4", "A", "escape")
        await let_go(pilot)
        assert isinstance(app.screen, CampaignsScreen)
        assert not any(isinstance(screen, ChoiceDialog) for screen in app.screen_stack)


async def test_words_typed_after_the_palette_key_in_a_burst_go_to_the_palette(
    world: World
) -> None:
    """``4 ctrl+p new``: the palette searches "new"; ``n`` did not open the campaign
    composer under it."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        burst(app, "4", "ctrl+p", "n", "e", "w")
        await let_go(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).value == "new"
        assert isinstance(app.screen_stack[-2], CampaignsScreen)
