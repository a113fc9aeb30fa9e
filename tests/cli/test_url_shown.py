"""A PostgreSQL URL is printed as a person writes it: ``postgresql://``, not the driver
SQLAlchemy is given, and never with its password; a SQLite one by its file's path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.store.database import Database, database_named

WRITTEN = "postgresql://anna:s3cret@db.example:5432/crm?sslmode=require"
SHOWN = "postgresql://anna:***@db.example:5432/crm?sslmode=require"


@pytest.mark.parametrize("url", [WRITTEN, WRITTEN.replace("postgresql", "postgresql+psycopg", 1),
                                 WRITTEN.replace("postgresql", "postgresql+psycopg2", 1)])
def test_the_url_is_shown_as_written_without_its_password(url: str) -> None:
    database = Database(url)  # no connection is made
    try:
        assert database.url_for_display == SHOWN
    finally:
        database.dispose()
    assert database_named(url) == SHOWN  # what `ofcrm account add` says it added to


def test_a_password_in_the_query_is_masked_too() -> None:
    shown = database_named("postgresql://anna@db.example/crm?password=s3cret")
    assert shown.startswith("postgresql://anna@db.example/crm?password=") and "s3cret" not in shown


def test_db_upgrade_prints_the_url_as_written(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", database_url, "db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "+psycopg" not in out and "upgraded empty -> " in out
    if database_url.startswith("postgresql"):
        assert out.startswith("postgresql://"), out


def test_a_sqlite_database_is_named_by_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Every message names a SQLite database by its file's absolute path: `account add`
    did, while `db upgrade`, health and the monitoring screen (``url_for_display``) gave
    the URL as typed, relative or not."""
    monkeypatch.chdir(tmp_path)
    path = str(tmp_path / "crm.db")
    assert database_named("sqlite:///crm.db") == path
    database = Database("sqlite:///crm.db")
    try:
        assert database.url_for_display == path
    finally:
        database.dispose()
    assert main(["--db", "sqlite:///crm.db", "db", "upgrade"]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: upgraded empty -> ")
