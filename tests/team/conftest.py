"""A small generated account on SQLite and PostgreSQL, and apps of two chatters on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import AccountInfo, resolve_account
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.tui.app import OfcrmApp

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ACCOUNT = "generated"


@dataclass
class Clock:
    """The apps' clock: moved by the tests, never by time passing."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Team:
    """One database with a generated account; each ``app`` is another chatter's."""

    url: str
    db: Database
    account: AccountInfo
    conversations: list[int]  # newest first, as the inbox lists them
    fans: dict[int, int]  # conversation -> fan
    clock: Clock = field(default_factory=Clock)
    contexts: list[AppContext] = field(default_factory=list)

    def context(self, chatter: str, **settings: object) -> AppContext:
        values: dict[str, object] = {
            "presence_interval_seconds": 30, "presence_expiry_seconds": 60, **settings}
        context = AppContext(Settings(database_url=self.url, chatter_name=chatter, **values))
        self.contexts.append(context)
        return context

    def app(self, chatter: str, **settings: object) -> OfcrmApp:
        """An app of ``chatter`` (its beats driven by the test: the interval is long)."""
        return OfcrmApp(self.context(chatter, **settings), self.account, clock=self.clock)


@pytest.fixture
def crew(db: Database, database_url: str) -> Iterator[Team]:
    """The generated account on a database at the current schema (SQLite, PostgreSQL)."""
    generate(db, fans=12, messages=150, seed=5, now=NOW, transactions=False)
    account = resolve_account(db, ACCOUNT)
    with db.write() as session:
        # Read: opening a conversation marks nothing on the (unreachable) platform.
        session.execute(update(Conversation).values(unread_count=0))
        rows = session.execute(
            select(Conversation.id, Conversation.fan_id)
            .where(Conversation.account_id == account.id)
            .order_by(Conversation.last_fan_message_at.desc(), Conversation.id.desc())
        ).all()
    team = Team(database_url, db, account, [r.id for r in rows], {r.id: r.fan_id for r in rows})
    try:
        yield team
    finally:
        for context in team.contexts:
            context.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
