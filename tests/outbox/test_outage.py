"""Platform outages: a connection never made sends nothing, costs nothing, and waits.

The simulator is stopped and served again on the same port; the sender runs on a clock
of the test's, so minutes of outage pass without sleeping.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.config import Settings
from ofcrm_tui.core import outage, outbox
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.sender import Idle, Sender, SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.text import html_to_text
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from ofcrm_tui.store.types import utcnow
from tests.outbox.test_scheduler import Events, wait_for
from tests.support.accounts import add_simulated_account

TOKEN = "outage-token-1"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Down:
    """A synced account whose simulator is not serving (``serve()`` brings it back)."""

    sim: Simulator
    port: int
    db: Database
    account: AccountInfo
    client: PlatformClient
    fan: int  # a local fan id with an active subscription
    clock: Clock

    # The port, bound but not listening while the platform is down: connections are
    # refused, and no other test process (pytest-xdist) can serve on it meanwhile.
    hold: socket.socket

    @contextmanager
    def serve(self) -> Iterator[str]:
        self.hold.close()
        with self.sim.serve(port=self.port) as base_url:
            yield base_url

    def sender(self, **config: object) -> Sender:
        values: dict[str, object] = {"lease": timedelta(seconds=10), "reconcile_grace": timedelta(0)}
        values.update(config)
        return Sender(
            self.db, self.account.id, self.client, SenderConfig(**values),
            clock=self.clock, rng=random.Random(5),
        )

    def used(self) -> int:
        with self.db.read() as session:
            return limiter.attempts_in_window(session, self.account.id, self.clock())

    def outage(self) -> outage.Outage | None:
        with self.db.read() as session:
            return outage.current(session, self.account.id)


@pytest.fixture
def down(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Down]:
    sim = Simulator(SimulatorConfig(fans=6, seed=4, token=TOKEN))
    with sim.serve() as base_url:
        account = add_simulated_account(db, sim, base_url, monkeypatch)
        client = PlatformClient(base_url, TOKEN, timeout=2.0)
        InboundSync(db, account.id, client).full()
    with db.read() as session:
        fan = session.scalar(
            select(Fan.id).where(Fan.account_id == account.id, Fan.subscription_status == "active")
        )
    port = int(base_url.rsplit(":", 1)[1])
    hold = socket.socket()
    hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hold.bind(("127.0.0.1", port))
    try:
        yield Down(sim, port, db, account, client, fan, Clock(), hold)
    finally:
        hold.close()
        client.close()


def test_a_reply_queued_in_an_outage_is_sent_once_when_the_platform_returns(down: Down) -> None:
    reply = outbox.enqueue(down.db, down.account.id, down.fan, "still there?", created_by="ana", now=down.clock())
    sender = down.sender()
    waits = []
    for _ in range(8):  # a few minutes of refused connections
        report = sender.drain()
        assert report.retried == [reply] and not report.failed
        row = outbox.get(down.db, down.account.id, reply)
        assert row is not None and row.state == "queued" and row.attempts == 0
        assert "unreachable" in (row.last_error or "")
        assert down.used() == 0  # nothing reached the platform, nothing counts
        found = down.outage()
        assert found is not None and found.retry_at == report.unreachable_until
        assert report.next_wake_at == found.retry_at == row.next_attempt_at
        waits.append(found.retry_in(down.clock()))
        # Before the next try nothing goes out, however often the drain runs.
        assert sender.drain().idle is Idle.UNREACHABLE
        down.clock.advance(waits[-1])
    assert waits[-1] > 4 * waits[0]  # the waits grow ...
    assert max(waits) <= 60  # ... up to a ceiling
    status = outbox.queue_status(down.db, down.account.id, now=down.clock())
    assert status.outage is not None and status.depth == 1 and status.counts["failed"] == 0

    with down.serve():
        report = sender.drain()
        assert report.sent == [reply]
        assert [html_to_text(e.text) for e in down.sim.ledger()] == ["still there?"]
        assert down.used() == 1  # the window counts the one send
        assert down.outage() is None
        assert outbox.get(down.db, down.account.id, reply).attempts == 1


def test_an_outage_longer_than_the_setting_fails_the_reply_with_the_reason(down: Down) -> None:
    reply = outbox.enqueue(down.db, down.account.id, down.fan, "hello?", created_by="ana", now=down.clock())
    sender = down.sender(outage_retry=timedelta(minutes=3))
    failed = []
    while not failed:
        failed = sender.drain().failed
        found = down.outage()
        down.clock.advance(found.retry_in(down.clock()))
    assert failed == [reply]
    assert down.clock() - found.since >= timedelta(minutes=3)
    row = outbox.get(down.db, down.account.id, reply)
    assert row.state == "failed" and row.last_error.startswith("platform unreachable for 3 min")
    assert down.used() == 0


def test_a_reply_queued_late_in_an_outage_gets_the_whole_wait(down: Down) -> None:
    sender = down.sender(outage_retry=timedelta(minutes=3))
    first = outbox.enqueue(down.db, down.account.id, down.fan, "one", created_by="ana", now=down.clock())
    sender.drain()
    down.clock.advance(150)  # 2.5 minutes into the outage
    later = outbox.enqueue(down.db, down.account.id, down.fan, "two", created_by="ana", now=down.clock())
    assert sender.drain().failed == []  # "one" waited 2.5 min of 3
    down.clock.advance(60)
    assert sender.drain().failed == [first]
    assert outbox.get(down.db, down.account.id, later).state == "queued"


def test_backoff_doubles_with_jitter_up_to_the_ceiling() -> None:
    rng = random.Random(1)
    assert 1.0 <= outage.backoff(0, rng) <= 2.0
    assert 5.0 <= outage.backoff(10, rng) <= 10.0
    assert all(30.0 <= outage.backoff(3600, rng) <= 60.0 for _ in range(50))
    assert len({outage.backoff(30, rng) for _ in range(5)}) == 5  # jitter: no two alike


def test_the_jobs_report_the_outage_and_send_once_when_it_ends(down: Down) -> None:
    """Polls and drains in the background: both wait out the outage, the poll finds the
    platform back, and the reply goes once."""
    events = Events()
    reply = outbox.enqueue(down.db, down.account.id, down.fan, "back soon?", created_by="ana")
    jobs = BackgroundJobs(
        down.db,
        Settings(poll_interval_seconds=1, drain_interval_seconds=0.5, http_timeout_seconds=1,
                 chatter_name="ana"),
        on_event=events,
        lease_seconds=5,
        reconcile_grace_seconds=2,
    )
    jobs.start()
    try:
        # Whichever job meets the refused connection first records the outage; the other
        # then waits it out too (a poll may never run while the drain's retries keep
        # pushing the retry time ahead), so the outage, not a PollFailed, is the report.
        wait_for(lambda: down.outage() is not None)
        wait_for(lambda: outbox.get(down.db, down.account.id, reply).last_error is not None)
        status = outbox.queue_status(down.db, down.account.id)
        assert status.outage is not None and status.used == 0 and status.depth == 1
        with down.serve():
            wait_for(lambda: outbox.get(down.db, down.account.id, reply).state == "sent", 30)
            wait_for(lambda: down.outage() is None)
            assert len(down.sim.ledger()) == 1
            assert outbox.queue_status(down.db, down.account.id).used == 1
    finally:
        jobs.shutdown(wait=True)
