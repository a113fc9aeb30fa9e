"""The Failed screen counts every try of a message, those before a manual retry too."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.widgets import Static

from ofcrm_tui.core import outbox
from ofcrm_tui.store.models import Fan, OutboundMessage
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.widgets.failed_list import FailedList
from tests.tui.conftest import NOW, World
from tests.tui.pilot import lines, press, settle

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_tries_include_those_before_a_retry(world: World, size: tuple[int, int]) -> None:
    db = world.context.db
    with db.read() as session:
        fan_id = session.scalar(select(Fan.id).where(
            Fan.account_id == world.account.id, Fan.subscription_status == "active").limit(1))
    outbound_id = outbox.enqueue(db, world.account.id, fan_id, "still there?", created_by="tester", now=NOW)
    # Failed twice, retried by hand, failed again: one attempt since the retry, three tries.
    with db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id).values(
            state="failed", attempts=1, tries=3, last_error="HTTP 422: nope", updated_at=NOW))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert isinstance(app.screen, FailedScreen)
        drawn = lines(app.screen.query_one(FailedList))
        assert any("tried 3× · HTTP 422: nope" in line for line in drawn), drawn
        detail = " ".join(lines(app.screen.query_one("#failed-detail", Static)))
        assert "Tried 3×" in detail
