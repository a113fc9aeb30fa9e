from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, select, text

from ofcrm_tui.core.fans import search
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store import migrate, security
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Base, Conversation, Fan
from ofcrm_tui.store.models import Draft as DraftRow


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _snapshot(
    db: Database, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple]]:
    """Every table's rows; with ``columns``, just those columns (what an earlier
    snapshot held: later revisions may add columns)."""
    with db.engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if "_fts" not in n]
        snapshot = {}
        for name in names:
            if name == "alembic_version" or (columns is not None and name not in columns):
                continue
            picked = ", ".join(columns[name]) if columns is not None else "*"
            rows = connection.execute(text(f"SELECT {picked} FROM {name}")).all()
            snapshot[name] = sorted(tuple(row) for row in rows)
        return snapshot


def _columns(db: Database) -> dict[str, list[str]]:
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        return {
            name: [column["name"] for column in inspector.get_columns(name)]
            for name in inspector.get_table_names()
            if "_fts" not in name and name != "alembic_version"
        }


def test_head_is_alembics_head() -> None:
    """The start-up check compares with ``migrate.HEAD`` without loading Alembic."""
    assert migrate.HEAD == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_start_up_check_loads_alembic_only_for_an_upgrade(tmp_path) -> None:  # noqa: ANN001
    code = (
        "import sys\n"
        "from ofcrm_tui.store import migrate\n"
        "from ofcrm_tui.store.database import Database\n"
        f"db = Database('sqlite:///{tmp_path / 'a.db'}')\n"
        "migrate.ensure_current(db)\n"
        "assert 'alembic' in sys.modules, 'the first start upgrades'\n"
        "for name in [m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')]:\n"
        "    del sys.modules[name]\n"
        "migrate.ensure_current(db)\n"
        "assert 'alembic' not in sys.modules, 'a current schema needs no Alembic'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_upgrade_creates_the_schema_and_twice_changes_nothing(database_url: str) -> None:
    db = Database(database_url)
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    before = _snapshot(db)
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD
    assert _snapshot(db) == before
    db.dispose()


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": _not_search_objects},
        )
        assert compare_metadata(context, Base.metadata) == []


def _not_search_objects(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    return not (name and ("_fts" in name or name.startswith(("ix_search_", "ix_sort_"))))


def _partial_in_models() -> set[str]:
    """The models' indexes of only some rows (``store.models.base.partial_index``)."""
    return {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    }


def _partial_in(connection: Connection) -> set[str]:
    """Of the models' indexes, those the database keeps with a ``WHERE``."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
    else:
        # pg_index's predicate, not pg_indexes' text: that view would call
        # pg_get_indexdef on the indexes of other tests' schemas as they are dropped.
        query = (
            "SELECT c.relname FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND i.indpred IS NOT NULL"
        )
    names = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    return set(connection.execute(text(query)).scalars()) & names


def test_the_migrations_make_the_models_partial_indexes(db: Database) -> None:
    # Alembic's comparison above does not look at an index's WHERE.
    assert len(_partial_in_models()) >= 4
    with db.engine.connect() as connection:
        assert _partial_in(connection) == _partial_in_models()


def test_the_models_create_their_partial_indexes_on_both_databases(database_url: str) -> None:
    # PostgreSQL's WHERE is added only when the index is created there (a SQLite process
    # does not load the PostgreSQL dialect to define the models).
    db = Database(database_url)
    with db.engine.begin() as connection:
        Base.metadata.create_all(connection)
        assert _partial_in(connection) == _partial_in_models()
    db.dispose()


def _account_and_fan(connection: Connection, *, spent: str) -> None:
    """Account 1 and its fan 1, in plain SQL (the schema of any revision has them);
    ``spent``: the six money columns, from the subscription price on."""
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    connection.execute(
        text(
            "INSERT INTO accounts (id, name, base_url, send_limit_per_minute, created_at) "
            "VALUES (1, 'mia', 'http://x', 10, :now)"
        ),
        now,
    )
    connection.execute(
        text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            f" VALUES (1, 1, 4101, 'u4101', 'Alex', '', 'active', {spent}, :now, :now)"
        ),
        now,
    )


def test_upgrade_from_the_first_revision_keeps_existing_rows(database_url: str) -> None:
    revisions = _revisions()
    db = Database(database_url)
    migrate.upgrade(db, revisions[0])
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="999, 12345, 4000, 6000, 2345, 0")
    before, columns = _snapshot(db), _columns(db)
    for revision in revisions[1:]:
        migrate.upgrade(db, revision)
    after = _snapshot(db, columns)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()


def _account_with_fans(connection: Connection, *fans: tuple[int, int, str]) -> None:
    """Account 1 with ``fans`` as (id, platform id, username), in plain SQL (any revision)."""
    connection.execute(text("INSERT INTO accounts (id, name, base_url, send_limit_per_minute,"
                            " created_at) VALUES (1, 'a', 'http://x', 10, '2026-01-01')"))
    for fan_id, user_id, username in fans:
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            " VALUES (:id, 1, :user_id, :username, '', '', 'active', 0,0,0,0,0,0,"
            " '2026-01-01', '2026-01-01')"), {"id": fan_id, "user_id": user_id, "username": username})


def test_search_index_follows_fan_and_message_changes(db: Database) -> None:
    """Rows written before and after the index migration are both found."""
    if not db.is_sqlite:
        with db.engine.connect() as connection:
            indexes = {ix["name"] for ix in inspect(connection).get_indexes("messages")}
        assert "ix_search_messages_text" in indexes
        return
    with db.engine.begin() as connection:
        _account_with_fans(connection, (1, 5, "moonlight_rider"))
        hits = connection.execute(
            text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH :q"), {"q": '"light"'}
        ).all()
        assert hits == [(1,)]
        connection.execute(text("UPDATE fans SET username = 'sunrise' WHERE id = 1"))
        assert connection.execute(
            text("SELECT count(*) FROM fans_fts WHERE fans_fts MATCH :q"), {"q": '"light"'}
        ).scalar() == 0


def _drafts_table(db: Database) -> dict[str, object]:
    with db.engine.connect() as connection:
        found = inspect(connection)
        return {
            "columns": [(c["name"], c["nullable"]) for c in found.get_columns("drafts")],
            "indexes": sorted((ix["name"], tuple(ix["column_names"]))
                              for ix in found.get_indexes("drafts")),
            "unique": sorted((uq["name"], tuple(uq["column_names"]))
                             for uq in found.get_unique_constraints("drafts")),
            "foreign_keys": sorted((fk["name"], tuple(fk["constrained_columns"]))
                                   for fk in found.get_foreign_keys("drafts")),
        }


def test_draft_previews_upgrade_fills_in_none_and_downgrade_restores_the_table(
    database_url: str,
) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0005_inbox_indexes")
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(
            text(
                "INSERT INTO conversations (id, account_id, fan_id, unread_count,"
                " last_message_preview) VALUES (1, 1, 1, 0, '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts (id, account_id, conversation_id, text, price_cents,"
                " media_ids, updated_at) VALUES (1, 1, 1, 'unlock', 1500,"
                " '[7000001, 7000002]', :now)"
            ),
            {"now": now},
        )
    before = _drafts_table(db)

    migrate.upgrade(db)
    assert ("preview_ids", False) in _drafts_table(db)["columns"]
    with db.engine.connect() as connection:
        row = connection.execute(
            select(DraftRow.text, DraftRow.media_ids, DraftRow.preview_ids)
        ).one()
    assert tuple(row) == ("unlock", [7000001, 7000002], [])

    migrate.downgrade(db, "0005_inbox_indexes")
    assert migrate.current_revision(db) == "0005_inbox_indexes"
    assert _drafts_table(db) == before
    with db.engine.connect() as connection:
        assert connection.execute(
            text("SELECT text, price_cents FROM drafts WHERE id = 1")
        ).one() == ("unlock", 1500)

    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()


def _indexes(db: Database, table: str) -> set[str]:
    with db.engine.connect() as connection:
        return {ix["name"] for ix in inspect(connection).get_indexes(table)}


def test_fan_names_get_a_trigram_index_on_postgresql(database_url: str) -> None:
    """0007 swaps the word index on fan names for a pg_trgm one that serves the inbox's
    ``LIKE '%part%'``; downgrading swaps back. SQLite keeps its FTS5 tables."""
    db = Database(database_url)
    migrate.upgrade(db)
    if db.is_sqlite:
        assert "ix_search_fans_trgm" not in _indexes(db, "fans")
        db.dispose()
        return
    assert "ix_search_fans_trgm" in _indexes(db, "fans")
    assert "ix_search_fans_names" not in _indexes(db, "fans")
    names = select(Fan.id).where(search.pg_name_test(Fan.__table__, "na_sa"))
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        compiled = names.compile(connection, compile_kwargs={"literal_binds": True})
        plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}")]
    assert any("ix_search_fans_trgm" in line for line in plan), plan
    migrate.downgrade(db, "0006_draft_previews")
    assert "ix_search_fans_names" in _indexes(db, "fans")
    assert "ix_search_fans_trgm" not in _indexes(db, "fans")
    migrate.upgrade(db)
    assert "ix_search_fans_trgm" in _indexes(db, "fans")
    db.dispose()


def _transaction(connection: Connection, row_id: int, platform_id: object) -> None:
    connection.execute(
        text(
            "INSERT INTO transactions (id, account_id, platform_transaction_id, fan_id,"
            " platform_user_id, type, amount_cents, net_cents, fee_cents, currency,"
            " description, status, created_at)"
            " VALUES (:id, 1, :pid, 1, 4101, 'tip', 500, 400, 100, 'USD', '', 'done', :now)"
        ),
        {"id": row_id, "pid": platform_id, "now": datetime(2026, 11, 20, 10, 0)},
    )


def _transaction_ids(db: Database) -> list[object]:
    with db.engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT platform_transaction_id FROM transactions ORDER BY id")
            ).scalars()
        )


def test_gateways_follow_fans_by_hand_and_make_transaction_ids_text(database_url: str) -> None:
    """0009 (gateways) comes after 0008 (fans by hand): transaction ids become text, the
    contract's numbers keeping their digits; going back refuses while a text id exists."""
    revisions = _revisions()
    assert revisions[revisions.index("0008_fans_by_hand") + 1] == "0009_gateways"
    db = Database(database_url)
    migrate.upgrade(db, "0008_fans_by_hand")
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        _transaction(connection, 1, 900000001)
    migrate.upgrade(db)
    assert _transaction_ids(db) == ["900000001"]
    with db.engine.begin() as connection:
        _transaction(connection, 2, "a1b2c3")
        gateway = connection.execute(text("SELECT gateway FROM accounts")).scalar()
    assert gateway == "contract"
    with pytest.raises(OfcrmError, match="text ids"):
        migrate.downgrade(db, "0008_fans_by_hand")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM transactions WHERE id = 2"))
    migrate.downgrade(db, "0008_fans_by_hand")
    assert _transaction_ids(db) == [900000001]
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.HEAD


def test_inbox_order_backfills_the_fans_last_message(database_url: str) -> None:
    """0011: the fan's newest message, else the conversation's first; none: NULL."""
    db = Database(database_url)
    migrate.upgrade(db, "0010_analytics_indexes")
    at = [datetime(2026, 11, 20, h, 0, tzinfo=UTC).replace(tzinfo=None) for h in range(8)]
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        for fan_id, user_id in ((2, 4102), (3, 4103)):
            connection.execute(text(
                "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
                " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
                " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
                f" VALUES ({fan_id}, 1, {user_id}, 'u', '', '', 'active', 0, 0, 0, 0, 0, 0,"
                " :now, :now)"), {"now": at[0]})
        for conversation_id, last in ((1, at[7]), (2, at[5]), (3, None)):
            connection.execute(text(
                "INSERT INTO conversations (id, account_id, fan_id, unread_count,"
                " last_message_preview, last_message_at) VALUES (:id, 1, :id, 0, '', :last)"),
                {"id": conversation_id, "last": last})
        # 1: the fan at 2 and 4, the chatter last at 7; 2: the chatter only, at 3 and 5.
        for mid, conversation_id, direction, when in (
            (1, 1, "in", at[2]), (2, 1, "in", at[4]), (3, 1, "out", at[7]),
            (4, 2, "out", at[3]), (5, 2, "out", at[5]),
        ):
            connection.execute(text(
                "INSERT INTO messages (id, account_id, conversation_id, fan_id,"
                " platform_message_id, direction, text, price_cents, is_opened, is_tip,"
                " tip_cents, media_count, media_ids, created_at) VALUES (:mid, 1, :c, :c, :mid,"
                " :d, 'x', 0, false, false, 0, 0, '[]', :at)"),
                {"mid": mid, "c": conversation_id, "d": direction, "at": when})
    migrate.upgrade(db, "0011_inbox_order")
    with db.engine.connect() as connection:
        found = dict(connection.execute(
            select(Conversation.id, Conversation.last_fan_message_at)).all())
    expected = {1: at[4], 2: at[3], 3: None}
    assert {k: v and v.replace(tzinfo=None) for k, v in found.items()} == expected
    assert {"ix_conversations_fan_order", "ix_conversations_fan_unread"} <= _indexes(
        db, "conversations")
    migrate.downgrade(db, "0010_analytics_indexes")
    assert "last_fan_message_at" not in {
        c["name"] for c in inspect(db.engine).get_columns("conversations")}
    db.dispose()


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


def test_fan_tags_lose_their_rowid_on_sqlite_and_keep_their_rows(database_url: str) -> None:
    """0022: on SQLite ``fan_tags`` is made again WITHOUT ROWID (and back), rows and
    indexes kept; PostgreSQL's table is left as it is."""
    db = Database(database_url)
    migrate.upgrade(db, "0021_fan_facts")
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO tags (id, account_id, name, color) VALUES (1, 1, 'vip', ''), (2, 1, 'new', '')"))
        connection.execute(text(
            "INSERT INTO fan_tags (fan_id, tag_id, account_id) VALUES (1, 2, 1), (1, 1, 1)"))
    before, indexes = _snapshot(db), _indexes(db, "fan_tags")
    sqlite = db.is_sqlite

    def without_rowid() -> bool:
        with db.engine.connect() as connection:
            return bool(sqlite and connection.exec_driver_sql(
                "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_master WHERE name = 'fan_tags'").scalar())

    assert not without_rowid()
    migrate.upgrade(db)
    assert without_rowid() == sqlite
    assert (_snapshot(db, _columns(db))["fan_tags"], _indexes(db, "fan_tags")) == (before["fan_tags"], indexes)
    migrate.downgrade(db, "0021_fan_facts")
    assert not without_rowid()
    assert (_snapshot(db), _indexes(db, "fan_tags")) == (before, indexes)
    migrate.upgrade(db)
    assert without_rowid() == sqlite
    with db.engine.begin() as connection:  # the fan's links go with it
        connection.execute(text("DELETE FROM fans WHERE id = 1"))
        assert connection.execute(text("SELECT count(*) FROM fan_tags")).scalar() == 0
    db.dispose()


def test_platform_nicknames_start_as_the_synced_fans_nicknames(database_url: str) -> None:
    """0024: a synced fan's nickname was the platform's as of the last refresh; an
    empty one and a fan made by hand stay NULL (the platform has not named them)."""
    db = Database(database_url)
    migrate.upgrade(db, "0023_message_prefixes")
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 0, 0, 0, 0, 0")
        for fan_id, user_id, nickname in ((2, "4102", "Babe"), (3, "NULL", "Bob")):
            connection.execute(text(
                "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
                " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
                " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
                f" VALUES ({fan_id}, 1, {user_id}, 'u{fan_id}', '', '{nickname}', 'active',"
                " 0, 0, 0, 0, 0, 0, :now, :now)"), now)
    before = _snapshot(db)
    migrate.upgrade(db, "0024_platform_nicknames")
    with db.engine.connect() as connection:
        found = dict(connection.execute(select(Fan.id, Fan.platform_nickname)).all())
    assert found == {1: None, 2: "Babe", 3: None}
    migrate.downgrade(db, "0023_message_prefixes")
    assert _snapshot(db) == before
    db.dispose()


def test_fan_days_leave_fans_with_no_subscription_data_out_and_back(database_url: str) -> None:
    """0029: ``analytics_fan_days`` keeps a fan with no platform id under status '' (filled
    in again from the fans), its trigger follows a sync finding the fan, and on
    PostgreSQL still runs as the owner; the downgrade gives 0016's rows back."""
    db = Database(database_url)
    migrate.upgrade(db)
    now = {"now": datetime(2026, 11, 20, 10, 0, tzinfo=UTC).replace(tzinfo=None)}
    with db.engine.begin() as connection:
        _account_and_fan(connection, spent="0, 500, 0, 0, 0, 0")
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            " VALUES (2, 1, NULL, 'byhand', '', '', 'active', 0, 70, 0, 0, 0, 0, :now, :now)"), now)
    day = 20_777  # 2026-11-20
    apart = [(day, "", 1, 70), (day, "active", 1, 500)]

    def fan_days() -> list[tuple]:
        with db.engine.connect() as connection:
            return sorted(tuple(row) for row in connection.exec_driver_sql(
                "SELECT day, status, fans, spent_cents FROM analytics_fan_days WHERE fans != 0"))

    assert fan_days() == apart
    migrate.downgrade(db, "0026_campaign_messages")
    assert fan_days() == [(day, "active", 2, 570)]  # as 0016 counted them
    before = _snapshot(db)
    migrate.upgrade(db)
    assert fan_days() == apart
    with db.engine.begin() as connection:  # a sync finds the fan on the platform
        connection.execute(text("UPDATE fans SET platform_user_id = 4102 WHERE id = 2"))
    assert fan_days() == [(day, "active", 2, 570)]
    if not db.is_sqlite:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT prosecdef FROM pg_proc WHERE oid = 'analytics_fans()'::regprocedure"
            ).scalar()
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE fans SET platform_user_id = NULL WHERE id = 2"))
    assert fan_days() == apart
    migrate.downgrade(db, "0026_campaign_messages")
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
        if not db.is_sqlite:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP OWNED BY {role}")
                connection.exec_driver_sql(f"DROP ROLE {role}")
        db.dispose()


def test_the_fans_of_an_account_are_found_by_an_index_without_its_own(database_url: str) -> None:
    """0031: ``ix_fans_account_id`` goes (every other index of fans leads with the
    account); counting an account's fans and the cascade from a deleted account still
    seek an index; the downgrade brings it back."""
    db = Database(database_url)
    migrate.upgrade(db)

    assert "ix_fans_account_id" not in _indexes(db, "fans")
    if db.is_sqlite:
        with db.engine.connect() as connection:
            for query in ("SELECT count(*) FROM fans WHERE account_id = 1",
                          "DELETE FROM fans WHERE account_id = 1"):
                plan = " ".join(row[3] for row in connection.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {query}"))
                assert "USING COVERING INDEX" in plan or "USING INDEX" in plan, plan
    migrate.downgrade(db, "0030_team_fans_version")
    assert "ix_fans_account_id" in _indexes(db, "fans")
    migrate.upgrade(db)
    assert "ix_fans_account_id" not in _indexes(db, "fans")
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


def _fan_names_sizes_kept(db: Database) -> bool:
    with db.engine.connect() as connection:
        return inspect(connection).has_table("fans_fts_docsize")


def test_fan_name_search_keeps_no_column_sizes_and_finds_the_same_fans(database_url: str) -> None:
    """0033 (SQLite): ``fans_fts`` is rebuilt without its per-row column sizes (nothing
    ranks fans by them); fans written before and after are found; the downgrade brings
    the sizes back. PostgreSQL: nothing changes."""
    db = Database(database_url)
    migrate.upgrade(db, "0032_team_own_notes")
    with db.engine.begin() as connection:
        _account_with_fans(connection, (1, 1, "moonlight_rider"), (2, 2, "sunrise"))
    if db.is_sqlite:
        assert _fan_names_sizes_kept(db)
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        assert connection.execute(search.search_hits(db, 1, "light")).scalars().all() == [1]
    if db.is_sqlite:
        assert not _fan_names_sizes_kept(db)
        migrate.downgrade(db, "0032_team_own_notes")
        assert _fan_names_sizes_kept(db)
    db.dispose()


def test_the_fans_known_at_a_period_s_edges_are_read_through_the_dates_index(
    database_url: str,
) -> None:
    """0034: ``ix_fans_analytics`` holds the account and the two dates alone, and the
    edge query still seeks it (both ranges, on SQLite); the downgrade widens it again."""
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        columns = {ix["name"]: ix["column_names"] for ix in inspect(connection).get_indexes("fans")}
        assert columns["ix_fans_analytics"] == ["account_id", "subscribed_at", "created_at"]
        if db.is_sqlite:
            plan = " ".join(row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT sum(total_spent_cents) FROM fans WHERE account_id = 1 AND ("
                "(subscribed_at >= '2026-01-10' AND subscribed_at < '2026-01-11') OR "
                "(subscribed_at IS NULL AND created_at >= '2026-01-10' AND created_at < '2026-01-11'))"))
            assert plan.count("USING INDEX ix_fans_analytics") == 2, plan
    migrate.downgrade(db, "0033_fan_names_without_sizes")
    with db.engine.connect() as connection:
        columns = {ix["name"]: ix["column_names"] for ix in inspect(connection).get_indexes("fans")}
        assert len(columns["ix_fans_analytics"]) == 6
    db.dispose()


def test_indexes_made_again_by_a_migration_keep_an_analysed_database_s_statistics(
    database_url: str,
) -> None:
    """0034 and 0035 make fans indexes again: in an SQLite database someone analysed, the
    new ones get statistics too (an index without them beside others with them was taken
    for the fans at a period's edges: 72 ms instead of under 1)."""
    db = Database(database_url)
    if not db.is_sqlite:
        pytest.skip("SQLite's planner statistics")
    migrate.upgrade(db, "0033_fan_names_without_sizes")
    with db.engine.begin() as connection:
        _account_with_fans(connection, (1, 1, "sam"))
        connection.exec_driver_sql("ANALYZE")
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        analysed = {row[0] for row in connection.exec_driver_sql(
            "SELECT idx FROM sqlite_stat1 WHERE tbl = 'fans'")}
    assert {"ix_fans_analytics", "ix_fans_segment"} <= analysed, analysed
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
        if not db.is_sqlite:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP OWNED BY {role}")
                connection.exec_driver_sql(f"DROP ROLE {role}")
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
        if not db.is_sqlite:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP OWNED BY {role}")
                connection.exec_driver_sql(f"DROP ROLE {role}")
        db.dispose()
