"""A campaign send left unknown (maybe delivered) while its campaign is paused or
cancelled: once the chat shows it did not land, it is held like the campaign's other
rows, never sent meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.core.outbox.sender import Idle
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import TOKEN, World, make_world
from tests.outbox.scripted import ScriptedClient

# Long enough that no drain outlasts it on a loaded machine (a 0.5 s grace ran out inside
# the first drain, which then looked the send up itself); the clock is moved past it.
GRACE = timedelta(minutes=5)


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from make_world(db, monkeypatch, fans=6)


def _unknown_campaign_row(world: World, clock: Clock):  # noqa: ANN202
    """A two-fan campaign whose first send got no clear answer (and did not land)."""
    spec = CampaignSpec("Held", "hello {name|you}", Segment(exclude_fan_ids=tuple(world.fans[2:])))
    created = campaigns.create(world.db, world.account.id, spec, created_by="ana", now=clock())
    sender = world.sender(clock, reconcile_grace=GRACE)
    sender.client = ScriptedClient(world.base_url, TOKEN, ["not-sent-ambiguous"], timeout=2.0)
    report = sender.drain(max_sends=1)
    assert len(report.unknown) == 1 and not report.sent
    return created.campaign_id, report.unknown[0], sender


@pytest.mark.parametrize("stop", ["pause", "cancel"])
def test_an_unknown_send_not_found_is_held_with_its_campaign(world: World, stop: str) -> None:
    clock = Clock()
    campaign_id, outbound_id, sender = _unknown_campaign_row(world, clock)
    other = {row_id for row_id, state in world.states().items() if state == "queued"}
    assert len(other) == 1
    getattr(campaigns, stop)(world.db, world.account.id, campaign_id)
    clock.offset += GRACE + timedelta(seconds=0.1)
    report = sender.drain()
    held = "paused" if stop == "pause" else "cancelled"
    assert report.requeued == [outbound_id] and report.sent == []
    assert report.idle == Idle.NO_WORK
    assert world.states() == {outbound_id: held, **dict.fromkeys(other, held)}
    assert world.sim.ledger() == []
    if stop == "cancel":
        return
    assert campaigns.resume(world.db, world.account.id, campaign_id) == 2
    report = sender.drain()
    assert sorted(report.sent) == sorted([outbound_id, *other])
    assert world.row(outbound_id).attempts == 2  # the one unknown try is kept
    assert len(world.sim.ledger()) == 2


def test_an_unknown_send_not_found_goes_again_while_its_campaign_runs(world: World) -> None:
    clock = Clock()
    _, outbound_id, sender = _unknown_campaign_row(world, clock)
    clock.offset += GRACE + timedelta(seconds=0.1)
    report = sender.drain()
    assert report.requeued == [outbound_id] and outbound_id in report.sent
    assert len(world.sim.ledger()) == 2


class _PausedMidSend(ScriptedClient):
    """Pauses (or cancels) the campaign while its send is in flight, then fails it."""

    def __init__(self, world: World, campaign_id: int, stop: str, step: str) -> None:
        super().__init__(world.base_url, TOKEN, [step], timeout=2.0)
        self.world, self.campaign_id, self.stop = world, campaign_id, stop

    def send_message(self, user_id: int, text: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        getattr(campaigns, self.stop)(self.world.db, self.world.account.id, self.campaign_id)
        return super().send_message(user_id, text, *args, **kwargs)


@pytest.mark.parametrize("step", ["clear", "429"])
@pytest.mark.parametrize("stop", ["pause", "cancel"])
def test_a_send_refused_while_its_campaign_stops_is_held_with_it(
    world: World, stop: str, step: str
) -> None:
    clock = Clock()
    spec = CampaignSpec("Held", "hello {name|you}", Segment(exclude_fan_ids=tuple(world.fans[2:])))
    created = campaigns.create(world.db, world.account.id, spec, created_by="ana", now=clock())
    sender = world.sender(clock)
    sender.client = _PausedMidSend(world, created.campaign_id, stop, step)
    sender.drain(max_sends=1)
    held = "paused" if stop == "pause" else "cancelled"
    assert set(world.states().values()) == {held}
    assert world.sim.ledger() == []
