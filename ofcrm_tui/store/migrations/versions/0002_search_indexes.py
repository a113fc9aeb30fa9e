"""search indexes over message text and fan names

SQLite: FTS5 tables kept in step by triggers (unicode61 words for messages, trigram
for fan names so any part of a username matches). PostgreSQL: GIN indexes on
``to_tsvector('simple', ...)`` expressions.

Revision ID: 0002_search
Revises: 0001_initial
"""

from __future__ import annotations

from alembic import op

revision = "0002_search"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE fans_fts USING fts5("
    "username, name, nickname, content='fans', content_rowid='id', tokenize='trigram')",
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
_SQLITE_DOWN = [
    "DROP TRIGGER fans_fts_update",
    "DROP TRIGGER fans_fts_delete",
    "DROP TRIGGER fans_fts_insert",
    "DROP TABLE fans_fts",
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_insert",
    "DROP TABLE messages_fts",
]
_POSTGRES_UP = [
    "CREATE INDEX ix_search_messages_text ON messages "
    "USING gin (to_tsvector('simple', text))",
    "CREATE INDEX ix_search_fans_names ON fans "
    "USING gin (to_tsvector('simple', username || ' ' || name || ' ' || nickname))",
]
_POSTGRES_DOWN = ["DROP INDEX ix_search_fans_names", "DROP INDEX ix_search_messages_text"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _run(_SQLITE_UP if sqlite else _POSTGRES_UP)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _run(_SQLITE_DOWN if sqlite else _POSTGRES_DOWN)
