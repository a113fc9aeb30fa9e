"""Bulk writes of generated rows in ``executemany`` batches (wrap a batch in
``store.fts.fts_deferred`` to index it for SQLite full-text search in one statement)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert

# Rows per executemany call.
ROWS_PER_CALL = 20_000


def insert_rows(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    table = model.__table__
    for start in range(0, len(rows), ROWS_PER_CALL):
        connection.execute(insert(table), rows[start : start + ROWS_PER_CALL])
