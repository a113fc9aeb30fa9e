"""fan names found without their accents: "zoe" finds "Zoë", "zoë" finds "Zoe"

Names are indexed folded (``store/fold``: accents off, lower-cased), and search folds
what is typed the same way (``core/fans/search``). The database folds what is stored,
whoever writes the fan (the sync, an import, an edit; on PostgreSQL psql too).

SQLite: ``fans_fts`` (trigram, 0002 and 0033) keeps content of its own, each name
folded by ``ofcrm_fold()`` (the Python function, which ``store/database`` gives every
connection) in its triggers; the fans there are indexed folded here. The trigram
tokenizer itself folds accents from SQLite 3.45 on (``remove_diacritics``), newer than
the SQLite many Pythons ship.

PostgreSQL: ``ofcrm_fold(text)``, IMMUTABLE SQL (no ``unaccent`` extension, which
needs ``CREATE EXTENSION``), and ``fans.search_names``, a stored generated column of
the folded names (a short term, which no trigram helps, reads it on every fan rather
than folding every fan per search) under a trigram index that replaces 0007's;
``ofcrm_named_fans`` (a team role's lookup) tests it.

Downgraded, both go back to 0039's index of the names as they are.

Revision ID: 0040_accent_folded_search
Revises: 0039_team_rights_closed
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.engine import Connection

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store import access_sql, fold

revision = "0040_accent_folded_search"
down_revision = "0039_team_rights_closed"
branch_labels = None
depends_on = None

_NAMES = ("username", "name", "nickname")
_FOLDED_NEW = ", ".join(f"ofcrm_fold(new.{name})" for name in _NAMES)
_SQLITE_FOLDED = [
    "CREATE VIRTUAL TABLE fans_fts USING fts5("
    "username, name, nickname, tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER fans_fts_insert AFTER INSERT ON fans BEGIN "
    f"INSERT INTO fans_fts(rowid, username, name, nickname) VALUES (new.id, {_FOLDED_NEW}); END",
    "CREATE TRIGGER fans_fts_delete AFTER DELETE ON fans BEGIN "
    "DELETE FROM fans_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER fans_fts_update AFTER UPDATE OF username, name, nickname ON fans BEGIN "
    "DELETE FROM fans_fts WHERE rowid = old.id; "
    f"INSERT INTO fans_fts(rowid, username, name, nickname) VALUES (new.id, {_FOLDED_NEW}); END",
    "INSERT INTO fans_fts(rowid, username, name, nickname) "
    "SELECT id, ofcrm_fold(username), ofcrm_fold(name), ofcrm_fold(nickname) FROM fans",
]
# 0002's triggers on 0033's table.
_SQLITE_AS_WRITTEN = [
    "CREATE VIRTUAL TABLE fans_fts USING fts5(username, name, nickname, content='fans', "
    "content_rowid='id', tokenize='trigram', columnsize=0)",
    "CREATE TRIGGER fans_fts_insert AFTER INSERT ON fans BEGIN "
    "INSERT INTO fans_fts(rowid, username, name, nickname) "
    "VALUES (new.id, new.username, new.name, new.nickname); END",
    "CREATE TRIGGER fans_fts_delete AFTER DELETE ON fans BEGIN "
    "INSERT INTO fans_fts(fans_fts, rowid, username, name, nickname) "
    "VALUES ('delete', old.id, old.username, old.name, old.nickname); END",
    "CREATE TRIGGER fans_fts_update AFTER UPDATE OF username, name, nickname ON fans BEGIN "
    "INSERT INTO fans_fts(fans_fts, rowid, username, name, nickname) "
    "VALUES ('delete', old.id, old.username, old.name, old.nickname); "
    "INSERT INTO fans_fts(rowid, username, name, nickname) "
    "VALUES (new.id, new.username, new.name, new.nickname); END",
    "INSERT INTO fans_fts(fans_fts) VALUES ('rebuild')",
]
_SQLITE_DROP = [
    "DROP TRIGGER fans_fts_update",
    "DROP TRIGGER fans_fts_delete",
    "DROP TRIGGER fans_fts_insert",
    "DROP TABLE fans_fts",
]
_JOINED = "username || ' ' || name || ' ' || nickname"
# 0007's test, in ofcrm_named_fans as 0020 made it.
_NAMES_LIKE_AS_WRITTEN = f"lower({_JOINED}) LIKE lower($2[%s])"


def _on_sqlite(statements: list[str]) -> bool:
    """On SQLite, ``statements`` run (and True); else nothing."""
    if op.get_bind().dialect.name != "sqlite":
        return False
    for statement in statements:
        op.execute(statement)
    return True


def upgrade() -> None:
    if _on_sqlite(_SQLITE_DROP + _SQLITE_FOLDED):
        return
    bind = op.get_bind()
    encoding = bind.exec_driver_sql("SHOW server_encoding").scalar()
    if encoding != "UTF8":
        raise OfcrmError(
            f"this PostgreSQL database's encoding is {encoding}: ofcrm needs UTF8 "
            "(CREATE DATABASE ... ENCODING 'UTF8'), to fold accents in names among others"
        )
    op.execute(fold.pg_function())
    op.execute(
        f"ALTER TABLE fans ADD COLUMN search_names text "
        f"GENERATED ALWAYS AS (ofcrm_fold({_JOINED})) STORED"
    )
    op.execute(
        f"CREATE INDEX ix_search_fans_folded ON fans USING gin (search_names {_trgm_ops(bind)})"
    )
    op.execute("DROP INDEX ix_search_fans_trgm")
    _named_fans(bind, access_sql.NAMES_LIKE)


def downgrade() -> None:
    if _on_sqlite(_SQLITE_DROP + _SQLITE_AS_WRITTEN):
        return
    bind = op.get_bind()
    op.execute(
        f"CREATE INDEX ix_search_fans_trgm ON fans USING gin ((lower({_JOINED})) {_trgm_ops(bind)})"
    )
    _named_fans(bind, _NAMES_LIKE_AS_WRITTEN)
    op.execute("ALTER TABLE fans DROP COLUMN search_names")  # its index with it
    op.execute(f"DROP FUNCTION {fold.SQL_NAME}(text)")


def _trgm_ops(bind: Connection) -> str:
    """pg_trgm's operator class, named with the schema 0007 found or put it in."""
    schema = bind.exec_driver_sql(
        "SELECT quote_ident(n.nspname) FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
    ).scalar()
    return f"{schema}.gin_trgm_ops"


def _named_fans(bind: Connection, names_like: str) -> None:
    """A team database's ``ofcrm_named_fans`` (0020 on) testing ``names_like``."""
    if bind.exec_driver_sql("SELECT to_regproc('ofcrm_named_fans')").scalar() is None:
        return
    schema = bind.exec_driver_sql("SELECT quote_ident(current_schema())").scalar_one()
    bind.exec_driver_sql(access_sql.named_fans(schema, names_like).replace("%", "%%"))
