"""A synced SQLite database and a live simulator for the app, with a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.core.outbox.sender import DrainReport, Sender
from ofcrm_tui.core.sync import InboundSync, SyncReport
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.tui.app import OfcrmApp
from tests.support.accounts import add_simulated_account
from tests.support.databases import sqlite_url

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOKEN = "sim-token-123"
# Fan text that must be shown literally: markup, an escape sequence, control characters.
HOSTILE = "[bold red]look[/bold red] \x1b[31mred\x1b[0m \x07bell [link=http://x]x[/link]"


@dataclass
class World:
    sim: Simulator
    context: AppContext
    account: AccountInfo

    def client(self) -> PlatformClient:
        return PlatformClient(self.account.base_url, TOKEN, timeout=5)

    def poll(self) -> SyncReport:
        with self.client() as client:
            return InboundSync(self.context.db, self.account.id, client).poll()

    def drain(self) -> DrainReport:
        with self.client() as client:
            return Sender(self.context.db, self.account.id, client).drain()

    def app(self, **kwargs: object) -> OfcrmApp:
        return OfcrmApp(self.context, self.account, clock=lambda: NOW, **kwargs)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A 30-fan simulator whose history ends at NOW, fully synced into a fresh SQLite."""
    sim = Simulator(SimulatorConfig(fans=30, seed=11, token=TOKEN, now=NOW))
    settings = Settings(database_url=sqlite_url(tmp_path, migrated=True), chatter_name="tester")
    context = AppContext(settings)
    with sim.serve() as base_url:
        account = add_simulated_account(context.db, sim, base_url, monkeypatch)
        world = World(sim, context, account)
        with world.client() as client:
            InboundSync(context.db, account.id, client).full()
        yield world
    context.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
