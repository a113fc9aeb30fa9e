"""The campaigns screen in the app (Pilot): build with a live count and preview, launch
after a confirmation, open, pause and resume; drafts are kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Static, TextArea

from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import Campaign, Fan, OutboundMessage
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList, RecipientList
from tests.tui.conftest import World, world  # noqa: F401 - the app's fixture
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


def _states(world: World) -> dict[str, int]:
    with world.context.db.read() as session:
        return dict(session.execute(
            select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)).all())


def _static(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_build_preview_launch_pause_resume(world: World) -> None:  # noqa: F811
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        active = session.scalar(select(func.count()).select_from(Fan).where(
            Fan.account_id == account_id, Fan.subscription_status == SubscriptionStatus.ACTIVE))
    assert active
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        assert isinstance(app.screen, CampaignsScreen)
        await press(pilot, "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        # The composer takes the screen: its fields are wide enough to read.
        assert composer.query_one("#campaign-name", Input).size.width >= 40
        for key in "Drop":
            await pilot.press(key)
        composer.query_one("#campaign-text", TextArea).load_text("Hi {nickname|babe}!")
        await wait_for(pilot, lambda: "recipients" in _static(composer, "#campaign-count"))
        assert f"{active} recipients" in _static(composer, "#campaign-count")
        await wait_for(pilot, lambda: "!" in _static(composer, "#campaign-preview"))
        preview = _static(composer, "#campaign-preview")
        assert preview.startswith("Preview for @") and "\nHi " in preview
        # A filter change updates the count (debounced, in a worker).
        composer.query_one("#campaign-min_spent", Input).value = "1000000"
        await wait_for(pilot, lambda: "0 recipients" in _static(composer, "#campaign-count"))
        composer.query_one("#campaign-min_spent", Input).value = ""
        await wait_for(pilot, lambda: f"{active} recipients" in _static(composer, "#campaign-count"))

        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await press(pilot, "enter")  # "Start: N recipients …"
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        assert _states(world) == {"queued": active}

        screen = app.screen
        listing = screen.query_one(CampaignList)
        await wait_for(pilot, lambda: listing.count == 1 and listing.cursor_row is not None)
        assert listing.cursor_row.status == "running"
        await press(pilot, "enter")
        recipients = screen.query_one(RecipientList)
        await wait_for(pilot, lambda: recipients.count == active)
        await press(pilot, "p")
        await wait_for(pilot, lambda: _states(world) == {"paused": active})
        await press(pilot, "r")
        await wait_for(pilot, lambda: _states(world) == {"queued": active})
        with db.read() as session:
            assert session.scalar(select(Campaign.status)) == "running"


async def test_closing_the_composer_keeps_a_draft(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "n")
        for key in "Later":
            await pilot.press(key)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    with world.context.db.read() as session:
        assert session.execute(select(Campaign.name, Campaign.status)).all() == [("Later", "draft")]
    assert _states(world) == {}


async def test_closing_a_draft_that_cannot_be_saved_asks(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        for key in "Later":
            await pilot.press(key)
        composer.query_one("#campaign-min_spent", Input).value = "lots"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "cannot be saved" in app.screen.title_text
        await press(pilot, "enter")  # keep editing (the first choice)
        await wait_for(pilot, lambda: app.screen is composer)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await press(pilot, "j", "enter")  # close without saving
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert _states(world) == {}
    with world.context.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0
