"""Bulk writes that keep the SQLite full-text tables of migration 0002 up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

# SQLite full-text tables of migration 0002 and the columns they index.
_FTS_TABLES = (
    ("messages", "messages_fts", ("text",)),
    ("fans", "fans_fts", ("username", "name", "nickname")),
)


@contextmanager
def fts_deferred(connection: Connection) -> Iterator[None]:
    """On SQLite, index a batch's new rows in one statement instead of a trigger per row
    (new rows: ids above the highest before the batch, as a bulk insert assigns them).

    Inside the batch's transaction (DDL is transactional in SQLite, and the write lock is
    held from ``BEGIN IMMEDIATE``), the insert triggers are dropped, the rows written,
    added to the full-text tables with one ``INSERT ... SELECT`` and the triggers put
    back as they were: about four times faster, and no other connection ever sees the
    triggers missing.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    suspended = []
    for table, fts, columns in _FTS_TABLES:
        trigger = f"{fts}_insert"
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).scalar()
        if sql is None:
            continue
        newest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        suspended.append((table, fts, columns, sql, newest))
    yield
    for table, fts, columns, sql, newest in suspended:
        names = ", ".join(columns)
        connection.exec_driver_sql(
            f"INSERT INTO {fts}(rowid, {names}) SELECT id, {names} FROM {table} WHERE id > ?",
            (newest,),
        )
        connection.exec_driver_sql(sql)
