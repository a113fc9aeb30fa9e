"""Commands run before there is a database, or before it has accounts: they say where
they looked and how to start one, and make none; those that start a database still do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import ofcrm_run
from tests.cli.ofcrm_run import NO_DATABASE, Ofcrm, assert_error_line

here = ofcrm_run.here


def test_db_after_the_command_is_the_global_db(tmp_path: Path, here: Ofcrm) -> None:
    """``--db`` after the command, at any depth, as ``--account`` is; it wins over none
    given before, and a value given before is not overwritten when none is after."""
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert here("db", "upgrade", "--db", db).returncode == 0
    assert (tmp_path / "x.db").exists()
    for argv in (("fans", "list", "--db", db), ("--db", db, "fans", "list"), ("queue", "--db", db)):
        assert_error_line(here(*argv), "no accounts yet")


def test_queue_and_failed_list_agree_with_no_accounts(tmp_path: Path, here: Ofcrm) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert here("--db", db, "db", "upgrade").returncode == 0
    queue, failed = here("--db", db, "queue"), here("--db", db, "failed", "list")
    assert_error_line(queue, "no accounts yet")
    assert (queue.returncode, queue.stderr) == (failed.returncode, failed.stderr)


@pytest.mark.parametrize(
    "argv",
    [
        ("fans", "show", "lena"), ("fans", "list"), ("fans", "edit", "lena", "--tag", "vip"),
        ("fans", "delete", "lena", "--yes"), ("export", "fans", "out.csv"),
        ("export", "analytics", "out.csv"), ("failed", "list"), ("queue",), ("account", "list"),
        ("campaign", "list"), ("sync",), ("send", "--fan", "lena", "--text", "hi"),
        ("import", "fans", "../fans.csv"), ("import", "fans", "../fans.csv", "--dry-run"),
    ],
)
def test_a_command_that_reads_or_edits_makes_no_database(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """Run before there is a database, it says where it looked and how to start one,
    and leaves no empty database behind. An import too: its fans go into an account,
    and a new database has none."""
    (tmp_path / "fans.csv").write_text("username\nann\n")
    work = tmp_path / "work"
    work.mkdir()
    missing = work / "x.db"
    result = here("--db", f"sqlite:///{missing}", *argv, cwd=str(work))
    assert result.returncode == 1
    assert result.stderr == f"ofcrm: error: {NO_DATABASE.format(missing)}\n"
    assert list(work.iterdir()) == []


def test_db_current_makes_no_database(tmp_path: Path, here: Ofcrm) -> None:
    work = tmp_path / "work"
    work.mkdir()
    missing = work / "x.db"
    result = here("--db", f"sqlite:///{missing}", "db", "current")
    assert result.returncode == 0, result.stderr
    assert f"no database yet at {missing}" in result.stdout
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    "argv", [("fans", "list"), ("account", "list"), ("queue",), ("import", "fans", "fans.csv")]
)
def test_a_command_that_reads_builds_no_schema_in_an_empty_file(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """A file with none of our tables (an empty database another tool made) is no
    database yet to a command that only reads or edits: it says so, naming the file as a
    missing one is named (its path, not the URL), and builds nothing."""
    import sqlite3

    (tmp_path / "fans.csv").write_text("username\nann\n")
    empty = tmp_path / "x.db"
    sqlite3.connect(empty).close()
    url = f"sqlite:///{empty}"
    result = here("--db", url, *argv, cwd=str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"ofcrm: error: {NO_DATABASE.format(empty)}\n"
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    health = here("--db", url, "health")
    assert health.returncode == 5
    assert health.stdout.splitlines()[-1] == f"PROBLEM: {NO_DATABASE.format(empty)}"



@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    ("argv", "said"),
    [(("fans", "list", "--limit", "0"), "--limit must be at least 1, not 0"),
     (("fans", "show", "x", "--notes", "-1"), "--notes must be at least 0, not -1"),
     (("campaign", "list", "--limit", "0"), "--limit must be at least 1, not 0"),
     (("team", "audit", "--limit", "0"), "--limit must be at least 1, not 0")],
)
def test_a_count_out_of_range_is_said_before_there_is_no_database(
    argv: tuple[str, ...], said: str, database_url: str, here: Ofcrm
) -> None:
    """A bad value is refused before any database is looked at, the audit trail's
    ``--limit`` as every listing's: not "no database yet" (a schema with no tables)."""
    result = here("--db", database_url, *argv)
    assert result.returncode == 2
    assert_error_line(result, said)


@pytest.mark.parametrize(
    "argv", [("queue",), ("fans", "list"), ("account", "list"), ("db", "current")]
)
def test_a_folder_that_is_not_there_is_named_not_an_account_to_add(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """A SQLite URL whose folder is not there (a typo) said "no database yet: `ofcrm
    account add` starts one" (``db current``: "`ofcrm db upgrade` creates it"), which
    would have refused it too: the folder is named."""
    folder = tmp_path / "nope"
    result = here("--db", f"sqlite:///{folder / 'x.db'}", *argv)
    assert result.returncode == 1
    assert result.stderr == (f"ofcrm: error: no folder {folder} for the SQLite database: "
                             "create it first, or check the URL\n")
    health = here("--db", f"sqlite:///{folder / 'x.db'}", "health")
    assert health.returncode == 5
    assert (f"PROBLEM: no folder {folder} for the SQLite database: create it first, or check "
            "the URL\n") in health.stdout
    assert not folder.exists()
