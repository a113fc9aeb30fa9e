"""Clean databases for tests: a SQLite file, and a fresh PostgreSQL schema when
``OFCRM_TEST_DATABASE_URL`` names a server.

Most tests want a database at the current schema. Running every migration for each of
them cost about a third of the suite, so each kind is migrated once into a template,
and a test's database is a copy of it: a file copy on SQLite (a template per test
process), the template schema's dump replayed into the test's own schema on PostgreSQL
(one dump per test run, shared by its processes: each migration holds the database's
schema lock, and six processes migrating at once queued behind it). The migration tests
still upgrade empty databases step by step.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, parse_url

POSTGRES_ENV = "OFCRM_TEST_DATABASE_URL"
NO_POSTGRES = f"PostgreSQL suite: set {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
_TEMPLATE_SCHEMA = "ofcrm_template_schema"  # the name the dump is written with
SLOW_SETUP = 30.0  # seconds a schema's setup may take before the database's sessions are shown


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def postgres_schema(base_url: str, *, template: str | None = None) -> Iterator[str]:
    """A URL whose connections live in a new schema, dropped afterwards: empty, or built
    by ``template`` (``postgres_template``'s SQL)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parse_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection, _told_if_slow(base_url, f"creating schema {schema}"):
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        if template is not None:
            script = template.replace(_TEMPLATE_SCHEMA, schema)
            # The driver's cursor without parameters: a dump's `%` is no placeholder.
            with connection.connection.dbapi_connection.cursor() as cursor:
                cursor.execute(script)
    url = parse_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def sqlite_url(directory: Path, *, migrated: bool = False) -> str:
    """The URL of ``directory``'s test database; with ``migrated``, a copy of the
    template at the current schema revision is put there first."""
    path = directory / "test.db"
    if migrated:
        shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


@functools.cache
def _sqlite_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="ofcrm-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    database = Database(f"sqlite:///{directory / 'template.db'}")
    migrate.upgrade(database)
    database.dispose()  # the last connection checkpoints the WAL into the file
    return directory / "template.db"


@functools.cache
def postgres_template(base_url: str, shared: Path) -> str:
    """SQL that builds the current schema (and the rows migrations write) in
    ``_TEMPLATE_SCHEMA``: made once for all the test processes that share the directory
    ``shared`` (the first to take its lock writes it, the others read it)."""
    dump = shared / "postgres-template.sql"
    with open(shared / "postgres-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not dump.exists():
            partial = dump.with_suffix(".partial")
            partial.write_text(_dumped_template(base_url))
            partial.replace(dump)
    return dump.read_text()


def _dumped_template(base_url: str) -> str:
    """A migrated schema, dumped by pg_dump and named ``_TEMPLATE_SCHEMA``."""
    with postgres_schema(base_url) as url:
        schema = parse_url(url).query["options"].removeprefix("-csearch_path=")
        database = Database(url)
        with _told_if_slow(base_url, f"migrating the template schema {schema}"):
            migrate.upgrade(database)
        database.dispose()
        libpq = parse_url(base_url).set(drivername="postgresql", query={})
        dump = subprocess.run(
            ["pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts",
             "--dbname", libpq.render_as_string(hide_password=False)],
            check=True, capture_output=True, text=True,
        ).stdout
    lines = [
        line for line in dump.splitlines()
        if not line.startswith("\\") and not line.startswith(f"CREATE SCHEMA {schema};")
    ]
    return "\n".join(lines).replace(schema, _TEMPLATE_SCHEMA)


@contextmanager
def _told_if_slow(base_url: str, doing: str) -> Iterator[None]:
    """Print what the database's sessions are doing and waiting for when ``doing`` takes
    longer than ``SLOW_SETUP`` seconds: a CI run once hung setting up PostgreSQL schemas,
    and a timeout's stack shows only the side that waits."""
    timer = threading.Timer(SLOW_SETUP, _print_sessions, args=(base_url, doing, SLOW_SETUP))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _print_sessions(base_url: str, doing: str, after: float) -> None:
    engine = create_engine(parse_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT pid, pg_blocking_pids(pid), state, wait_event_type, wait_event,"
                " now() - xact_start, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
                " FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() ORDER BY xact_start")).all()
            locks = connection.execute(text(
                "SELECT pid, locktype, mode, relation::regclass, classid, objid"
                " FROM pg_locks WHERE NOT granted")).all()
    except Exception as exc:  # noqa: BLE001 - a report, never a second failure
        rows, locks = [], [("unread", str(exc).splitlines()[0])]
    finally:
        engine.dispose()
    print(f"{doing}: still going after {after:.0f} s; the database's sessions "
          "(pid, blocked by, state, wait, in transaction for, query):", file=sys.stderr)
    for row in rows:
        print(f"  {tuple(row)}", file=sys.stderr)
    print("  waiting for locks:", [tuple(lock) for lock in locks], file=sys.stderr, flush=True)
