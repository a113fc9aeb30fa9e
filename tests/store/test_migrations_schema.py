"""The migrations make the models' schema: Alembic's head, the start-up check, an upgrade
run twice, the models' partial indexes, and every revision in turn keeping the rows."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Base
from tests.store.migrating import _account_and_fan, _columns, _revisions, _snapshot


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
    # The search's objects are the migrations' (fans.search_names: PostgreSQL's only).
    return not (name and ("_fts" in name or name.startswith(("ix_search_", "ix_sort_", "search_"))))


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
