"""A campaign through killed workers, a pause and a relaunch: every recipient gets it
exactly once, nothing held goes out while paused, and no 60 s window goes over the
limit. Real ``ofcrm worker`` processes, a simulator whose ledger is the judge."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignError, CampaignSpec, Segment
from ofcrm_tui.simulator import Faults
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus
from ofcrm_tui.store.models import OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World, make_world
from tests.outbox.test_chaos import (  # noqa: F401 - workers_factory is a fixture
    Workers,
    _check_exactly_once,
    _sending_worker,
    _wait_settled,
    workers_factory,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

LIMIT = 60


def _kill_one(db: Database, workers: Workers, rng: random.Random) -> None:
    """SIGKILL a worker, one caught mid-send when there is one, and start another."""
    workers.kill(_sending_worker(db, workers, wait=0) or rng.choice(workers.running))
    workers.start()


def _rows(world: World, campaign_id: int) -> dict[int, tuple[str, int, str]]:
    """Outbound id -> (state, fan id, text) of the campaign's rows."""
    with world.db.read() as session:
        found = session.execute(
            select(OutboundMessage.id, OutboundMessage.state, OutboundMessage.fan_id,
                   OutboundMessage.text)
            .where(OutboundMessage.campaign_id == campaign_id)
        ).all()
    return {row.id: (row.state, row.fan_id, row.text) for row in found}


def _delivered_to(world: World) -> set[int]:
    """Platform user ids the simulator took a message for."""
    return {entry.user_id for entry in world.sim.ledger()}


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_campaign_goes_once_to_each_fan_through_kills_pause_and_relaunch(
    db: Database, monkeypatch: pytest.MonkeyPatch, workers_factory  # noqa: ANN001, F811
) -> None:
    for world in make_world(db, monkeypatch, fans=50, sim_limit=100_000, account_limit=LIMIT):
        world.sim.set_faults(Faults(timeout_after_accept_rate=0.1, latency_s=0.1, hang_seconds=30, seed=5))
        # Attempts of a minute ago fill the window and leave it one by one from 1.5 s on:
        # the limit, not the workers' speed, paces the campaign.
        start = utcnow()
        phantoms = [start - timedelta(seconds=60) + timedelta(seconds=1.5 + 0.2 * i) for i in range(LIMIT)]
        with db.write() as session:
            session.add_all(SendAttempt(account_id=world.account.id, attempted_at=t) for t in phantoms)
        spec = CampaignSpec("Chaos", "Hey {username}, a little something for you 💌", Segment())
        created = campaigns.create(db, world.account.id, spec, created_by="chaos")
        assert created.recipients == len(world.fans) >= 30
        workers = workers_factory(db)
        rng = random.Random(13)
        for _ in range(2):
            workers.start()
        deadline = time.monotonic() + 30
        while len(world.sim.ledger()) < 8:
            assert time.monotonic() < deadline, "the workers sent nothing"
            time.sleep(0.05)
        _kill_one(db, workers, rng)

        # Pause: held rows stay held through a kill, whatever the dead worker had claimed.
        before = _delivered_to(world)
        assert campaigns.pause(db, world.account.id, created.campaign_id) > 0
        held = {fan for state, fan, _ in _rows(world, created.campaign_id).values() if state == "paused"}
        _kill_one(db, workers, rng)
        time.sleep(4.0)  # past the lease (3 s) and the grace (2 s): dead claims are settled
        landed = _delivered_to(world) - before
        assert not landed & {world.platform_ids[fan] for fan in held}, landed
        assert {state for state, _, _ in _rows(world, created.campaign_id).values()} <= {"paused", "sent", "unknown", "sending"}

        # A second launch of the running campaign queues nobody again: the database says so.
        campaigns.resume(db, world.account.id, created.campaign_id)
        with pytest.raises(CampaignError, match="no recipients"):
            campaigns.launch(db, world.account.id, created.campaign_id, expect=(CampaignStatus.RUNNING,))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and workers.killed < 8:
            time.sleep(rng.uniform(0.3, 0.8))
            _kill_one(db, workers, rng)
        _wait_settled(db, timeout=60)
        assert workers.stop_all() == [0, 0]

        rows = _rows(world, created.campaign_id)
        assert len(rows) == created.recipients
        states = _check_exactly_once(world, {outbound_id: text for outbound_id, (_, _, text) in rows.items()})
        assert states["sent"] == created.recipients
        assert sorted(entry.user_id for entry in world.sim.ledger()) == sorted(world.platform_ids[f] for f in world.fans)
        times = sorted(phantoms + [entry.accepted_at for entry in world.sim.ledger()])
        assert all(times[i + LIMIT] - times[i] >= timedelta(seconds=60) for i in range(len(times) - LIMIT))
