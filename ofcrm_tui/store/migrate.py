"""Schema upgrades through the Alembic migrations shipped inside the package.

Every start checks the revision with one plain query against ``HEAD``; Alembic (its
import and its parsing of every migration file) is loaded only when an upgrade is due.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions: a new migration updates it
# (tests/store/test_migrations_schema.py checks it is Alembic's head).
HEAD = "0041_failed_sends_index"
_VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(db: Database) -> str | None:
    """The schema's revision; None for an empty database."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return None
        versions = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars()
        return next(iter(versions), None)


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is already there."""
    from alembic import command

    with db.schema_lock() as connection:
        command.upgrade(alembic_config(connection), revision)


_UNREAD = object()


def ensure_current(db: Database, current: str | None | object = _UNREAD) -> None:
    """Upgrade on first start (or after an update); one query when already current (none
    when the caller read ``current`` already). A role that may not change the schema (a
    team member's) is told who must."""
    if current is _UNREAD:
        current = current_revision(db)
    if current == HEAD:
        return
    try:
        upgrade(db)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        raise OfcrmError(
            f"the database schema is at {current or 'nothing'} and this ofcrm needs {HEAD}: "
            "the owner of the tables must run `ofcrm db upgrade` (then `ofcrm team init`)"
        ) from None


def downgrade(db: Database, revision: str) -> None:
    from alembic import command

    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def autogenerate(db: Database, message: str) -> None:
    """Developer aid: write a new revision from the difference to the models."""
    from alembic import command

    with db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
