"""Crashes, several processes and faults: the simulator's ledger is the judge.

Workers are real ``ofcrm worker`` processes against a simulator served in this process.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ofcrm_tui.config import Settings
from ofcrm_tui.core import metrics, outbox
from ofcrm_tui.jobs.events import JobEvent
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.platform.text import html_to_text
from ofcrm_tui.simulator import Faults
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Message, MetricEvent, OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World, make_world

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DONE = ("sent", "failed", "cancelled")


class Workers:
    """``ofcrm worker`` processes we start, kill and stop (only ours, by pid)."""

    def __init__(self, db_url: str, logs: Path, *options: str) -> None:
        self.db_url = db_url
        self.logs = logs
        self.options = options
        self.env = {
            **os.environ,
            "OFCRM_DRAIN_INTERVAL_SECONDS": "0.5",
            "OFCRM_POLL_INTERVAL_SECONDS": "1",
            "OFCRM_HTTP_TIMEOUT_SECONDS": "1",
        }
        self.running: list[subprocess.Popen[bytes]] = []
        self.log_of: dict[int, Path] = {}
        self.started = 0
        self.killed = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.started += 1
        path = self.logs / f"worker-{self.started}.log"
        log = open(path, "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable, "-m", "ofcrm_tui.cli.main", "--db", self.db_url, "worker",
                "--lease-seconds", "3", "--reconcile-grace-seconds", "2", *self.options,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.running.append(process)
        self.log_of[process.pid] = path
        return process

    def wait_ready(self, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
        """Until the worker says it runs (its signal handlers are in place by then)."""
        deadline = time.monotonic() + timeout
        while b"running on" not in self.log_of[process.pid].read_bytes():
            assert process.poll() is None, self.log_of[process.pid].read_text()
            assert time.monotonic() < deadline, "worker did not start"
            time.sleep(0.05)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.running.remove(process)
        self.killed += 1

    def stop_all(self) -> list[int]:
        """SIGTERM every running worker once it is up; their exit codes."""
        for process in self.running:
            self.wait_ready(process)
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in self.running]
        self.running.clear()
        return codes

    def cleanup(self) -> None:
        for process in self.running:
            process.kill()
            process.wait(timeout=10)
        self.running.clear()


@pytest.fixture
def workers_factory(tmp_path: Path) -> Iterator:
    made: list[Workers] = []

    def make(db: Database, *options: str) -> Workers:
        workers = Workers(db.url.render_as_string(hide_password=False), tmp_path, *options)
        made.append(workers)
        return workers

    yield make
    for workers in made:
        workers.cleanup()


def _states(db: Database) -> Counter[str]:
    with db.read() as session:
        return Counter(session.scalars(select(OutboundMessage.state)))


def _wait_settled(db: Database, timeout: float, during=None) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while True:
        states = _states(db)
        if set(states) <= set(DONE):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled in {timeout} s: {dict(states)}")
        if during is not None:
            during()
        time.sleep(0.1)


def _check_exactly_once(world: World, texts: dict[int, str]) -> Counter[str]:
    """Every sent row is in the ledger once, as its own platform message; nothing else is."""
    ledger = world.sim.ledger()
    delivered = Counter(html_to_text(entry.text) for entry in ledger)
    with world.db.read() as session:
        rows = session.execute(
            select(OutboundMessage.id, OutboundMessage.state, OutboundMessage.platform_message_id, OutboundMessage.last_error)
        ).all()
        threaded = set(session.scalars(select(Message.platform_message_id).where(Message.sent_by.is_not(None))))
    by_id = {entry.message_id: entry for entry in ledger}
    states: Counter[str] = Counter()
    for outbound_id, state, platform_id, last_error in rows:
        states[state] += 1
        text = texts[outbound_id]
        if state == "sent":
            assert delivered[text] == 1, (outbound_id, text, delivered[text])
            assert html_to_text(by_id[platform_id].text) == text
            assert platform_id in threaded
        else:
            assert state == "failed" and last_error, (outbound_id, state)
            assert delivered[text] == 0, (outbound_id, text)
    assert sum(delivered.values()) == states["sent"] == len(ledger)
    return states


def _sending(db: Database) -> dict[int, set[int]]:
    """Rows in ``sending`` by the pid of their worker (lease owners are host:pid:tag)."""
    with db.read() as session:
        rows = session.execute(
            select(OutboundMessage.id, OutboundMessage.lease_owner).where(OutboundMessage.state == "sending")
        ).all()
    by_pid: dict[int, set[int]] = {}
    for outbound_id, owner in rows:
        if owner:
            by_pid.setdefault(int(owner.split(":")[1]), set()).add(outbound_id)
    return by_pid


def _sending_worker(db: Database, workers: Workers, wait: float) -> subprocess.Popen[bytes] | None:
    """A running worker that holds a row in ``sending``, looked for during up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        pids = _sending(db)
        found = next((p for p in workers.running if p.pid in pids), None)
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.01)


def _enqueue(world: World, count: int, tag: str) -> dict[int, str]:
    texts = {}
    for i in range(count):
        text = f"{tag} #{i} 💬 <ok?>"
        fan = world.fans[i % len(world.fans)]
        texts[outbox.enqueue(world.db, world.account.id, fan, text, created_by="chaos")] = text
    return texts


@pytest.mark.parametrize("skin", ["contract", "ofauth"])
def test_killed_workers_lose_nothing_and_send_nothing_twice(
    db: Database, monkeypatch: pytest.MonkeyPatch, workers_factory, skin: str
) -> None:  # noqa: ANN001
    for world in make_world(db, monkeypatch, sim_limit=100_000, account_limit=100_000, skin=skin):
        world.sim.set_faults(Faults(timeout_after_accept_rate=0.08, hang_seconds=30, seed=3))
        texts = _enqueue(world, 80, "crash")
        workers = workers_factory(db)
        rng = random.Random(20)
        for _ in range(2):
            workers.start()
        # Rows a kill left in ``sending``: the kill landed mid-send (the dead worker can no
        # longer move them on; only the expiry of their lease can).
        orphaned: set[int] = set()
        deadline = time.monotonic() + 150
        # At least 8 kills, and more (up to 40) until one landed mid-send: on a loaded
        # machine a kill often hits a worker still starting, or one between two sends.
        while (workers.killed < 8 or not orphaned) and workers.killed < 40 and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.2, 0.9))
            if not _states(db)["queued"]:
                texts |= _enqueue(world, 30, f"crash {workers.killed}")  # keep them busy
            # Every other kill hits a worker caught mid-send (waiting a moment for one).
            victim = (_sending_worker(db, workers, wait=3) if workers.killed % 2 else None) or rng.choice(
                workers.running
            )
            workers.kill(victim)
            orphaned |= _sending(db).get(victim.pid, set())
            workers.start()
        assert workers.killed >= 8 and orphaned, (workers.killed, orphaned)
        _wait_settled(db, timeout=max(30.0, deadline - time.monotonic()))
        assert workers.stop_all() == [0, 0]
        states = _check_exactly_once(world, texts)
        assert states == Counter({"sent": len(texts)})
        with db.read() as session:
            assert not session.scalar(select(OutboundMessage.id).where(OutboundMessage.state == "sending"))
            # The kills did land mid-send: rows of dead workers were found and settled.
            assert session.scalar(
                select(func.count()).select_from(MetricEvent).where(MetricEvent.name == metrics.LEASE_EXPIRED)
            ) >= len(orphaned)


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_several_workers_never_break_the_limit(db: Database, monkeypatch: pytest.MonkeyPatch, workers_factory) -> None:  # noqa: ANN001
    limit = 10
    count = 3 if db.engine.dialect.name == "postgresql" else 2
    for world in make_world(db, monkeypatch, sim_limit=100_000, account_limit=limit):
        # Attempts of a minute ago fill the window and leave it one by one from 2.5 s on,
        # a quarter of a second apart:
        # the workers must step in exactly as each slot frees, no sooner, and only once.
        start = utcnow()
        phantoms = [start - timedelta(seconds=60) + timedelta(seconds=2.5 + 0.25 * i) for i in range(limit)]
        with db.write() as session:
            session.add_all(SendAttempt(account_id=world.account.id, attempted_at=t) for t in phantoms)
        texts = _enqueue(world, 30, "many")
        workers = workers_factory(db)
        for _ in range(count):
            workers.start()
        deadline = time.monotonic() + 30
        while len(world.sim.ledger()) < limit and time.monotonic() < deadline:
            time.sleep(0.1)
        # The platform took the last one: let its worker record it (on a loaded machine
        # that can take a moment) before stopping them all.
        while _states(db)["sent"] < limit and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # room for a send too many, if there were one
        assert workers.stop_all() == [0] * count
        ledger = world.sim.ledger()
        assert len(ledger) == limit
        times = sorted(phantoms + [entry.accepted_at for entry in ledger])
        assert all(times[i + limit] - times[i] >= timedelta(seconds=60) for i in range(len(times) - limit))
        assert len({(e.user_id, e.text) for e in ledger}) == limit  # no duplicate
        states = _states(db)
        assert states["sent"] == limit and states["sending"] == 0 and states["queued"] == 30 - limit
        assert {html_to_text(e.text) for e in ledger} <= set(texts.values())


def _jobs(db: Database, events: list[JobEvent]) -> BackgroundJobs:
    """Started jobs of one process, retrying quickly."""
    jobs = BackgroundJobs(
        db,
        # An outage fails a message at its first refused connection (below).
        Settings(poll_interval_seconds=1, drain_interval_seconds=0.5, http_timeout_seconds=1, chatter_name="ana",
                 outage_retry_minutes=0),
        on_event=events.append,
        lease_seconds=3,
        reconcile_grace_seconds=2,
    )
    # Retries 0.2, 0.4, 0.8 s ... apart rather than 2, 4, 8 s: the same faults and
    # outcomes, without waiting out the production backoff (nor the outage's, below).
    jobs.sender_config = replace(jobs.sender_config, backoff_base_seconds=0.2)
    jobs.start()
    return jobs


def test_faults_end_in_sent_once_or_failed_with_a_reason(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    for world in make_world(db, monkeypatch, sim_limit=100_000, account_limit=100_000):
        world.sim.set_faults(
            Faults(error_5xx_rate=0.2, rate_429_rate=0.1, timeout_after_accept_rate=0.1, hang_seconds=30, seed=9)
        )
        # 30 messages: as many sends left without an answer as 60 at half the rate.
        texts = _enqueue(world, 30, "faulty")
        events: list[JobEvent] = []
        jobs = _jobs(db, events)
        try:
            _wait_settled(db, timeout=90)
            states = _check_exactly_once(world, texts)
            assert states["sent"] + states["failed"] == 30
            # A drain still going round after the last row settled would take the next
            # row with the client it holds (of the good URL): stop those jobs first.
            jobs.shutdown()

            # Make one fail for sure (the platform unreachable), then retry it to sent.
            world.sim.set_faults(Faults())
            with db.write() as session:
                account = session.get(Account, world.account.id)
                good_url, account.base_url = account.base_url, "http://127.0.0.1:9"
            # (Attempts as usual: on a loaded machine the send after the retry may time
            # out, and must be allowed to go again.)
            doomed = outbox.enqueue(db, world.account.id, world.fans[0], "doomed, then saved", created_by="ana")
            texts[doomed] = "doomed, then saved"
            jobs = _jobs(db, events)
            jobs.drain_now()
            _wait_settled(db, timeout=20)
            assert world.row(doomed).state == "failed"
            assert "unreachable" in world.row(doomed).last_error
            with db.write() as session:
                account = session.get(Account, world.account.id)
                account.base_url = good_url
                # The outage's next try, as the refusals (of sends and polls) left it.
                back_at = account.unreachable_retry_at or utcnow()
            failed = [v.id for v in outbox.failed(db, world.account.id)]
            assert doomed in failed
            # Retry the one checked below and others up to the limit of 10 a minute
            # (``failed`` is newest first, a retry takes the oldest first).
            retried = [doomed, *[i for i in failed if i != doomed][: outbox.MANUAL_RETRIES_PER_MINUTE - 1]]
            assert outbox.retry(db, world.account.id, retried, by="bo") == len(retried)
            jobs.drain_now()
            _wait_settled(db, timeout=30 + max(0.0, (back_at - utcnow()).total_seconds()))
        finally:
            jobs.shutdown()
        doomed_row = world.row(doomed)
        # (Seen once under CI load as failed again: its reason says which way.)
        assert doomed_row.state == "sent", (doomed_row.state, doomed_row.last_error, events[-8:])
        _check_exactly_once(world, texts)
