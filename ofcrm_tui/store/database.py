"""Engine and session setup for SQLite (one person) and PostgreSQL (an agency).

SQLite runs in WAL with a busy timeout and foreign keys on. Transactions that read
then write use ``Database.write()``, which starts them with ``BEGIN IMMEDIATE`` so two
processes never both read, then both fail to upgrade their lock (SQLAlchemy docs,
"Transactions with SQLite and the sqlite3 driver").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ofcrm_tui.errors import OfcrmError, UsageError
from ofcrm_tui.store.fold import register_sqlite

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "ofcrm_begin_immediate"
# Serialises schema upgrades of processes starting at once on one PostgreSQL database.
_SCHEMA_LOCK_KEY = 0x0FC7_0001


class DatabaseUrlError(OfcrmError, ValueError):
    """A database URL we cannot use, with a one-line reason."""


class BadDatabaseUrl(DatabaseUrlError, UsageError):
    """No URL of a database we use (not a URL, another database): a bad value, exit 2,
    wherever it was given (``--db``, ``OFCRM_DATABASE_URL``, the config file)."""


def parse_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BadDatabaseUrl(f"not a database URL: {url!s}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed
    if backend == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed
    raise BadDatabaseUrl(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def display_url(url: str | URL) -> str:
    """The URL as a person writes it: ``postgresql://``, not the driver ``parse_url``
    picks, and its password masked (in the query too); an unparsable one without its
    user part."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return str(url).split("@")[-1]
    if parsed.drivername == "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql")
    if "password" in parsed.query:
        parsed = parsed.update_query_dict({"password": "***"})
    return parsed.render_as_string(hide_password=True)


def database_named(url: str | URL) -> str:
    """The database as every message names it: a SQLite file's absolute path, else the
    URL as ``display_url`` writes it (a setting's value, which ``config show`` prints)."""
    try:
        parsed = parse_url(url)
    except BadDatabaseUrl:
        return display_url(url)
    if (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
            and not parsed.query.get("uri")):
        return str(Path(parsed.database).expanduser().absolute())
    return display_url(parsed)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        register_sqlite(dbapi_connection)  # the fan name index's triggers call it
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # 32 MB of page cache (default 2 MB): search and deep inbox pages stay in memory.
        cursor.execute("PRAGMA cache_size = -32000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _enable_wal(engine: Engine) -> None:
    """WAL is a property of the file: set it once and check that it took."""
    if engine.url.database in (None, "", ":memory:"):
        return
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            cursor.close()
        finally:
            raw.close()
    except (sqlite3.Error, DBAPIError) as exc:
        # Not a database, a read-only file or folder: the driver's reason, in one line.
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise DatabaseUrlError(
            f"cannot open SQLite database {engine.url.database}: {reason}"
        ) from None
    if str(mode).lower() != "wal":
        raise DatabaseUrlError(f"SQLite refused WAL mode (got {mode!r}) for {engine.url.database}")


def _file_of(parsed: URL) -> Path | None:
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite URL names; None for any other database, or one in memory."""
    return _file_of(parse_url(url))


def missing_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL when it does not exist yet (opening it would create an
    empty database); None for any other database, or a file that is there."""
    parsed = parse_url(url)
    path = _file_of(parsed)
    return None if path is None or path.exists() or parsed.query.get("uri") else path


def _missing_folder(parsed: URL) -> Path | None:
    path = _file_of(parsed)
    if path is None or parsed.query.get("uri"):
        return None
    folder = path.absolute().parent
    return None if folder.is_dir() else folder


def _refused(folder: Path, create_under: Path) -> str | None:
    if folder.is_relative_to(create_under.absolute()):
        return None
    return f"no folder {folder} for the SQLite database: create it first, or check the URL"


def folder_refused(url: str | URL, create_under: Path) -> str | None:
    """The line said for a SQLite URL whose file's folder is not there and would not be
    made (outside ``create_under``): a typo, which adding an account would not fix
    either; None for any other URL."""
    folder = _missing_folder(parse_url(url))
    return None if folder is None else _refused(folder, create_under)


def _sqlite_folder(parsed: URL, create_under: Path | None) -> None:
    """Create the database file's missing folder, but only under ``create_under`` (when
    given): a typo elsewhere is refused instead of growing a new tree of folders."""
    folder = _missing_folder(parsed)
    if folder is None:
        return
    refused = _refused(folder, create_under) if create_under is not None else None
    if refused:
        raise DatabaseUrlError(refused)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUrlError(f"cannot create {folder} for the database: {exc.strerror}") from None


def _check_foreign_keys(connection: Connection, tables: Sequence[str]) -> None:
    """SQLite's check of the references of ``tables``; IntegrityError at the first bad one."""
    for table in tables:
        bad = connection.exec_driver_sql(f'PRAGMA foreign_key_check("{table}")').first()
        if bad is not None:  # (table, rowid, parent table, which key)
            reason = f"FOREIGN KEY constraint failed: a {table} row refers to no {bad[2]} row"
            raise IntegrityError(f'PRAGMA foreign_key_check("{table}")', None,
                                 sqlite3.IntegrityError(reason))


def _foreign_keys_back_on(connection: Connection) -> None:
    """SQLite's row-by-row foreign keys on again for a pooled connection; one where they
    would not come back (a transaction left open, an error) is dropped, not pooled."""
    raw = connection.connection.driver_connection
    try:
        raw.execute("PRAGMA foreign_keys = ON")
        back = raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
    except sqlite3.Error:
        back = False
    if not back:
        connection.invalidate()


def make_engine(url: str | URL, *, create_folders_under: Path | None = None) -> Engine:
    """The engine for ``url``; a SQLite file's missing folder is created (only under
    ``create_folders_under`` when given)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_folder(parsed, create_folders_under)
        engine = create_engine(parsed)
        _configure_sqlite(engine)
        _enable_wal(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    """One engine plus the two kinds of unit of work the services use."""

    def __init__(self, url: str | URL, *, create_folders_under: Path | None = None) -> None:
        self.engine = make_engine(url, create_folders_under=create_folders_under)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        write_engine = (
            self.engine.execution_options(**{_IMMEDIATE: True}) if self.is_sqlite else self.engine
        )
        self._write_sessions = sessionmaker(write_engine, expire_on_commit=False)

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def url_for_display(self) -> str:
        return database_named(self.engine.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @cached_property
    def row_security(self) -> bool:
        """Whether row-level security filters what this role reads: a team role on
        PostgreSQL (see ``store/security.py``), not the owner, not SQLite. Asked once:
        an engine's role does not change."""
        if self.is_sqlite:
            return False
        with self.engine.connect() as connection:
            return bool(
                connection.exec_driver_sql(
                    "SELECT CASE WHEN to_regclass('fans') IS NULL THEN false"
                    " ELSE row_security_active('fans') END"
                ).scalar()
            )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads (or writes without reading first)."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that reads then writes: takes the write lock up front on SQLite."""
        with self._write_sessions.begin() as session:
            yield session

    @contextmanager
    def bulk_write(self, checked: Sequence[str]) -> Iterator[Session]:
        """``write()`` for a bulk load: on SQLite, foreign keys are checked once before
        the commit over the tables ``checked`` (all that the unit adds rows to) instead
        of row by row. ``PRAGMA foreign_key_check`` walks a table's references in one
        statement, a fraction of what a lookup per inserted row costs, but it walks the
        whole table: for units that write about as many rows as the tables hold. A row
        that refers to nothing raises IntegrityError and nothing is kept, as with the
        check row by row. The unit must not delete rows (no cascade runs unchecked).
        Elsewhere (PostgreSQL): ``write()``."""
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        with self.engine.connect() as connection:
            # The setting can change only outside a transaction: before BEGIN, after COMMIT.
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                connection.execution_options(**{_IMMEDIATE: True})
                with Session(connection, expire_on_commit=False) as session, session.begin():
                    yield session
                    session.flush()  # what the commit would write, checked first
                    _check_foreign_keys(connection, checked)
            finally:
                _foreign_keys_back_on(connection)

    @contextmanager
    def schema_lock(self) -> Iterator[Connection]:
        """A connection in a transaction that no other process's schema change can share."""
        if self.is_sqlite:
            with self.engine.execution_options(**{_IMMEDIATE: True}).begin() as connection:
                yield connection
            return
        with self.engine.begin() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})")
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
