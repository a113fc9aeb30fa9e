"""SQLite indexes made again: a bulk load's built once after the rows are in, and the
planner's statistics of a table whose indexes were made again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection


def holds_at_most(connection: Connection, table: str, rows: int) -> bool:
    """Whether ``table`` holds ``rows`` rows or fewer (counted no further than that)."""
    return connection.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)", (rows + 1,)
    ).scalar() <= rows


@contextmanager
def indexes_deferred(connection: Connection, table: str, *, when_at_most: int) -> Iterator[None]:
    """On SQLite, when ``table`` holds at most ``when_at_most`` rows: drop its plain
    secondary indexes (unique ones stay, they are constraints), let the block write,
    then create them again, sorting every row once instead of placing each new row in
    every index. Worth it when the block adds about as many rows as there are.

    Inside the block's transaction (DDL is transactional in SQLite, and the write lock
    is held from ``BEGIN IMMEDIATE``): a block that fails or a process killed half-way
    leaves the indexes as they were, and no other connection sees them missing.
    Queries inside the block run without them.
    """
    sql = connection.exec_driver_sql
    if connection.dialect.name != "sqlite" or not holds_at_most(connection, table, when_at_most):
        yield
        return
    saved = sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'",
        (table,),
    ).all()
    for name, _ in saved:
        sql(f'DROP INDEX "{name}"')
    yield
    for _, create in saved:
        sql(create)
    statistics_again(connection, table)


def statistics_again(connection: Connection, table: str) -> None:
    """On SQLite, when the database keeps planner statistics (an ``ANALYZE`` was run),
    gather ``table``'s again: dropping an index drops its row of ``sqlite_stat1``, and the
    planner then weighs the new index, without statistics, as if it were selective against
    the others' true counts (a fans query 100x slower: bench/README.md, analytics). A
    database never analysed (the app's) has none to keep."""
    if connection.dialect.name != "sqlite":
        return
    if connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        connection.exec_driver_sql(f'ANALYZE "{table}"')
