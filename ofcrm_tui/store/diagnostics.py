"""SQL diagnostics for tests and benchmarks: the statements a block runs, and their plans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from ofcrm_tui.store.database import Database


@contextmanager
def captured_sql(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their parameters) run on ``db`` inside the block."""
    statements: list[tuple[str, Any]] = []

    def _record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def query_plan(db: Database, statement: str, parameters: Any) -> list[str]:
    """``EXPLAIN QUERY PLAN`` (SQLite) or ``EXPLAIN`` (PostgreSQL) of one statement."""
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if db.is_sqlite:
        return [str(row[-1]) for row in rows]
    return [str(row[0]) for row in rows]
