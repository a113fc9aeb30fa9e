"""On SQLite the fans import defers its per-row work (the fans insert rollup trigger, the
full-text index, the secondary indexes of fans and fan_tags) to one statement each
inside its transaction: what it writes is what row-by-row triggers and indexes give,
and an import that is refused or fails leaves the schema as it was."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ofcrm_tui.core.fans import csv_import
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.indexes import indexes_deferred
from tests.fans.conftest import add_fan, make_account

ROWS = "".join(
    f"{100 + i},fan{i},Fan Number{i},{'expired' if i % 3 else 'active'},2026-0{1 + i % 9}-10,"
    f"{i}.50,{'vip|new' if i % 4 else ''}\n"
    for i in range(1, 61)
)
CSV = "id,username,name,status,subscribed_since,total_spent,tags\n" + ROWS
# Updates the older fan (its rollup moves through the update trigger) and adds 60.
CSV_WITH_UPDATE = CSV + "1,old,Old Fan,expired,2025-05-05,99.99,vip\n"


def _schema(db: Database) -> list[tuple[str, ...]]:
    """The tables' triggers and indexes, and the full-text index's options."""
    with db.engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('fans', 'fan_tags') "
            "ORDER BY type, name").all() + connection.exec_driver_sql(
            "SELECT 'fts option', k, v FROM fans_fts_config WHERE k != 'hashsize' "
            "OR v != 1048576 ORDER BY k").all()


def _written(db: Database) -> dict[str, list]:
    with db.engine.connect() as connection:
        def rows(sql: str) -> list:
            return connection.exec_driver_sql(sql).all()

        return {
            "fans": rows("SELECT id, platform_user_id, username, name, subscription_status, "
                         "subscribed_at, total_spent_cents FROM fans ORDER BY id"),
            "fan_tags": rows("SELECT fan_id, tag_id FROM fan_tags ORDER BY fan_id, tag_id"),
            "fan_days": rows("SELECT * FROM analytics_fan_days WHERE fans != 0 OR spent_cents != 0 "
                             "ORDER BY 1, 2, 3"),
            "fts": rows("SELECT rowid, username, name, nickname FROM fans_fts ORDER BY rowid"),
        }


def _database(path: Path) -> tuple[Database, int]:
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    account = make_account(db, "mia")
    add_fan(db, account, 1, "old", name="Old", subscription_status="active", total_spent_cents=500,
            subscribed_at=datetime(2025, 1, 1, tzinfo=UTC))
    return db, account


def test_a_deferred_import_writes_what_row_by_row_triggers_and_indexes_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "fans.csv"
    source.write_text(CSV_WITH_UPDATE, encoding="utf-8")
    results = []
    for deferred in (True, False):
        if not deferred:
            for name in ("fts_deferred", "inserts_deferred", "indexes_deferred"):
                monkeypatch.setattr(csv_import, name, lambda *args, **kwargs: nullcontext())
        db, account = _database(tmp_path / f"{deferred}.db")
        schema = _schema(db)
        report = csv_import.import_fans(db, account, source, author="ana")
        assert (report.created, report.updated, report.complete) == (60, 1, True)
        assert _schema(db) == schema
        results.append(_written(db))
        with db.engine.connect() as connection:  # the new names are searchable
            assert connection.exec_driver_sql(
                "SELECT count(*) FROM fans_fts WHERE fans_fts MATCH 'Number42'").scalar() == 1
        db.dispose()
    assert results[0] == results[1]
    assert len(results[0]["fan_days"]) > 5


def test_a_refused_import_leaves_schema_and_rollups_as_they_were(tmp_path: Path) -> None:
    source = tmp_path / "fans.csv"
    source.write_text(CSV + "161,bad,Bad,active,2026-01-01,-3.00,\n", encoding="utf-8")
    db, account = _database(tmp_path / "a.db")
    schema, written = _schema(db), _written(db)
    report = csv_import.import_fans(db, account, source, author="ana")
    assert not report.written and report.problem_count == 1
    assert (_schema(db), _written(db)) == (schema, written)
    db.dispose()


def test_indexes_are_rebuilt_only_for_a_small_table_and_survive_a_failure(tmp_path: Path) -> None:
    db, _ = _database(tmp_path / "a.db")

    def index_names(unique: bool = False) -> set[str]:
        with db.engine.connect() as connection:
            return {name for name, sql in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'fans' "
                "AND sql IS NOT NULL") if not unique or sql.startswith("CREATE UNIQUE")}

    before, unique = index_names(), index_names(unique=True)
    assert "ix_fans_account_username" in before
    with db.write() as session:
        connection = session.connection()
        with indexes_deferred(connection, "fans", when_at_most=0):  # one fan: too many
            inside = {row[0] for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'fans'")}
    assert before <= inside and index_names() == before
    with pytest.raises(RuntimeError), db.write() as session:
        connection = session.connection()
        with indexes_deferred(connection, "fans", when_at_most=1):
            left = {row[0] for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'fans' "
                "AND sql IS NOT NULL")}
            assert left == unique  # every plain index dropped, the unique ones kept
            raise RuntimeError("the import failed")
    assert index_names() == before
    db.dispose()


def _statistics(db: Database) -> set[str]:
    """The fans indexes the planner has statistics of."""
    with db.engine.connect() as connection:
        return {row[0] for row in connection.exec_driver_sql(
            "SELECT idx FROM sqlite_stat1 WHERE tbl = 'fans' AND idx IS NOT NULL")}


def test_an_analysed_database_keeps_its_statistics_through_a_rebuild(tmp_path: Path) -> None:
    """Dropping an index drops its planner statistics: in a database someone analysed,
    the indexes made again get theirs again (without, SQLite took a new index without
    statistics for a selective one: a fans query 100x slower); a database never
    analysed gets none."""
    db, _ = _database(tmp_path / "a.db")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    analysed = _statistics(db)
    assert "ix_fans_segment" in analysed
    with db.write() as session:
        with indexes_deferred(session.connection(), "fans", when_at_most=10):
            pass
    assert _statistics(db) == analysed
    plain, _ = _database(tmp_path / "b.db")
    with plain.write() as session:
        with indexes_deferred(session.connection(), "fans", when_at_most=10):
            pass
    with plain.engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None
    db.dispose()
    plain.dispose()
