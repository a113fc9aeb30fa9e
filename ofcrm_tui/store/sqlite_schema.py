"""A SQLite table's definition changed in place, for a migration's change that leaves
the table's file format as it is.

SQLite's ALTER TABLE page ("Making Other Kinds Of Table Schema Changes") describes
this way (``PRAGMA writable_schema``, the definition in ``sqlite_schema`` rewritten,
the schema version bumped) for changes that do not affect the content on disk, and
names some: removing a CHECK, FOREIGN KEY or NOT NULL constraint, changing a default
(0008 removes a NOT NULL). It documents no other change as safe so. A migration that
makes another (0039 adds AUTOINCREMENT to an INTEGER PRIMARY KEY) says what it relies
on and why that holds: there, that the table's file format does not change (the id is
the rowid with AUTOINCREMENT or without: every row and index is read as before), and
that AUTOINCREMENT only makes each insert take its id past ``sqlite_sequence``'s,
which the migration makes if there is none and seeds with the highest id. ``PRAGMA
quick_check`` runs after every rewrite.

A migration's other way, making the table again (Alembic's batch mode: copy, drop the
old one), must not be used on a table others refer to: with foreign keys on, dropping
it cascades to their rows, and its triggers go with it. Here the definition is
rewritten in the migration's transaction; the stored rows do not change.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.errors import OfcrmError


def rewrite_definition(
    bind: Connection, table: str, part: re.Pattern[str], new: str, change: str
) -> None:
    """``table``'s ``CREATE TABLE`` with its one match of ``part`` made ``new``;
    OfcrmError naming ``change`` if it does not match once, if this SQLite build
    refuses, or if the database fails its check afterwards."""
    old_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    new_sql, found = part.subn(new, str(old_sql), count=1)
    if found != 1:
        raise OfcrmError(f"unexpected definition of the {table} table: cannot {change}")
    version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    try:
        bind.exec_driver_sql("PRAGMA writable_schema = ON")
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (new_sql, table)
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    except DBAPIError as exc:
        reason = str(exc.orig).splitlines()[0]
        raise OfcrmError(
            f"this SQLite build refuses a schema change ofcrm needs ({reason})"
        ) from None
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = [row[0] for row in bind.exec_driver_sql("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise OfcrmError(f"the database failed its check after the change: {problems[0]}")
