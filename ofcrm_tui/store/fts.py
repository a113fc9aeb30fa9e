"""Bulk writes that keep the SQLite full-text tables of migration 0002 up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

# SQLite full-text tables of migration 0002, the columns they index and what of the
# table's row each holds (fan names folded, 0040).
_FTS_TABLES = (
    ("messages", "messages_fts", ("text",), "text"),
    ("fans", "fans_fts", ("username", "name", "nickname"),
     "ofcrm_fold(username), ofcrm_fold(name), ofcrm_fold(nickname)"),
)
# FTS5 holds up to 'hashsize' bytes of new index entries in memory before it writes them
# as a segment (1 MB by default, FTS5's own default when the option was never set). A bulk
# fill with more room writes fewer segments and merges them less: a quarter less work
# for 100k fan names, and at most this much more memory while it runs.
FTS5_DEFAULT_HASHSIZE = 1 << 20
BULK_HASHSIZE = 16 << 20


@contextmanager
def fts_deferred(connection: Connection) -> Iterator[None]:
    """On SQLite, index a batch's new rows in one statement instead of a trigger per row
    (new rows: ids above the highest before the batch, as a bulk insert assigns them).

    Inside the batch's transaction (DDL is transactional in SQLite, and the write lock is
    held from ``BEGIN IMMEDIATE``), the insert triggers are dropped, the rows written,
    added to the full-text tables with one ``INSERT ... SELECT`` and the triggers put
    back as they were: about four times faster, and no other connection ever sees the
    triggers missing. The fill runs with ``BULK_HASHSIZE``; the option is put back as it
    was before the transaction ends.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    suspended = []
    for table, fts, columns, values in _FTS_TABLES:
        trigger = f"{fts}_insert"
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).scalar()
        if sql is None:
            continue
        newest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
        suspended.append((table, fts, columns, values, sql, newest))
    yield
    for table, fts, columns, values, sql, newest in suspended:
        names = ", ".join(columns)
        with _hashsize(connection, fts, BULK_HASHSIZE):
            connection.exec_driver_sql(
                f"INSERT INTO {fts}(rowid, {names}) SELECT id, {values} FROM {table} WHERE id > ?",
                (newest,),
            )
        connection.exec_driver_sql(sql)


@contextmanager
def _hashsize(connection: Connection, fts: str, size: int) -> Iterator[None]:
    """The FTS5 table's 'hashsize' option set to ``size`` for the block (its own setting,
    kept in ``{fts}_config``, or FTS5's default, back after it)."""
    sql = connection.exec_driver_sql
    before = sql(f"SELECT v FROM {fts}_config WHERE k = 'hashsize'").scalar()
    sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', ?)", (size,))
    yield
    sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', ?)",
        (FTS5_DEFAULT_HASHSIZE if before is None else before,))
