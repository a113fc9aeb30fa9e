"""``ofcrm demo``'s palette: "Demo: sends fail" makes the simulated platform refuse sends, the
failed message waits on the Failed screen, "Demo: sends go through" and R send it. Other
apps have no such commands."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.core import outbox
from ofcrm_tui.core.fans.resolve import resolve_fan
from ofcrm_tui.jobs.events import MessagesFailed
from ofcrm_tui.tui.commands import OfcrmCommands
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.widgets.failed_list import FailedList
from tests.tui.conftest import NOW, World
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


async def _palette(pilot, title: str) -> None:  # noqa: ANN001
    await press(pilot, "ctrl+p")
    await pilot.press(*title)
    await asyncio.sleep(0.3)  # the palette searches in the background
    await press(pilot, "enter")


def _notes(app: object) -> str:
    return "\n".join(str(n.message) for n in app._notifications)  # type: ignore[attr-defined]


async def test_a_send_fails_then_goes_after_a_retry(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    fan = resolve_fan(db, account_id, world.sim.world.fans[world.sim.active_fan_ids()[0]].username)
    app = world.app(demo=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _palette(pilot, "Demo: sends fail")
        await wait_for(pilot, lambda: world.sim.faults.refuse_send_rate == 1.0)
        await wait_for(pilot, lambda: "refuses every send" in _notes(app))

        message_id = outbox.enqueue(db, account_id, fan.id, "miss me?", created_by="tester", now=NOW)
        report = await asyncio.to_thread(world.drain)
        assert report.failed == [message_id]
        app.job_event(MessagesFailed(account_id, tuple(report.failed)))
        await press(pilot, "2")
        assert isinstance(app.screen, FailedScreen)
        failed = app.screen.query_one(FailedList)
        await wait_for(pilot, lambda: failed.count == 1)

        await _palette(pilot, "Demo: sends go through")
        await wait_for(pilot, lambda: world.sim.faults.refuse_send_rate == 0.0)
        await press(pilot, "R")
        await wait_for(pilot, lambda: failed.count == 0)
        assert (await asyncio.to_thread(world.drain)).sent == [message_id]
    assert [entry.text for entry in world.sim.ledger()] == ["<p>miss me?</p>"]


@pytest.mark.parametrize("demo", [False, True])
async def test_only_the_demo_offers_them(world: World, demo: bool) -> None:
    app = world.app(demo=demo)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        provider = OfcrmCommands(app.screen)
        provider.accounts = []
        titles = [title for title, _, _ in provider._commands()]  # noqa: SLF001
    assert ("Demo: sends fail" in titles) is demo and ("Demo: sends go through" in titles) is demo
