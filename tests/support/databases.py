"""Clean databases for tests: a SQLite file, and a fresh PostgreSQL schema when
``OFCRM_TEST_DATABASE_URL`` names a server.

Most tests want a database at the current schema. Running every migration for each of
them cost about a third of the suite, so each kind is migrated once per test process
into a template, and a test's database is a copy of it: a file copy on SQLite, the
template schema's dump replayed into the test's own schema on PostgreSQL. The
migration tests still upgrade empty databases step by step.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, parse_url

POSTGRES_ENV = "OFCRM_TEST_DATABASE_URL"
NO_POSTGRES = f"PostgreSQL suite: set {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1/test)"
_TEMPLATE_SCHEMA = "ofcrm_template_schema"  # the name the dump is written with


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def postgres_schema(base_url: str, *, migrated: bool = False) -> Iterator[str]:
    """A URL whose connections live in a new schema, dropped afterwards: empty, or at
    the current schema revision when ``migrated``."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(parse_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        if migrated:
            script = _postgres_template(base_url).replace(_TEMPLATE_SCHEMA, schema)
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
def _postgres_template(base_url: str) -> str:
    """SQL that builds the current schema (and the rows migrations write) in
    ``_TEMPLATE_SCHEMA``: a migrated schema, dumped by pg_dump."""
    with postgres_schema(base_url) as url:
        schema = parse_url(url).query["options"].removeprefix("-csearch_path=")
        database = Database(url)
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
