"""A team database from before the delete right (0024) takes the upgrade as the README
says: ``ofcrm db upgrade``, then ``ofcrm team init`` again; its chatters keep working,
without the rights they never had, and a downgrade leaves them working too."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.core import access, inbox
from ofcrm_tui.core.access import TeamGroups
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.core.fans import edits, listing
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store import migrate, security
from ofcrm_tui.store.database import Database
from tests.security.conftest import NOW, drop_roles
from tests.support.databases import NO_POSTGRES, postgres_schema, postgres_url

BEFORE = "0024_platform_nicknames"


def test_an_older_team_database_upgrades_and_is_initialised_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = postgres_url()
    if base is None:
        pytest.skip(NO_POSTGRES)
    run = uuid.uuid4().hex[:8]
    groups, role = TeamGroups.named(f"ofcrm_u{run}"), f"old_{run}"
    opened: list[Database] = []
    try:
        with postgres_schema(base) as url:
            owner = Database(url)
            opened.append(owner)
            # Today's generator writes today's columns: made at the head, taken back to 0024.
            migrate.upgrade(owner)
            generate(owner, account="mia", fans=3, messages=6, now=NOW)
            migrate.downgrade(owner, BEFORE)
            mia = list_accounts(owner)[0].id
            with monkeypatch.context() as old:  # 0024's privileges: no fans version yet
                old.setitem(security.CHATTER_PRIVILEGES, "team_versions",
                            "INSERT, UPDATE (assignments)")
                old.setitem(security.CHATTER_PRIVILEGES, "conversations",
                            "UPDATE (unread_count, last_read_platform_message_id)")
                # ... and a worker's: every account table written and deleted from.
                old.setattr(security, "WORKER_PRIVILEGES", dict.fromkeys(
                    security.ACCOUNT_TABLES, "INSERT, UPDATE, DELETE"))
                access.init_team(owner, groups)
            with owner.write() as session:  # a chatter as 0024's `team add-chatter` made it
                schema = session.scalar(text("SELECT quote_ident(current_schema())"))
                session.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO PUBLIC"))
                session.execute(text(f'CREATE ROLE "{role}" LOGIN IN ROLE "{groups.chatter}"'))
                session.execute(text(
                    "INSERT INTO team_members (role_name, kind, can_export, can_campaign,"
                    " added_by, added_at) VALUES (:r, 'chatter', false, false, 'o', now())"),
                    {"r": role})
                session.execute(text("INSERT INTO team_grants VALUES (:r, :a)"),
                                {"r": role, "a": mia})

            migrate.upgrade(owner)  # ofcrm db upgrade
            chatter = Database(make_url(url).set(username=role).render_as_string(False))
            opened.append(chatter)
            fan = listing.fans_window(chatter, mia, limit=1)[0].fan_id
            # Before ``team init``: 0030 let the chatter move the fans version too.
            assert edits.set_nickname(chatter, mia, fan, "Upgraded") == "Upgraded"
            # ... and 0037 mark a conversation unread (the sync keeps it so).
            chat = inbox.conversations_window(chatter, mia, inbox.InboxFilter(), 0, 1)[0]
            assert inbox.mark_unread_locally(chatter, mia, chat.conversation_id) >= 1
            assert _deletes_accounts(owner, groups.worker)
            access.init_team(owner, groups)  # ofcrm team init, again
            assert not _deletes_accounts(owner, groups.worker)  # taken back
            me = access.identity(chatter)
            assert (me.account_ids, me.can_delete) == ((mia,), False)
            assert edits.set_nickname(chatter, mia, fan, "Still here") == "Still here"
            with pytest.raises(access.AccessDenied, match="may not delete fans of"):
                edits.delete_fan(chatter, mia, fan)
            with pytest.raises(DBAPIError), chatter.write() as session:
                session.execute(text("UPDATE fans SET total_spent_cents = 0"))

            access.add_chatter(owner, role, ["mia"], can_delete=True, groups=groups)
            edits.delete_fan(chatter, mia, fan)
            assert listing.count_fans(chatter, mia) == 2

            migrate.downgrade(owner, BEFORE)  # and back: whoami still answers
            assert access.identity(chatter).account_ids == (mia,)
    finally:
        for db in opened:
            db.dispose()
        drop_roles(base, [role, groups.chatter, groups.worker])


def _deletes_accounts(owner: Database, role: str) -> bool:
    with owner.read() as session:
        return bool(session.scalar(text("SELECT has_table_privilege(:r, 'accounts', 'DELETE')"),
                                   {"r": role}))
