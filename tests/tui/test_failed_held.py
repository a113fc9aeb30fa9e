"""The Failed screen's Retry all keeps to each campaign's state: a paused campaign's
failed messages stay failed while it is held, a cancelled one's for good, and the
notice names the campaigns, as it names expired fans."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.store.models import OutboundMessage
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _many_failed, _notes, _states, open_failed
from tests.tui.pilot import press, wait_for

pytestmark = pytest.mark.anyio


def _campaign(world: World, name: str, failed: int) -> tuple[int, list[int]]:
    """A campaign started now, its first ``failed`` rows failed."""
    db = world.context.db
    campaign = campaigns.create(db, world.account.id, CampaignSpec(name, "hi"),
                                created_by="me", now=NOW).campaign_id
    with db.write() as session:
        ids = list(session.scalars(select(OutboundMessage.id)
                                   .where(OutboundMessage.campaign_id == campaign)
                                   .order_by(OutboundMessage.id).limit(failed)))
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(ids))
                        .values(state="failed", last_error="500: broke", updated_at=NOW))
    return campaign, ids


async def test_retry_all_leaves_paused_and_cancelled_campaigns_rows_failed(world: World) -> None:
    db, account = world.context.db, world.account.id
    reply = _many_failed(world, 1)
    paused, held = _campaign(world, "Held", 2)
    campaigns.pause(db, account, paused, now=NOW)
    cancelled, stopped = _campaign(world, "Stopped", 1)
    with db.write() as session:  # being sent as the cancel came: it finishes, and fails
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(stopped))
                        .values(state="sending"))
    campaigns.cancel(db, account, cancelled, now=NOW)
    with db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(stopped))
                        .values(state="failed", last_error="500: broke", updated_at=NOW))
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_failed(pilot)
        await press(pilot, "ctrl+r", "down", "enter")
        await wait_for(pilot, lambda: bool(_notes(app)))
        assert _notes(app)[-1] == (
            f"Queued again: 1 message; 3 messages left failed: 2 belong to paused campaign "
            f"#{paused}: resume it first, and 1 belongs to cancelled campaign #{cancelled}: "
            "it sends nothing more")
    assert _states(world, [*reply, *held, *stopped]) == ["queued", "failed", "failed", "failed"]
