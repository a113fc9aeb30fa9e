"""The migrations of the search indexes: FTS5 following the rows, the trigram index on
fan names (0007), fan names without their column sizes (0033)."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from ofcrm_tui.core.fans import search
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.store.migrating import _account_with_fans, _fans, _indexes


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
    ``LIKE '%part%'`` (0040: on the folded names); downgrading swaps back. SQLite keeps
    its FTS5 tables."""
    db = Database(database_url)
    migrate.upgrade(db)
    if db.is_sqlite:
        assert not _indexes(db, "fans") & {"ix_search_fans_trgm", "ix_search_fans_folded"}
        db.dispose()
        return
    assert "ix_search_fans_folded" in _indexes(db, "fans")
    assert not _indexes(db, "fans") & {"ix_search_fans_trgm", "ix_search_fans_names"}
    assert "ix_search_fans_folded" in _name_search_plan(db, "na_sa")
    assert "ix_search_fans_folded" in _name_search_plan(db, "zoë")
    migrate.downgrade(db, "0006_draft_previews")
    assert "ix_search_fans_names" in _indexes(db, "fans")
    assert "ix_search_fans_trgm" not in _indexes(db, "fans")
    migrate.upgrade(db, "0039_team_rights_closed")
    assert "ix_search_fans_trgm" in _indexes(db, "fans")
    migrate.upgrade(db)
    assert _indexes(db, "fans") & {"ix_search_fans_trgm", "ix_search_fans_folded"} == {
        "ix_search_fans_folded"}
    db.dispose()


def _name_search_plan(db: Database, needle: str) -> str:
    """PostgreSQL's plan for the fans named ``needle`` (no sequential scan)."""
    names = select(Fan.id).where(search.pg_name_test(Fan.__table__, needle))
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        compiled = names.compile(connection, compile_kwargs={"literal_binds": True})
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}"))


def _named(db: Database, needle: str) -> list[int]:
    with db.engine.connect() as connection:
        return sorted(connection.execute(search.search_hits(db, 1, needle)).scalars())


def test_fans_there_are_found_without_their_accents_after_the_upgrade(database_url: str) -> None:
    """0040 folds the names of the fans there are (SQLite: ``fans_fts`` of its own, filled
    folded; PostgreSQL: ``fans.search_names``); the fans written after are folded by
    the database; the downgrade puts 0039's index of the names as written back."""
    db = Database(database_url)
    migrate.upgrade(db, "0039_team_rights_closed")
    with db.engine.begin() as connection:
        _account_with_fans(connection, (1, 1, "Zoë"), (2, 2, "zoe_b"), (3, 3, "Łukasz"))
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        _fans(connection, (4, 4, "ZOË_late"))
        connection.execute(text("UPDATE fans SET name = 'Renée' WHERE id = 2"))
        connection.execute(text("DELETE FROM fans WHERE id = 3"))
    assert _named(db, "zoe") == [1, 2, 4]
    assert _named(db, "zoë") == [1, 2, 4]
    assert _named(db, "renee") == [2]
    assert _named(db, "lukasz") == []
    migrate.downgrade(db, "0039_team_rights_closed")
    with db.engine.connect() as connection:
        if db.is_sqlite:
            found = connection.execute(
                text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH :q ORDER BY rowid"),
                {"q": '"ZOË"'}).scalars().all()
            assert found == [1, 4]  # as written (case folded by the trigram tokenizer)
        else:
            columns = {column["name"] for column in inspect(connection).get_columns("fans")}
            assert "search_names" not in columns
            assert connection.exec_driver_sql("SELECT to_regproc('ofcrm_fold')").scalar() is None
    if not db.is_sqlite:
        assert "ix_search_fans_trgm" in _indexes(db, "fans")
    migrate.upgrade(db)
    assert _named(db, "zoe") == [1, 2, 4]
    db.dispose()

