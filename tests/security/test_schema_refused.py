"""A team whose tables are not in ``public``: a member taken off it loses the schema's
USAGE with its group, and PostgreSQL answers that the tables do not exist (42P01), not
that they are refused. That is known for a removal, and a table really missing (a
database not upgraded yet) is not taken for one."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from ofcrm_tui.core import access
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import TeamKind
from ofcrm_tui.store.models import Account
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.app import OfcrmApp
from tests.security.conftest import Team
from tests.tui.pilot import settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _error(db: Database, statement: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised, db.read() as session:
        session.execute(text(statement))
    return raised.value


def _accounts_error(db: Database) -> ProgrammingError:
    with pytest.raises(ProgrammingError) as raised, db.read() as session:
        session.execute(select(Account.id))
    return raised.value


def test_a_member_removed_is_told_the_schema_is_refused(private_team: Team) -> None:
    role = private_team.chatter("ada", "mia")
    db = private_team.connect(role)
    with db.read() as session:  # connected while on the team
        assert session.scalars(select(Account.id)).all()
    access.remove_member(private_team.owner, role, TeamKind.CHATTER, private_team.groups)
    error = _accounts_error(db)
    assert access.unfound(error) and access.refusal(error) is None
    schema = private_team.owner.url.query["options"].removeprefix("-csearch_path=")
    assert access.schema_refused(db, error) == f"permission denied for schema {schema}"
    assert str(access.lost(db, error)).startswith(
        f"refused by the database: permission denied for schema {schema} (is this role")
    assert str(access.off_the_team(db, error)) == (
        f"{role} is no longer on the team (refused by the database: permission denied for "
        f"schema {schema}); ask a manager: ofcrm team list")


def test_a_table_really_missing_is_no_removal(private_team: Team) -> None:
    role = private_team.worker("bo")
    for db in (private_team.connect(role), private_team.owner):
        error = _error(db, "SELECT * FROM not_upgraded_yet")
        assert access.unfound(error)
        assert access.schema_refused(db, error) is None
        assert access.lost(db, error) is None
        assert access.off_the_team(db, error) is None


def test_sqlite_asks_nothing(tmp_path) -> None:  # noqa: ANN001
    db = Database(f"sqlite:///{tmp_path / 'one.db'}")
    try:
        error = _error(db, "SELECT * FROM accounts")
        assert access.schema_refused(db, error) is None and access.lost(db, error) is None
    finally:
        db.dispose()


async def _told(team: Team, short: str, statement: str, *, remove: bool) -> OfcrmApp:
    """A chatter's app (its status and beats far apart) whose worker runs ``statement``
    (the chatter taken off the team first, with ``remove``), once what it said is in."""
    role = team.chatter(short, "mia")
    app = team.app(role, "mia", now=None, presence_interval_seconds=60,
                   presence_expiry_seconds=120)
    context = app.context
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            if remove:
                access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)

            def run() -> None:
                with context.db.read() as session:
                    session.execute(text(statement))

            app.run_worker(run, thread=True, exit_on_error=False)
            # (not ``settle``: it raises the workers' errors)
            for _ in range(200):
                if len([n for n in app._notifications if n.title != "Team mode"]):
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.3)
        return app
    finally:
        context.close()


async def test_an_app_told_of_a_table_really_missing_shows_the_error(
    private_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked and not a removal: the error is shown as any other, and the app goes on."""
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 600)
    app = await _told(private_team, "cy", "SELECT * FROM not_upgraded_yet", remove=False)
    wrong = [n.message for n in app._notifications if n.title == "Something went wrong"]
    assert len(wrong) == 1 and 'relation "not_upgraded_yet" does not exist' in wrong[0]
    assert app.cut_off is None


async def test_an_app_told_by_any_read_that_the_tables_are_gone_knows_the_removal(
    private_team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 600)
    app = await _told(private_team, "di", "SELECT id FROM accounts", remove=True)
    notes = [(n.title, n.message) for n in app._notifications if n.title != "Team mode"]
    assert len(notes) == 1 and notes[0][0] == "No access", notes
    assert app.cut_off is not None and "removed from the team" in app.cut_off
