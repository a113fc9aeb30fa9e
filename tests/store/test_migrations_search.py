"""The migrations of the search indexes: FTS5 following the rows, the trigram index on
fan names (0007), fan names without their column sizes (0033)."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from ofcrm_tui.core.fans import search
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.store.migrating import _account_with_fans, _indexes


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
