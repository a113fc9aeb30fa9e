"""Sends failing one after another make one notice that counts them, not a stack."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from ofcrm_tui.jobs.events import MessagesFailed
from tests.tui.conftest import World
from tests.tui.pilot import settle, wait_for

pytestmark = pytest.mark.anyio


def failed_notices(app) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in app._notifications if "could not be sent" in str(n.message)]


async def test_failed_sends_update_one_notice(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        for outbound_id in (1, 2, 3):
            app.job_event(MessagesFailed(world.account.id, (outbound_id,)))
        app.job_event(MessagesFailed(world.account.id, (4, 5)))  # read in one turn with them
        await settle(pilot)
        assert failed_notices(app) == ["5 messages could not be sent: see Failed messages"]
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) > 0)
        await settle(pilot)
        assert [str(t._notification.message) for t in app.screen.query(Toast)] == failed_notices(app)
        # once it has gone (here a click on it), the next failure starts a new count
        app._unnotify(next(iter(app._notifications)))
        app.job_event(MessagesFailed(world.account.id, (6,)))
        await settle(pilot)
        assert failed_notices(app) == ["1 message could not be sent: see Failed messages"]
        await wait_for(pilot, lambda: len(app.screen.query(Toast)) > 0)
        await settle(pilot)
        assert [str(t._notification.message) for t in app.screen.query(Toast)] == failed_notices(app)
