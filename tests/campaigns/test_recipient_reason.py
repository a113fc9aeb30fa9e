"""A campaign's failed recipient's reason, cut in its row at 80 columns (``HTTP 400:
this fan has turned…``), is read whole under the recipients for the cursor's row."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.widgets import Static

from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.tui.widgets.campaign_list import RecipientList
from tests.campaigns.test_screen_edit import _list
from tests.campaigns.test_screen_footer import _running
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import World
from tests.tui.pilot import lines, press, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio

REASON = ("HTTP 400: this fan has turned off messages from creators they do not follow; "
          "ask them to follow you first")


async def test_the_cursors_failed_reason_is_read_whole_at_80x24(world: World) -> None:  # noqa: F811
    campaign_id = _running(world)
    with world.context.db.write() as session:
        first = session.scalar(select(OutboundMessage.id)
                               .where(OutboundMessage.campaign_id == campaign_id)
                               .order_by(OutboundMessage.id).limit(1))
        session.execute(update(OutboundMessage).where(OutboundMessage.id == first)
                        .values(state="failed", last_error=REASON))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _list(pilot, 1)
        await press(pilot, "enter")
        recipients = app.screen.query_one(RecipientList)
        await wait_for(pilot, lambda: recipients.cursor_row is not None)
        assert recipients.cursor_row.state == "failed"
        reason = app.screen.query_one("#recipient-reason", Static)
        await wait_for(pilot, lambda: reason.display and reason.region.height > 0)
        assert " ".join(line.strip() for line in lines(reason)) == REASON  # drawn whole
        assert reason.region.bottom <= app.screen.size.height - 2  # above status and keys
        await press(pilot, "j")  # a queued one: nothing under the list
        assert not reason.display
