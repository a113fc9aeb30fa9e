"""fan tags without rowid: on SQLite, ``fan_tags`` is kept in its primary key's order

A fan's tag is its (fan, tag) pair: as a rowid table SQLite kept each link twice, once
by rowid and once in the primary key's index, and a tag's fans were read through
``ix_fan_tags_tag_id`` and then the table. Without a rowid the table is that primary
key (half the pages to write; an import of 100k fans writes its 145k links a fifth
faster) and ``ix_fan_tags_tag_id`` holds the fan id itself. PostgreSQL has no rowid:
nothing changes there.

Revision ID: 0022_fan_tags_without_rowid
Revises: 0021_fan_facts
"""

from __future__ import annotations

import re
from collections.abc import Callable

from alembic import op

revision = "0022_fan_tags_without_rowid"
down_revision = "0021_fan_facts"
branch_labels = None
depends_on = None

_TABLE = "fan_tags"
_SUFFIX = " WITHOUT ROWID"


def upgrade() -> None:
    _rebuild(lambda create: create + _SUFFIX)


def downgrade() -> None:
    _rebuild(lambda create: create.removesuffix(_SUFFIX))


def _rebuild(table_sql: Callable[[str], str]) -> None:
    """On SQLite, ``fan_tags`` made again from its own ``CREATE TABLE`` as ``table_sql``
    changes it, with its rows and indexes (no table refers to it, no trigger is on it)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    sql = bind.exec_driver_sql
    create = sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)).scalar()
    indexes = sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (_TABLE,),
    ).scalars().all()
    new = f"_{_TABLE}_new"
    # The name as written by CREATE TABLE, or quoted as RENAME writes it.
    sql(re.sub(f'^CREATE TABLE "?{_TABLE}"?', f"CREATE TABLE {new}", table_sql(create)))
    sql(f"INSERT INTO {new} (fan_id, tag_id, account_id) SELECT fan_id, tag_id, account_id FROM {_TABLE}")
    sql(f"DROP TABLE {_TABLE}")
    sql(f"ALTER TABLE {new} RENAME TO {_TABLE}")
    for index in indexes:
        sql(index)
