"""A synced SQLite database and a live simulator for the app, with a frozen clock."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import AccountInfo, get_account
from ofcrm_tui.core.outbox.sender import DrainReport, Sender
from ofcrm_tui.core.sync import InboundSync, SyncReport
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.widgets import page_cache, page_reads, paged_list
from tests.support.accounts import add_simulated_account
from tests.support.databases import sqlite_url

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOKEN = "sim-token-123"
ACCOUNT = "demo"
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


def _simulator() -> Simulator:
    """The world's platform: seeded, its clock frozen at NOW, so the same every time."""
    return Simulator(SimulatorConfig(fans=30, seed=11, token=TOKEN, now=NOW))


def _wire(db: Database, sim: Simulator, base_url: str, monkeypatch: pytest.MonkeyPatch) -> AccountInfo:
    """The synced account pointed at ``sim`` served at ``base_url``, its token given."""
    monkeypatch.setenv(secrets.env_var_name(ACCOUNT), sim.config.token)
    secrets.store_token(ACCOUNT, sim.config.token)
    with db.write() as session:
        session.execute(update(Account).values(base_url=base_url))
    return get_account(db, ACCOUNT)


@functools.cache
def _synced_template() -> Path:
    """A database fully synced from the world's simulator, made once a test process:
    a copy of it is the same database a sync of a fresh simulator makes, in a fraction
    of the time (the sync was a third of a pilot test's start-up)."""
    directory = Path(tempfile.mkdtemp(prefix="ofcrm-world-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    sim = _simulator()
    db = Database(sqlite_url(directory, migrated=True))
    with sim.serve() as base_url, pytest.MonkeyPatch.context() as monkeypatch:
        account = add_simulated_account(db, sim, base_url, monkeypatch, name=ACCOUNT)
        with PlatformClient(base_url, TOKEN, timeout=5) as client:
            InboundSync(db, account.id, client).full()
    db.dispose()  # the last connection checkpoints the WAL into the file
    return directory / "test.db"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A 30-fan simulator whose history ends at NOW, fully synced into a fresh SQLite."""
    shutil.copyfile(_synced_template(), tmp_path / "test.db")
    settings = Settings(database_url=sqlite_url(tmp_path), chatter_name="tester")
    context = AppContext(settings)
    sim = _simulator()
    with sim.serve() as base_url:
        yield World(sim, context, _wire(context.db, sim, base_url, monkeypatch))
    context.close()


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    """Lists (``PagedList``) read pages of 8 rows, so the world's rows fill several."""
    for module in (paged_list, page_cache, page_reads):
        monkeypatch.setattr(module, "PAGE_SIZE", 8)
    return 8


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
