"""The status bar says when the platform is unreachable, and keeps queue and failures."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from sqlalchemy import update

from ofcrm_tui.core import outage
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.store.models import Account
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.tui.conftest import NOW, World
from tests.tui.pilot import lines, settle
from tests.tui.test_quit import queue_reply

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_an_outage_shows_with_the_queue_and_failed_counts(world: World, size) -> None:  # noqa: ANN001
    queue_reply(world)
    with world.context.db.write() as session:  # a send was refused at NOW
        down = outage.unreachable(session, world.account.id, NOW, random.Random(3), base=20)
    seconds = math.ceil(down.retry_in(NOW))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        (line,) = lines(app.screen.query_one(StatusBar))
    assert f"● platform unreachable, retrying in {seconds} s" in line
    assert "queue 1" in line and "0 failed" in line

    with world.context.db.write() as session:  # it answered again: the bar says synced
        outage.reachable(session, world.account.id)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        (line,) = lines(app.screen.query_one(StatusBar))
    assert "unreachable" not in line and "queue 1" in line


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_bar_says_when_held_messages_may_go(world: World, size) -> None:  # noqa: ANN001
    """The account blocked (as when the minute's budget is spent): the queue count says
    when the next may go, at 80 columns too; once one may go now, it says no time."""
    queue_reply(world)
    with world.context.db.write() as session:
        limiter.block(session, world.account.id, NOW + timedelta(minutes=3, seconds=20))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        (line,) = lines(app.screen.query_one(StatusBar))
    assert f"queue 1 · next {NOW + timedelta(minutes=3):%H:%M}" in line, line
    assert "0 failed" in line

    with world.context.db.write() as session:
        session.execute(update(Account).values(send_blocked_until=None))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        (line,) = lines(app.screen.query_one(StatusBar))
    assert "queue 1" in line and "next" not in line, line
