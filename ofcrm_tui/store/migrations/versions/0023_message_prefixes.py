"""message search: prefixes of two and three characters indexed (SQLite)

FTS5 answers a prefix query (``"you"*``) without a prefix index by merging the
doclists of every term with that prefix into one list, for each query: ~10 ms for a
word in half of a million messages, and again for every message a search walk
probes. With ``prefix='2 3'`` the prefixes of two and three characters, the dense
ones, have doclists of their own, read lazily like a word's: a walk probes them
message by message (``core/inbox/walk``). The index is ~2.7x larger and a message's
indexing ~1.9x slower (bench/README.md, inbox). ``messages_fts`` is rebuilt with the
option; its triggers (0002) name the table and carry on. PostgreSQL: nothing to do
(``to_tsquery``'s ``:*`` reads the GIN index's entries in order).

Revision ID: 0023_message_prefixes
Revises: 0022_fan_tags_without_rowid
"""

from __future__ import annotations

from alembic import op

revision = "0023_message_prefixes"
down_revision = "0022_fan_tags_without_rowid"
branch_labels = None
depends_on = None

# The prefix lengths (in characters) with a doclist of their own: core/fans/search.py.
PREFIXES = (2, 3)


def _rebuilt(prefix: str) -> list[str]:
    return [
        "DROP TABLE messages_fts",
        "CREATE VIRTUAL TABLE messages_fts USING fts5("
        "text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'"
        f"{prefix})",
        "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt(", prefix='" + " ".join(map(str, PREFIXES)) + "'"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt(""):
            op.execute(statement)
