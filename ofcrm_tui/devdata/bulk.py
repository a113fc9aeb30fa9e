"""Bulk writes of generated rows in ``executemany`` batches (wrap a batch in
``triggers_deferred`` to add it to the analytics rollups and fan facts, and index it
for SQLite full-text search, in one statement each instead of triggers row by row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, insert

from ofcrm_tui.store.fts import fts_deferred
from ofcrm_tui.store.rollups import rollups_deferred

# Rows per executemany call.
ROWS_PER_CALL = 20_000


def insert_rows(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    for start in range(0, len(rows), ROWS_PER_CALL):
        connection.execute(insert(table), rows[start : start + ROWS_PER_CALL])


@contextmanager
def triggers_deferred(connection: Connection) -> Iterator[None]:
    with fts_deferred(connection), rollups_deferred(connection):
        yield
