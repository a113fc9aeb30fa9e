"""BackgroundJobs: the poll and drain jobs in-process, with events and a clean stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.core import metrics, outbox
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.jobs.events import (
    AccountAuthFailed,
    JobEvent,
    MessagesClaimed,
    MessagesSent,
    PollCompleted,
    PollFailed,
)
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.simulator import Faults, Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Fan, OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import TOKEN, World, make_world
from tests.support.accounts import add_simulated_account
from tests.support.databases import sqlite_url


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path, migrated=True))
    yield database
    database.dispose()


@pytest.fixture
def sqlite_world(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from make_world(sqlite_db, monkeypatch)


def settings(**values: object) -> Settings:
    base = {
        "poll_interval_seconds": 1,
        "drain_interval_seconds": 0.5,
        "http_timeout_seconds": 1,
        "chatter_name": "ana",
    }
    base.update(values)
    return Settings(**base)


class Events:
    def __init__(self) -> None:
        self.items: list[JobEvent] = []
        self.lock = threading.Lock()

    def __call__(self, event: JobEvent) -> None:
        with self.lock:
            self.items.append(event)

    def of(self, kind: type) -> list:  # noqa: ANN401
        with self.lock:
            return [e for e in self.items if isinstance(e, kind)]


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def _sent_ids(events: Events) -> set[int]:
    return {i for e in events.of(MessagesSent) for i in e.outbound_ids}


def test_jobs_poll_and_send_and_tell(world: World) -> None:
    events = Events()
    jobs = BackgroundJobs(world.db, settings(), on_event=events, lease_seconds=5, reconcile_grace_seconds=2)
    ids = [outbox.enqueue(world.db, world.account.id, fan, f"job {i}", created_by="ana") for i, fan in enumerate(world.fans[:3])]
    jobs.start()
    try:
        wait_for(lambda: _sent_ids(events) >= set(ids))
        wait_for(lambda: events.of(PollCompleted))
        world.sim.add_inbound_message(world.platform_ids[world.fans[5]], "are you there?")
        jobs.poll_now()
        wait_for(lambda: any(e.report.new_inbound for e in events.of(PollCompleted)))
    finally:
        jobs.shutdown(wait=True)
    assert all(world.row(i).state == "sent" for i in ids)
    assert len(world.sim.ledger()) == 3
    jobs.shutdown()  # twice is harmless
    assert not jobs.running


def test_each_claim_is_told_while_the_row_is_sending(sqlite_world: World) -> None:
    """So the app can show "sending" while a send is in flight (one event per claim)."""
    world = sqlite_world
    world.sim.set_faults(Faults(latency_s=0.3))
    seen: list[tuple[type, int, str]] = []  # event, row, the row's state when told
    lock = threading.Lock()

    def on_event(event: JobEvent) -> None:
        if isinstance(event, (MessagesClaimed, MessagesSent)):
            with lock:
                seen.extend((type(event), i, world.row(i).state) for i in event.outbound_ids)

    jobs = BackgroundJobs(world.db, settings(http_timeout_seconds=5), on_event=on_event, poll=False)
    ids = [outbox.enqueue(world.db, world.account.id, fan, f"claimed {i}", created_by="ana") for i, fan in enumerate(world.fans[:2])]
    jobs.start()
    try:
        wait_for(lambda: {i for kind, i, _ in seen if kind is MessagesSent} == set(ids))
    finally:
        jobs.shutdown()
    claims = [(i, state) for kind, i, state in seen if kind is MessagesClaimed]
    assert sorted(claims) == [(i, "sending") for i in ids]
    for outbound_id in ids:
        told = [kind for kind, i, _ in seen if i == outbound_id]
        assert told == [MessagesClaimed, MessagesSent]


def test_the_drain_comes_back_when_a_slot_frees(sqlite_world: World) -> None:
    world = sqlite_world
    with world.db.write() as session:
        session.get(Account, world.account.id).send_limit_per_minute = 2
        now = utcnow()
        for _ in range(2):  # the window is full for 1.5 s more
            session.add(SendAttempt(account_id=world.account.id, attempted_at=now - timedelta(seconds=58.5)))
    events = Events()
    # A drain interval far longer than the test: only the wake-up can send in time.
    jobs = BackgroundJobs(world.db, settings(drain_interval_seconds=600, poll_interval_seconds=600), on_event=events, poll=False)
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "soon", created_by="ana")
    jobs.start()
    try:
        wait_for(lambda: outbound_id in _sent_ids(events), timeout=6)
    finally:
        jobs.shutdown()
    sent_after = world.sim.ledger()[0].accepted_at - now
    assert timedelta(seconds=1.5) <= sent_after < timedelta(seconds=4)


def test_shutdown_finishes_in_flight_sends(sqlite_world: World) -> None:
    world = sqlite_world
    world.sim.set_faults(Faults(latency_s=0.8))
    jobs = BackgroundJobs(world.db, settings(http_timeout_seconds=5), poll=False)
    ids = [outbox.enqueue(world.db, world.account.id, fan, "in flight", created_by="ana") for fan in world.fans[:5]]
    jobs.start()
    wait_for(lambda: "sending" in world.states().values())
    jobs.shutdown(wait=True)
    states = world.states()
    assert "sending" not in states.values()
    sent = [i for i in ids if states[i] == "sent"]
    assert 1 <= len(sent) < len(ids)  # the one in flight finished; no new ones started
    assert len(world.sim.ledger()) == len(sent)


def test_a_hanging_account_does_not_hold_back_another(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = Simulator(SimulatorConfig(fans=8, seed=3, token="slow-token"))
    slow.set_faults(Faults(timeout_after_accept_rate=1.0, hang_seconds=30))
    quick = Simulator(SimulatorConfig(fans=8, seed=4, token="quick-token"))
    with slow.serve() as slow_url, quick.serve() as quick_url:
        ids = {}
        for name, sim, url in (("slow", slow, slow_url), ("quick", quick, quick_url)):
            account = add_simulated_account(sqlite_db, sim, url, monkeypatch, name=name)
            from ofcrm_tui.platform.client import PlatformClient

            with PlatformClient(url, sim.config.token) as client:
                InboundSync(sqlite_db, account.id, client).full()
            with sqlite_db.read() as session:
                fans = session.scalars(
                    select(Fan.id).where(Fan.account_id == account.id, Fan.subscription_status == "active")
                ).all()
            ids[name] = [outbox.enqueue(sqlite_db, account.id, fan, f"{name} {fan}", created_by="a") for fan in fans[:3]]
        events = Events()
        jobs = BackgroundJobs(sqlite_db, settings(http_timeout_seconds=10), on_event=events, poll=False, reconcile_grace_seconds=20)
        jobs.start()
        try:
            wait_for(lambda: _sent_ids(events) >= set(ids["quick"]), timeout=9)
            # ... while the slow account's first send still hangs: its client waits 10 s.
            with sqlite_db.read() as session:
                slow_states = session.scalars(select(OutboundMessage.state).where(
                    OutboundMessage.id.in_(ids["slow"]))).all()
            assert "sending" in slow_states and "sent" not in slow_states
        finally:
            slow.stopping.set()
            jobs.shutdown()
        assert [e.user_id for e in quick.ledger()] and len(quick.ledger()) == 3


def test_refused_credentials_stop_the_account_until_fixed(sqlite_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world = sqlite_world
    monkeypatch.setenv("OFCRM_TOKEN_DEMO", "wrong-token")
    events = Events()
    jobs = BackgroundJobs(world.db, settings(), on_event=events)
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "x", created_by="a")
    jobs.start()
    try:
        wait_for(lambda: events.of(AccountAuthFailed))
    finally:
        jobs.shutdown()
    assert events.of(PollFailed)
    with world.db.read() as session:
        assert "401" in session.get(Account, world.account.id).auth_error
    assert world.row(outbound_id).state == "queued" and world.row(outbound_id).attempts == 0
    assert world.sim.ledger() == []


def test_settings_that_would_resend_too_early_are_refused(sqlite_db: Database) -> None:
    from ofcrm_tui.errors import OfcrmError

    with pytest.raises(OfcrmError, match="lease"):
        BackgroundJobs(sqlite_db, settings(http_timeout_seconds=10), lease_seconds=5)
    with pytest.raises(OfcrmError, match="grace"):
        BackgroundJobs(sqlite_db, settings(http_timeout_seconds=10), reconcile_grace_seconds=5)


def test_a_token_changed_here_is_read_at_the_next_run(sqlite_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ofcrm account token`` while the jobs run: the next poll uses the new token (the
    jobs kept their client, and the old token, until restarted). Here one the platform
    refuses, so the next poll says so."""
    world = sqlite_world
    monkeypatch.delenv(secrets.env_var_name(world.account.name))
    secrets.store_token(world.account.name, TOKEN)
    events = Events()
    jobs = BackgroundJobs(world.db, settings(poll_interval_seconds=600), on_event=events, drain=False)
    jobs.start()
    try:
        wait_for(lambda: events.of(PollCompleted))
        secrets.store_token(world.account.name, "rotated-token")
        jobs.poll_now()
        wait_for(lambda: events.of(AccountAuthFailed) or len(events.of(PollCompleted)) > 1)
    finally:
        jobs.shutdown()
    assert len(events.of(PollCompleted)) == 1 and "401" in events.of(AccountAuthFailed)[0].error


def test_a_new_address_is_used_at_the_next_run(sqlite_world: World) -> None:
    """The account's base URL changed in the database while the jobs run (their client
    made by the first drain): the next drain sends to the new address."""
    world = sqlite_world
    moved = Simulator(SimulatorConfig(fans=30, seed=11, token=TOKEN, send_limit_per_minute=10_000,
                                      other_limit_per_5min=1_000_000))
    events = Events()
    jobs = BackgroundJobs(world.db, settings(drain_interval_seconds=600), on_event=events, poll=False)

    def drained() -> bool:
        """The first drain is over: a lane records the queue's depth as it ends, and every
        lane has ended (one still running would send with the client it began with)."""
        with world.db.read() as session:
            recorded = metrics.last_recorded(session, world.account.id, metrics.QUEUE_DEPTH)
        return recorded is not None and not jobs._busy

    with moved.serve() as moved_url:
        jobs.start()
        try:
            wait_for(drained)
            with world.db.write() as session:
                session.get(Account, world.account.id).base_url = moved_url
            outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[1], "moved", created_by="a")
            jobs.drain_now()
            wait_for(lambda: outbound_id in _sent_ids(events))
        finally:
            jobs.shutdown()
    assert world.sim.ledger() == [] and len(moved.ledger()) == 1
