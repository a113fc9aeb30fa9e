"""Two accounts, two chatters: each sees and writes only its own account's rows, through
the app's queries and through plain SQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.core import access, inbox, outbox
from ofcrm_tui.core.access import AccessDenied, Kind
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.core.analytics import period
from ofcrm_tui.core.analytics.figures import dashboard
from ofcrm_tui.core.fans import listing
from ofcrm_tui.store import security
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.security.conftest import NOW, Team


@pytest.fixture(scope="module")
def chatters(team: Team) -> dict[str, Database]:
    """sam works on mia, kim on zoe."""
    return {
        "mia": team.connect(team.chatter("sam", "mia")),
        "zoe": team.connect(team.chatter("kim", "zoe")),
    }


def _refused(db: Database, statement: str, **params: object) -> str:
    with pytest.raises(DBAPIError) as caught, db.write() as session:
        session.execute(text(statement), params)
    denied = access.refusal(caught.value)
    assert denied is not None, caught.value
    return str(denied)


def test_the_app_queries_show_a_chatter_only_its_account(
    team: Team, chatters: dict[str, Database]
) -> None:
    for mine, db in chatters.items():
        other = team.accounts["zoe" if mine == "mia" else "mia"]
        own = team.accounts[mine]
        me = access.identity(db)
        assert (me.kind, me.account_ids) == (Kind.CHATTER, (own,))
        assert [a.name for a in list_accounts(db)] == [mine]
        assert inbox.count_conversations(db, own, inbox.InboxFilter()) == 30
        assert inbox.conversations_window(db, other, inbox.InboxFilter(), 0, 100) == []
        assert inbox.count_conversations(db, other, inbox.InboxFilter()) == 0
        fan = listing.fans_window(team.owner, other, limit=1)[0]
        # Search by name, by message text and by a symbol's substring (an emoji: no
        # lookup function, the policy alone): the owner finds the other account's fan.
        for needle in (fan.username, "the", "🔥"):
            found = inbox.InboxFilter(query=needle)
            assert inbox.count_conversations(team.owner, other, found) > 0
            assert inbox.count_conversations(db, other, found) == 0
            assert inbox.conversations_window(db, other, found, 0, 100) == []
        named = listing.fans_window(team.owner, own, limit=1)[0].username
        for needle in ("the", "🔥", "you 😘", named, "@" + named):  # "@": as the lists show it
            assert inbox.count_conversations(db, own, inbox.InboxFilter(query=needle)) > 0
        assert listing.count_fans(db, other) == 0
        assert listing.fans_window(db, other) == []
        assert inbox.thread_page(db, other, fan.conversation_id or 0) == []
        days = period.last_days(3650, now=NOW)
        assert dashboard(db, other, days).kpis.total_fans == 0
        assert dashboard(db, own, days).kpis == dashboard(team.owner, own, days).kpis
        with pytest.raises(outbox.OutboxError, match="no account"):
            outbox.queue_status(db, other, now=NOW)


def test_plain_sql_shows_a_chatter_only_its_account_in_every_table(
    team: Team, chatters: dict[str, Database]
) -> None:
    for mine, db in chatters.items():
        own = team.accounts[mine]
        with team.owner.read() as owner, db.read() as session:
            for table in security.ACCOUNT_TABLES:
                column = security.account_column(table)
                everyone = dict(owner.execute(text(
                    f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")).all())
                assert set(everyone) >= set(team.accounts.values()), table  # both have rows
                seen = dict(session.execute(text(
                    f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")).all())
                assert seen == {own: everyone[own]}, table


def test_a_chatter_cannot_write_into_another_account(
    team: Team, chatters: dict[str, Database]
) -> None:
    sam, mia, zoe = chatters["mia"], team.accounts["mia"], team.accounts["zoe"]
    with team.owner.read() as session:
        zoe_fan = session.scalar(select(Fan.id).where(Fan.account_id == zoe))
        mia_fan = session.scalar(select(Fan.id).where(Fan.account_id == mia))
    line = _refused(sam, "INSERT INTO notes (account_id, fan_id, author, body, created_at, "
                    "updated_at) VALUES (:a, :f, 'sam', 'mine now', now(), now())",
                    a=zoe, f=zoe_fan)
    assert "row-level security" in line and line.count("\n") == 0
    _refused(sam, "UPDATE fans SET account_id = :zoe WHERE id = :f", zoe=zoe, f=mia_fan)
    with sam.write() as session:  # the other account's rows are not there to change
        changed = session.execute(text("UPDATE fans SET nickname = 'x' WHERE account_id = :a"),
                                  {"a": zoe})
        assert changed.rowcount == 0
        gone = session.execute(text("DELETE FROM notes WHERE account_id = :a"), {"a": zoe})
        assert gone.rowcount == 0
    # What the workers sync and the database keeps is read-only to a chatter...
    _refused(sam, "INSERT INTO transactions (account_id, platform_transaction_id, type, "
             "amount_cents, net_cents, fee_cents, currency, description, status, created_at) "
             "VALUES (:a, 'fake', 'tip', 100000, 80000, 20000, 'USD', '', 'done', now())", a=mia)
    _refused(sam, "UPDATE analytics_sent_hours SET sent = sent + 1000 WHERE account_id = :a",
             a=mia)
    # ...and so is its own account's row: where its platform key would be sent.
    _refused(sam, "UPDATE accounts SET base_url = 'http://evil.example' WHERE id = :a", a=mia)


def test_the_team_tables_and_the_trail_are_out_of_a_chatters_reach(
    chatters: dict[str, Database]
) -> None:
    sam = chatters["mia"]
    for statement in ("SELECT * FROM team_grants", "SELECT * FROM team_members",
                      "SELECT * FROM audit_events", "DELETE FROM audit_events",
                      "INSERT INTO team_grants VALUES (current_user, 1)"):
        assert "permission denied" in _refused(sam, statement)
    with pytest.raises(access.TeamError, match="only a manager"):
        access.members(sam)


def test_a_temporary_table_cannot_stand_in_for_the_grants(
    team: Team, chatters: dict[str, Database]
) -> None:
    """The access functions read the real grants whatever the caller's search path."""
    sam = chatters["mia"]
    with sam.read() as session:
        session.execute(text("CREATE TEMP TABLE team_grants (role_name text, account_id bigint)"))
        session.execute(text("INSERT INTO team_grants VALUES (current_user, :z)"),
                        {"z": team.accounts["zoe"]})
        session.execute(text("SET LOCAL search_path = pg_temp, " + _schema(team)))
        seen = session.scalars(text("SELECT DISTINCT account_id FROM fans")).all()
    assert seen == [team.accounts["mia"]]


def test_a_manager_sees_every_account_and_a_role_off_the_team_none(team: Team) -> None:
    assert access.identity(team.owner).kind is Kind.MANAGER
    assert {a.name for a in list_accounts(team.owner)} == {"mia", "zoe"}
    stranger = team.role("stranger")
    team.roles.append(stranger)
    with team.owner.write() as session:  # a role with the privileges but no team row
        session.execute(text(f'CREATE ROLE "{stranger}" LOGIN IN ROLE "{team.groups.chatter}"'))
    db = team.connect(stranger)
    assert access.identity(db).kind is Kind.NONE
    assert list_accounts(db) == []
    with pytest.raises(AccessDenied, match="may not export"):
        with db.read() as session:
            access.require(session, access.Right.EXPORT, team.accounts["mia"])


def _schema(team: Team) -> str:
    with team.owner.read() as session:
        return str(session.scalar(text("SELECT current_schema()")))
