"""The team's migrations, up and down: its tables (0019), its security (0020), the fans'
version (0030), a chatter's own rules (0032), deleted fans and fans marked unread as
account tables with their grants, and who edited another's note (0038)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import inspect, text

from ofcrm_tui.store import migrate, security
from ofcrm_tui.store.database import Database
from tests.store.migrating import _account_and_fan, _columns, _indexes, _snapshot


def _drop_role(db: Database, role: str) -> None:
    """The role a test made on PostgreSQL gone, with what it was granted."""
    if not db.is_sqlite:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")


def test_team_tables_come_and_go_and_queued_rows_stay(database_url: str) -> None:
    """0019: presence, assignments and their version; an index on who queued what."""
    db = Database(database_url)
    migrate.upgrade(db, "0018_outbound_tries")
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO outbound_messages (id, account_id, fan_id, kind, priority, text,"
            " price_cents, media_ids, preview_ids, state, attempts, tries, max_attempts,"
            " next_attempt_at, created_by, created_at, updated_at) VALUES (1, 1, 1, 'reply',"
            " 10, 'hi', 0, '[]', '[]', 'queued', 0, 0, 5, :now, 'sam', :now, :now)"), now)
    before = _snapshot(db)
    team_tables = {"team_presence", "conversation_assignments", "team_versions"}
    migrate.upgrade(db, "0019_team")
    assert team_tables <= set(inspect(db.engine).get_table_names())
    assert "ix_outbound_created_by" in _indexes(db, "outbound_messages")
    assert _snapshot(db, _columns(db))["outbound_messages"] == before["outbound_messages"]
    migrate.downgrade(db, "0018_outbound_tries")
    assert not team_tables & set(inspect(db.engine).get_table_names())
    assert _snapshot(db) == before
    db.dispose()


def test_team_security_goes_back_and_comes_again(database_url: str) -> None:
    """0020 down (policies, functions, its tables) and up again, on a schema with rows."""
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 100, 0, 0, 100, 0")
    before = _snapshot(db)
    migrate.downgrade(db, "0019_team")
    assert not {"team_members", "audit_events"} & set(inspect(db.engine).get_table_names())
    migrate.upgrade(db)
    assert _snapshot(db) == before
    db.dispose()


def test_the_fans_version_starts_at_nought_and_whoever_bumps_assignments_may_bump_it(
    database_url: str,
) -> None:
    """0030: ``team_versions.fans`` (0 on the rows there); on PostgreSQL a role that may
    update the assignments' number may update this one, before ``ofcrm team init``."""
    db = Database(database_url)
    migrate.upgrade(db, "0029_fan_days_on_platform")
    role = f"ofcrm_v{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text("INSERT INTO team_versions (account_id, assignments) VALUES (1, 4)"))
        if not db.is_sqlite:
            connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            connection.exec_driver_sql(f"GRANT INSERT, UPDATE (assignments) ON team_versions TO {role}")
    try:
        before = _snapshot(db)
        migrate.upgrade(db)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT assignments, fans FROM team_versions")).all() == [
                (4, 0)]
            if not db.is_sqlite:
                assert connection.execute(text(
                    "SELECT has_column_privilege(:r, 'team_versions', 'fans', 'UPDATE')"),
                    {"r": role}).scalar()
        migrate.downgrade(db, "0029_fan_days_on_platform")
        assert _snapshot(db) == before
    finally:
        _drop_role(db, role)
        db.dispose()


_OWN_RULES = {("notes", "ofcrm_own_note_edits"), ("notes", "ofcrm_own_note_deletes"),
              ("conversation_assignments", "ofcrm_own_assignments"),
              ("conversation_assignments", "ofcrm_own_assignment_edits")}


def _policies(db: Database) -> set[tuple[str, str]]:
    with db.engine.connect() as connection:
        return set(connection.execute(text(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
        )).all())


def test_a_chatter_s_own_notes_and_assignments_rules_come_and_go(database_url: str) -> None:
    """0032: on PostgreSQL the policies keeping a chatter to its own notes and to
    assigning in its own name come with the upgrade to a database that was at 0031
    before them (0025 puts in the rules as ``store/security`` has them now: a new
    database has them already), go with the downgrade (the insert rule of notes
    stays), and come again; rows stay throughout."""
    db = Database(database_url)
    migrate.upgrade(db, "0031_fans_account_index")
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO notes (account_id, fan_id, author, body, created_at, updated_at)"
            " VALUES (1, 1, 'sam', 'sam note', '2026-11-20', '2026-11-20')"))
        if not db.is_sqlite:  # as 0031 was before 0032
            for table, name in _OWN_RULES:
                connection.exec_driver_sql(f"DROP POLICY {name} ON {table}")
    before = _snapshot(db)
    migrate.upgrade(db)
    if not db.is_sqlite:
        assert _OWN_RULES <= _policies(db)
    migrate.downgrade(db, "0031_fans_account_index")
    assert _snapshot(db) == before
    if not db.is_sqlite:
        policies = _policies(db)
        assert not policies & _OWN_RULES and ("notes", "ofcrm_own_notes") in policies
    migrate.upgrade(db)
    if not db.is_sqlite:
        assert _OWN_RULES <= _policies(db)
    db.dispose()


def test_deleted_fans_are_an_account_table_whoever_deletes_fans_may_keep(
    database_url: str,
) -> None:
    """0036: ``deleted_fans`` comes empty beside the rows there, with the account policy
    on PostgreSQL; a role that may delete fans may record and clear deleted fans before
    ``ofcrm team init``; the downgrade takes it away, the rows stay."""
    db = Database(database_url)
    migrate.upgrade(db, "0035_fans_segment_platform")
    role = f"ofcrm_d{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        if not db.is_sqlite:
            connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            connection.exec_driver_sql(f"GRANT SELECT, DELETE ON fans TO {role}")
    try:
        before = _snapshot(db)
        migrate.upgrade(db)
        assert _snapshot(db)["deleted_fans"] == []
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO deleted_fans (account_id, platform_user_id, username, deleted_at)"
                " VALUES (1, 4102, 'gone', '2026-11-20')"))
        if not db.is_sqlite:
            assert ("deleted_fans", security.POLICY) in _policies(db)
            with db.engine.connect() as connection:
                may = connection.execute(text(
                    "SELECT has_table_privilege(:r, 'deleted_fans', 'INSERT'),"
                    " has_table_privilege(:r, 'deleted_fans', 'DELETE'),"
                    " has_column_privilege(:r, 'deleted_fans', 'deleted_at', 'UPDATE')"),
                    {"r": role}).one()
            assert tuple(may) == (True, True, True)
        migrate.downgrade(db, "0035_fans_segment_platform")
        assert "deleted_fans" not in inspect(db.engine).get_table_names()
        assert _snapshot(db) == before
    finally:
        _drop_role(db, role)
        db.dispose()


def test_conversations_marked_unread_start_unmarked_and_whoever_counts_unread_may_mark(
    database_url: str,
) -> None:
    """0037: ``conversations.marked_unread_at`` (NULL on the rows there); on PostgreSQL a
    role that may update the unread count may set it, before ``ofcrm team init``; the
    downgrade takes it away, the rows stay."""
    db = Database(database_url)
    migrate.upgrade(db, "0036_deleted_fans")
    role = f"ofcrm_m{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO conversations (id, account_id, fan_id, unread_count,"
            " last_message_preview) VALUES (1, 1, 1, 2, '')"))
        if not db.is_sqlite:
            connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            connection.exec_driver_sql(
                f"GRANT SELECT, UPDATE (unread_count) ON conversations TO {role}")
    try:
        before = _snapshot(db)
        migrate.upgrade(db)
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT unread_count, marked_unread_at FROM conversations")).all() == [(2, None)]
            if not db.is_sqlite:
                assert connection.execute(text(
                    "SELECT has_column_privilege(:r, 'conversations', 'marked_unread_at',"
                    " 'UPDATE')"), {"r": role}).scalar()
        migrate.downgrade(db, "0036_deleted_fans")
        assert "marked_unread_at" not in {
            c["name"] for c in inspect(db.engine).get_columns("conversations")}
        assert _snapshot(db) == before
    finally:
        _drop_role(db, role)
        db.dispose()


def test_notes_start_edited_by_nobody_and_a_chatter_may_not_write_who_edited(
    database_url: str,
) -> None:
    """0038: ``notes.edited_by`` and ``edited_at`` (NULL on the notes there); on
    PostgreSQL a role that may update a note's body is given neither (another's edit of
    its note stays marked); the downgrade takes them away, the notes stay."""
    db = Database(database_url)
    migrate.upgrade(db, "0037_conversations_marked_unread")
    role = f"ofcrm_n{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO notes (id, account_id, fan_id, author, body, created_at, updated_at)"
            " VALUES (1, 1, 1, 'sam', 'calls on sundays', :at, :at)"),
            {"at": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)})
        if not db.is_sqlite:
            connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            connection.exec_driver_sql(f"GRANT SELECT, UPDATE (body, updated_at) ON notes TO {role}")
    try:
        before = _snapshot(db)
        migrate.upgrade(db)
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT author, edited_by, edited_at FROM notes")).all() == [("sam", None, None)]
            if not db.is_sqlite:
                assert not connection.execute(text(
                    "SELECT has_column_privilege(:r, 'notes', 'edited_by', 'UPDATE')"
                    " OR has_column_privilege(:r, 'notes', 'edited_at', 'UPDATE')"),
                    {"r": role}).scalar()
        migrate.downgrade(db, "0037_conversations_marked_unread")
        assert not {"edited_by", "edited_at"} & {
            c["name"] for c in inspect(db.engine).get_columns("notes")}
        assert _snapshot(db) == before
    finally:
        _drop_role(db, role)
        db.dispose()


_CLOSED_RULES = {("deleted_fans", "ofcrm_deleted_fan_records"),
                 ("deleted_fans", "ofcrm_deleted_fan_edits"),
                 ("campaigns", "ofcrm_campaign_deletes")}


def test_team_rights_close_and_campaign_ids_are_never_given_again(database_url: str) -> None:
    """0039: on PostgreSQL the policies keeping deleted fans' records to the delete right
    and campaign deletes to the app's rule come, and a role that may insert campaigns
    (a chatter group) may delete them, before ``ofcrm team init``; a worker's may not.
    On SQLite ``campaigns`` numbers by AUTOINCREMENT, made in place: its queued
    messages stay. The downgrade takes it all back, the rows stay."""
    db = Database(database_url)
    migrate.upgrade(db, "0038_notes_edited_by")
    run = uuid.uuid4().hex[:8]
    chatters, workers = f"ofcrm_c{run}", f"ofcrm_w{run}"
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        for status in ("draft", "running"):  # ids from the table's own numbering
            running = connection.execute(text(
                "INSERT INTO campaigns (account_id, name, text, price_cents, media_ids,"
                " preview_ids, segment, status, created_by, created_at, recipients)"
                " VALUES (1, 'c', 'hi', 0, '[]', '[]', '{}', :status, 'sam', '2026-11-20', 0)"
                " RETURNING id"), {"status": status}).scalar()
        connection.execute(text(
            "INSERT INTO outbound_messages (id, account_id, fan_id, campaign_id, kind, priority,"
            " text, price_cents, media_ids, preview_ids, state, attempts, tries, max_attempts,"
            " next_attempt_at, created_by, created_at, updated_at) VALUES (1, 1, 1, :running,"
            " 'campaign', 2, 'hi', 0, '[]', '[]', 'queued', 0, 0, 5, '2026-11-20', 'sam',"
            " '2026-11-20', '2026-11-20')"), {"running": running})
        if not db.is_sqlite:
            for role in (chatters, workers):
                connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
            connection.exec_driver_sql(f"GRANT SELECT, INSERT ON campaigns TO {chatters}")
            connection.exec_driver_sql(f"GRANT SELECT, UPDATE (status) ON campaigns TO {workers}")

    def may_delete(role: str) -> bool:
        with db.engine.connect() as connection:
            return connection.execute(text(
                "SELECT has_table_privilege(:r, 'campaigns', 'DELETE')"), {"r": role}).scalar()

    def autoincrement() -> bool:
        with db.engine.connect() as connection:
            return "AUTOINCREMENT" in connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'campaigns'").scalar()

    try:
        before, columns = _snapshot(db), _columns(db)  # later revisions add columns
        migrate.upgrade(db)
        assert _snapshot(db, columns) == before
        if db.is_sqlite:
            assert autoincrement()
        else:
            assert _CLOSED_RULES <= _policies(db)
            assert (may_delete(chatters), may_delete(workers)) == (True, False)
        migrate.downgrade(db, "0038_notes_edited_by")
        assert _snapshot(db) == before
        if db.is_sqlite:
            assert not autoincrement()
        else:
            assert not _CLOSED_RULES & _policies(db)
            assert not may_delete(chatters)
        migrate.upgrade(db)
        new = ("INSERT INTO campaigns (account_id, name, text, price_cents, media_ids,"
               " preview_ids, segment, status, created_by, created_at, recipients) VALUES"
               " (1, 'n', 'hi', 0, '[]', '[]', '{}', 'draft', 'sam', '2026-11-20', 0)"
               " RETURNING id")
        with db.engine.begin() as connection:
            newest = connection.execute(text(new)).scalar()
            connection.execute(text("DELETE FROM campaigns WHERE id = :id"), {"id": newest})
            assert connection.execute(text(new)).scalar() > newest
    finally:
        _drop_role(db, chatters)
        _drop_role(db, workers)
        db.dispose()
