"""fan name search: no column sizes kept (SQLite)

FTS5 keeps each row's token count per column (the ``fans_fts_docsize`` table) for
``bm25()`` and ``xColumnSize``; fan search matches trigrams and never ranks by them
(``core/fans/search.py``). Without it every fan written costs one row less: a bulk fill
of 100k names ~30% faster (bench/README.md, fans import). ``fans_fts`` is rebuilt with
``columnsize=0``; its triggers (0002) name the table and carry on. PostgreSQL: nothing to
do (a GIN index).

Revision ID: 0033_fan_names_without_sizes
Revises: 0032_team_own_notes
"""

from __future__ import annotations

from alembic import op

revision = "0033_fan_names_without_sizes"
down_revision = "0032_team_own_notes"
branch_labels = None
depends_on = None


def _rebuilt(options: str) -> list[str]:
    return [
        "DROP TABLE fans_fts",
        "CREATE VIRTUAL TABLE fans_fts USING fts5("
        f"username, name, nickname, content='fans', content_rowid='id', tokenize='trigram'{options})",
        "INSERT INTO fans_fts(fans_fts) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt(", columnsize=0"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _rebuilt(""):
            op.execute(statement)
