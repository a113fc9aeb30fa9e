"""A question whose yes cannot be undone (cancel a campaign, delete a fan, discard what
was typed) names Esc by what it does, going back with the thing kept: "esc Back", not
"esc Cancel" (read as the yes to "Cancel this campaign?")."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


async def _question(pilot) -> tuple[ChoiceDialog, set[tuple[str, str]]]:  # noqa: ANN001
    """The question, and the keys its footer names."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
    question = app.screen
    await wait_for(pilot, lambda: question.query_one(OptionList).option_count == 2)
    await settle(pilot)
    return question, {(key.key, key.description) for key in question.query(FooterKey)}


async def test_esc_on_cancelling_a_campaign_reads_back_and_keeps_it(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    running = campaigns.create(db, account_id, CampaignSpec("Now", "hi"), created_by="me")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await settle(pilot)
        await press(pilot, "x")
        question, footer = await _question(pilot)
        assert ("escape", "Back") in footer and "Cancel" not in {d for _, d in footer}
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.screen is not question)
        await settle(pilot)
    assert campaigns.load(db, account_id, running.campaign_id)[1] == "running"


async def test_esc_on_deleting_a_fan_reads_back(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await settle(pilot)
        await press(pilot, "D")
        _, footer = await _question(pilot)
        assert ("escape", "Back") in footer and "Cancel" not in {d for _, d in footer}
