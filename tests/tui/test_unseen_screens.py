"""A screen nobody looks at reads nothing: changes made while another screen is shown
are handled when it is shown again (and the inbox still toasts new messages at once)."""

from __future__ import annotations

import asyncio

import pytest

from ofcrm_tui.jobs.events import PollCompleted
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.widgets.fan_list import FanList
from ofcrm_tui.tui.widgets.paged_list import PagedList
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _count_reloads(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[object]:
    calls: list[object] = []
    real = cls.refresh_rows

    def spy(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "refresh_rows", spy)
    return calls


async def _fan_writes(world: World, pilot, text: str) -> None:  # noqa: ANN001
    world.sim.add_inbound_message(next(iter(world.sim.world.fans)), text)
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))


async def test_the_inbox_reads_its_list_again_only_when_shown(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world.context.settings, "notify_inbound", "all")
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        reloads = _count_reloads(monkeypatch, PagedList)
        the_list = conversations(pilot)
        await press(pilot, "3")  # the fans screen
        assert isinstance(pilot.app.screen, FansScreen)
        await _fan_writes(world, pilot, "still there? zebra")
        await settle(pilot)
        assert the_list not in reloads  # nobody looks at the inbox
        assert any(isinstance(widget, FanList) for widget in reloads)  # the fans screen reads
        # ... and the inbox still tells of the new message at once.
        await wait_for(pilot, lambda: any("zebra" in str(n.message) for n in pilot.app._notifications))
        await press(pilot, "1")
        await wait_for(pilot, lambda: any("zebra" in line for line in lines(conversations(pilot))))
        assert pilot.app.screen is inbox(pilot)
