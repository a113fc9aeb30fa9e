"""A synced account on a loopback simulator, and helpers to drive the sender."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.core import outbox
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.core.outbox.sender import DrainReport, Sender, SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.clients import client_for
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import Fan, Media, OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.support.accounts import add_simulated_account

TOKEN = "outbox-token-1"


@dataclass
class World:
    """One simulated creator, served on loopback, synced into ``db``."""

    sim: Simulator
    base_url: str
    db: Database
    account: AccountInfo
    client: PlatformClient
    fans: list[int]  # local ids of fans with an active subscription
    expired_fans: list[int]
    media: list[int]  # platform media ids of the vault
    platform_ids: dict[int, int] = field(default_factory=dict)  # local fan id -> platform id

    def sender(self, clock: Callable[[], datetime] = utcnow, **config: object) -> Sender:
        defaults: dict[str, object] = {
            "lease": timedelta(seconds=10),
            "reconcile_grace": timedelta(seconds=0.5),
            "backoff_base_seconds": 0.01,
        }
        defaults.update(config)
        return Sender(self.db, self.account.id, self.client, SenderConfig(**defaults), clock=clock)

    def states(self) -> dict[int, str]:
        with self.db.read() as session:
            return dict(session.execute(select(OutboundMessage.id, OutboundMessage.state)).all())

    def row(self, outbound_id: int) -> OutboundMessage:
        with self.db.read() as session:
            row = session.get(OutboundMessage, outbound_id)
            assert row is not None
            return row

    def fail(self, ids: list[int], reason: str = "HTTP 422: nope") -> None:
        """Mark queued messages failed, as the sender does after the last attempt."""
        with self.db.write() as session:
            for outbound_id in ids:
                row = session.get(OutboundMessage, outbound_id)
                assert row is not None
                row.state, row.attempts, row.last_error = OutboundState.FAILED, 5, reason
                row.first_attempt_at = row.last_attempt_at = utcnow()

    def set_status(self, fan_id: int, status: str) -> str:
        """The fan's local subscription status, as a sync would leave it (or a stale one);
        returns the one it had."""
        with self.db.write() as session:
            fan = session.get(Fan, fan_id)
            assert fan is not None
            before, fan.subscription_status = fan.subscription_status, status
            return before

    def queue_failed(self, fan_id: int, text: str = "come back?") -> int:
        """A failed message for the fan, queued while the fan was still active locally."""
        status = self.set_status(fan_id, "active")
        outbound_id = outbox.enqueue(self.db, self.account.id, fan_id, text, created_by="ana")
        self.set_status(fan_id, status)
        self.fail([outbound_id], "403: the user's subscription is not active")
        return outbound_id


def make_world(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    *,
    fans: int = 30,
    sim_limit: int = 10_000,
    account_limit: int = 10_000,
    seed: int = 11,
    skin: str = "contract",
) -> Iterator[World]:
    sim = Simulator(
        SimulatorConfig(
            fans=fans,
            seed=seed,
            token=TOKEN,
            send_limit_per_minute=sim_limit,
            other_limit_per_5min=1_000_000,
            skin=skin,
            gateway_rate_per_minute=1_000_000,  # pacing is not what these tests are about
            gateway_burst=1_000_000,
        )
    )
    with sim.serve() as base_url:
        account = add_simulated_account(
            db, sim, base_url, monkeypatch, send_limit_per_minute=account_limit
        )
        # The setup's sync with the default timeout (a loaded machine's simulator can
        # take over 2 s to answer); the tests' client gives up after 2 s, as the hang
        # faults they set expect.
        with client_for(account, TOKEN) as patient:
            InboundSync(db, account.id, patient).full()
        client = client_for(account, TOKEN, timeout=2.0)
        with db.read() as session:
            rows = session.execute(
                select(Fan.id, Fan.platform_user_id, Fan.subscription_status)
                .where(Fan.account_id == account.id)
                .order_by(Fan.id)
            ).all()
            media = list(
                session.scalars(
                    select(Media.platform_media_id)
                    .where(Media.account_id == account.id)
                    .order_by(Media.platform_media_id)
                )
            )
        try:
            yield World(
                sim=sim,
                base_url=base_url,
                db=db,
                account=account,
                client=client,
                fans=[r.id for r in rows if r.subscription_status == "active"],
                expired_fans=[r.id for r in rows if r.subscription_status != "active"],
                media=media,
                platform_ids={r.id: r.platform_user_id for r in rows},
            )
        finally:
            sim.stopping.set()  # release hung answers before the server stops
            client.close()


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from make_world(db, monkeypatch)


def drain_until_settled(
    sender: Sender,
    db: Database,
    *,
    timeout: float = 60.0,
    stop: threading.Event | None = None,
) -> list[DrainReport]:
    """Drain repeatedly until no row is queued, sending or unknown (or the time is up)."""
    import time

    deadline = time.monotonic() + timeout
    reports = []
    active = (OutboundState.QUEUED, OutboundState.SENDING, OutboundState.UNKNOWN)
    while time.monotonic() < deadline:
        reports.append(sender.drain(stop))
        with db.read() as session:
            left = session.scalar(
                select(OutboundMessage.id).where(OutboundMessage.state.in_(active)).limit(1)
            )
        if left is None:
            return reports
        time.sleep(0.05)
    raise AssertionError(f"queue not settled within {timeout} s")
