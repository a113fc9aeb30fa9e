"""Migrations of the fans' indexes: the account's fans found without an index of their
own (0031), a period's edges read through the dates index (0034), and an analysed
database's statistics kept when an index is made again."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from tests.store.migrating import _account_with_fans, _indexes


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
