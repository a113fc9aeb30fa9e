"""fan names searched by any part on PostgreSQL too

SQLite finds any part of a username through its trigram FTS5 table (0002). PostgreSQL
matched whole words and word prefixes of the names (a ``to_tsvector`` GIN index), so
"na_sa" found "lena_sato42" on one backend and nothing on the other. Names now use
``pg_trgm``: a trigram GIN index on the lower-cased names serves ``LIKE '%part%'``.
The extension is created where it is missing (it is trusted: a role that may create
objects in the database may), in ``public`` if there is one, else in the current
schema; the operator class is named with the schema the extension lives in.

Revision ID: 0007_name_substrings
Revises: 0006_draft_previews
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.errors import OfcrmError

revision = "0007_name_substrings"
down_revision = "0006_draft_previews"
branch_labels = None
depends_on = None

# Exactly the expression ofcrm_tui.core.fans.search searches (pg_name_test).
_NAMES = "lower(username || ' ' || name || ' ' || nickname)"
_OLD_INDEX = (
    "CREATE INDEX ix_search_fans_names ON fans "
    "USING gin (to_tsvector('simple', username || ' ' || name || ' ' || nickname))"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    found = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    ).scalar()
    if found is None:
        found = bind.exec_driver_sql(
            "SELECT coalesce((SELECT nspname FROM pg_namespace WHERE nspname = 'public'), "
            "current_schema())"
        ).scalar()
        try:
            op.execute(f"CREATE EXTENSION pg_trgm WITH SCHEMA {_quoted(bind, found)}")
        except DBAPIError as exc:
            reason = str(exc.orig).splitlines()[0]
            raise OfcrmError(
                f"this PostgreSQL database needs the pg_trgm extension ({reason}): ask an "
                "administrator to run 'CREATE EXTENSION pg_trgm' in it, then start again"
            ) from None
    op.execute(
        "CREATE INDEX ix_search_fans_trgm ON fans "
        f"USING gin (({_NAMES}) {_quoted(bind, found)}.gin_trgm_ops)"
    )
    op.execute("DROP INDEX ix_search_fans_names")


def _quoted(bind: Connection, name: str) -> str:
    return str(bind.exec_driver_sql("SELECT quote_ident(%(name)s)", {"name": name}).scalar())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_OLD_INDEX)
    op.execute("DROP INDEX ix_search_fans_trgm")
