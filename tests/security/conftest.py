"""A team database on PostgreSQL: two accounts (mia, zoe) with a row in every account
table, and chatters logging in as roles of their own.

Roles are global to the PostgreSQL server, so every name made here carries this run's
id and is dropped afterwards; the schema is one of its own, as for every PostgreSQL
test. One team per module: setting it up is the slow part.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, make_url, select, text

from ofcrm_tui.core import access
from ofcrm_tui.core.access import TeamGroups
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, parse_url
from ofcrm_tui.store.models import (
    Assignment,
    Campaign,
    Conversation,
    DeletedFan,
    Draft,
    Fan,
    MetricEvent,
    Note,
    OutboundMessage,
    ReadMark,
    SavedReply,
    SendAttempt,
    SyncCursor,
    TeamPresence,
    TeamVersion,
)
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.tui.app import OfcrmApp
from tests.support.databases import NO_POSTGRES, postgres_schema, postgres_url

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ACCOUNTS = ("mia", "zoe")


@dataclass
class Team:
    owner: Database
    url: str
    run: str
    groups: TeamGroups
    accounts: dict[str, int]
    roles: list[str] = field(default_factory=list)
    _opened: list[Database] = field(default_factory=list)

    def role(self, short: str) -> str:
        """A role name of this run (``sam`` -> ``sam_<run>``)."""
        return f"{short}_{self.run}"

    def url_of(self, role: str) -> str:
        return make_url(self.url).set(username=role).render_as_string(hide_password=False)

    def connect(self, role: str) -> Database:
        """A database logged in as ``role`` (closed with the team)."""
        db = Database(self.url_of(role))
        self._opened.append(db)
        return db

    def chatter(self, short: str, *names: str, export: bool = False,
                campaign: bool = False, delete: bool = False) -> str:
        role = self.role(short)
        self.roles.append(role)
        access.add_chatter(self.owner, role, list(names), can_export=export,
                           can_campaign=campaign, can_delete=delete, groups=self.groups)
        return role

    def worker(self, short: str) -> str:
        role = self.role(short)
        self.roles.append(role)
        access.add_worker(self.owner, role, groups=self.groups)
        return role

    def app(self, role: str, account: str, *, now: datetime | None = NOW,
            **settings: float) -> OfcrmApp:
        """The app of ``role`` on ``account``, its clock at ``now`` (None: the real one),
        with these ``settings`` (the caller closes ``app.context``)."""
        context = AppContext(Settings(database_url=self.url_of(role), **settings))
        opened = get_account(context.db, account)
        if now is None:
            return OfcrmApp(context, opened)
        return OfcrmApp(context, opened, clock=lambda: now)

    def close(self) -> None:
        for db in self._opened:
            db.dispose()
        self.owner.dispose()


def one_of_each(db: Database, account_id: int) -> None:
    """A row in each account table the generator leaves empty."""
    with db.write() as session:
        fan = session.scalars(select(Fan).where(Fan.account_id == account_id)).first()
        conversation = session.scalars(
            select(Conversation).where(Conversation.fan_id == fan.id)).one()
        campaign = Campaign(account_id=account_id, name="draft", text="hi", created_by="o")
        session.add_all([
            Note(account_id=account_id, fan_id=fan.id, author="owner", body="likes cats"),
            SavedReply(account_id=account_id, name="hello", body="hello!"),
            SyncCursor(account_id=account_id, stream="chats", value="1"),
            MetricEvent(account_id=account_id, name="poll", recorded_at=NOW),
            Draft(account_id=account_id, conversation_id=conversation.id, text="typing"),
            campaign,
            ReadMark(account_id=account_id, platform_user_id=fan.platform_user_id),
            DeletedFan(account_id=account_id, platform_user_id=999_999_999, username="gone"),
            TeamPresence(app_id=f"app-{account_id}", account_id=account_id, chatter="owner",
                         conversation_id=conversation.id, started_at=NOW, seen_at=NOW),
            Assignment(conversation_id=conversation.id, account_id=account_id, chatter="owner",
                       assigned_by="owner", assigned_at=NOW),
            TeamVersion(account_id=account_id, assignments=1),
        ])
        session.flush()
        queued = OutboundMessage(account_id=account_id, fan_id=fan.id, kind="reply",
                                 priority=0, text="queued", created_by="owner")
        session.add(queued)
        session.flush()
        session.add(SendAttempt(account_id=account_id, outbound_id=queued.id,
                                attempted_at=NOW - timedelta(seconds=5)))


def drop_roles(base: str, names: list[str]) -> None:
    admin = create_engine(parse_url(base), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in names:
                connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        admin.dispose()


@contextmanager
def _team(*, public_usage: bool) -> Iterator[Team]:
    """A team in a schema of its own; ``public_usage``: everyone may use the schema, as
    ``public`` (a role off the team still finds the names, and is refused them), else its
    USAGE is the team groups' alone (a role off the team is told they do not exist)."""
    base = postgres_url()
    if base is None:
        pytest.skip(NO_POSTGRES)
    run = uuid.uuid4().hex[:8]
    groups = TeamGroups.named(f"ofcrm_t{run}")
    found: Team | None = None
    try:
        with postgres_schema(base) as url:
            owner = Database(url)
            migrate.upgrade(owner)
            if public_usage:
                with owner.write() as session:
                    schema = session.scalar(text("SELECT quote_ident(current_schema())"))
                    session.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO PUBLIC"))
            ids = {}
            for seed, name in enumerate(ACCOUNTS, start=1):
                generate(owner, account=name, fans=30, messages=300, seed=seed, now=NOW)
                ids[name] = next(a.id for a in list_accounts(owner) if a.name == name)
                one_of_each(owner, ids[name])
            access.init_team(owner, groups)
            found = Team(owner, url, run, groups, ids)
            try:
                yield found
            finally:
                found.close()
    finally:
        drop_roles(base, [*(found.roles if found else []), groups.chatter, groups.worker])


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    with _team(public_usage=True) as found:
        yield found


@pytest.fixture(scope="module")
def private_team() -> Iterator[Team]:
    """A team whose schema only its groups may use (``ofcrm team init`` grants USAGE to
    them, as on a schema other than ``public``)."""
    with _team(public_usage=False) as found:
        yield found


@pytest.fixture(params=["team", "private_team"])
def any_team(request: pytest.FixtureRequest) -> Team:
    """Each team in turn: its schema usable by everyone (as ``public``), or by its groups
    alone (a removed member is told the tables do not exist)."""
    return request.getfixturevalue(request.param)
