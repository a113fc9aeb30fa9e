"""``ofcrm fans``, ``import fans`` and ``export fans``: one-line errors, exit codes, and
an import killed half-way leaving nothing behind. Whole processes where only a process
shows it (the exact stderr and exit code of a huge number, a kill); the rest through
``main`` in this process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ofcrm_tui.core.fans import edits
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.cli.test_cli import run
from tests.fans.conftest import add_fan, make_account
from tests.support.databases import sqlite_url


# The installed entry point (run as ``-m ofcrm_tui.cli.main`` its logger is ``__main__``,
# outside the ``ofcrm_tui`` logging set-up, and warnings reach stderr).
OFCRM = str(Path(sys.executable).with_name("ofcrm"))


Ofcrm = Callable[..., subprocess.CompletedProcess[str]]


def ofcrm_process(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OFCRM, "--db", url, *argv],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120,
    )


@pytest.fixture
def ofcrm(capsys: pytest.CaptureFixture[str]) -> Ofcrm:
    """``ofcrm --db URL ARGV...`` through ``main`` in this process, as a process's result
    (a usage error's exit 2 is argparse's SystemExit)."""

    def call(url: str, *argv: str) -> subprocess.CompletedProcess[str]:
        try:
            code, out, err = run(capsys, "--db", url, *argv)
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else 1
            out, err = capsys.readouterr()
        return subprocess.CompletedProcess([OFCRM, "--db", url, *argv], code, out, err)

    return call


@pytest.fixture
def sqlite_db(tmp_path: Path) -> tuple[Database, str]:
    url = sqlite_url(tmp_path, migrated=True)
    db = Database(url)
    account = make_account(db, "mia")
    add_fan(db, account, 41, "lena", name="Lena")
    return db, url


def _one_line_error(result: subprocess.CompletedProcess[str], fragment: str, code: int = 1) -> None:
    assert result.returncode == code, result
    assert result.stderr.startswith("ofcrm: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr, result.stderr


def test_a_filter_no_fan_can_pass_is_a_usage_error_and_writes_nothing(
    sqlite_db: tuple[Database, str], tmp_path: Path, ofcrm: Ofcrm
) -> None:
    """A spend that is not an amount, a minimum above the maximum, an empty last-active
    range: one line, exit 2 (as argparse's usage errors), no file."""
    _, url = sqlite_db
    out = tmp_path / "out.csv"
    cases = [
        (["--min-spent", "5x"], "bad minimum spend '5x': give dollars, e.g. 25 or 9.99"),
        (["--min-spent", "50", "--max-spent", "20"], "minimum spend $50.00 is above the maximum $20.00"),
        (["--active-after", "2026-11-20", "--active-before", "2026-11-10"],
         "the last-active range 2026-11-20 to 2026-11-10 is empty"),
        # A tag as it is given (the app's filter and tag boxes): a "#" alone names none
        # (it matched no fan, or with --without-tag was left out, saying nothing).
        (["--tag", "#"], "a tag name needs more than a #"),
        (["--without-tag", "#"], "a tag name needs more than a #"),
        (["--tag", "vip", "--tag", " "], "empty tag name"),
        (["--tag", "vip,whale"], "tag 'vip,whale' contains one of"),
        # Filters no fan can pass, as the app's filter dialog refuses them.
        (["--tag", "vip", "--without-tag", "#VIP"],
         "#vip is both wanted and left out: no fan can match"),
        (["--purchased", "--max-spent", "0"],
         "has purchased, with a maximum spend of $0.00: no fan can match"),
    ]
    for options, why in cases:
        for command in (["fans", "list", *options], ["export", "fans", str(out), *options]):
            result = ofcrm(url, *command)
            assert result.returncode == 2, result
            assert result.stderr.startswith("ofcrm: error: ") and result.stderr.count("\n") == 1
            assert why in result.stderr and result.stdout == "" and not out.exists()
    listed = ofcrm(url, "fans", "list", "--min-spent", "0", "--max-spent", "0")
    assert listed.returncode == 0 and "@lena" in listed.stdout
    grouped = ofcrm(url, "fans", "list", "--max-spent", "$1,234.50")  # as the app shows amounts
    assert grouped.returncode == 0 and "@lena" in grouped.stdout, grouped
    # "#vip" is the tag vip, however it is written, as the app shows and takes it.
    assert ofcrm(url, "fans", "edit", "lena", "--tag", "#vip").returncode == 0
    assert "@lena" in ofcrm(url, "fans", "list", "--tag", "#VIP").stdout
    assert "@lena" not in ofcrm(url, "fans", "list", "--without-tag", "#vip").stdout


def test_a_limit_below_one_is_a_usage_error(sqlite_db: tuple[Database, str], ofcrm: Ofcrm) -> None:
    """``fans list --limit 0`` said "no fans match" (exit 0); ``campaign list --limit -1``
    listed every campaign (SQLite's LIMIT -1); ``fans show --notes -1`` listed every note
    on SQLite and was a database error on PostgreSQL."""
    _, url = sqlite_db
    for command in (["fans", "list"], ["campaign", "list"]):
        for limit in ("0", "-1"):
            result = ofcrm(url, *command, "--limit", limit)
            assert (result.returncode, result.stdout) == (2, ""), result
            assert result.stderr == f"ofcrm: error: --limit must be at least 1, not {limit}\n"
    for option in ("--notes", "--purchases", "--messages"):  # listed all on SQLite, failed on PG
        result = ofcrm(url, "fans", "show", "lena", option, "-1")
        assert (result.returncode, result.stdout) == (2, ""), result
        assert result.stderr == f"ofcrm: error: {option} must be at least 0, not -1\n"
    none = ofcrm(url, "fans", "show", "lena", "--notes", "0", "--purchases", "0", "--messages", "0")
    assert none.returncode == 0 and "@lena" in none.stdout and "note " not in none.stdout, none
    assert ofcrm(url, "fans", "list", "--limit", "1").stdout.startswith("@lena\t")


def test_fans_edit_reuses_a_tag_spelled_in_another_case(
    sqlite_db: tuple[Database, str], ofcrm: Ofcrm
) -> None:
    db, url = sqlite_db
    add_fan(db, 1, 42, "sam")
    assert ofcrm(url, "fans", "edit", "sam", "--tag", "vip").returncode == 0
    assert ofcrm(url, "fans", "edit", "lena", "--tag", "VIP").returncode == 0
    assert "tags: vip" in ofcrm(url, "fans", "show", "Lena").stdout  # usernames: any case
    listed = ofcrm(url, "fans", "list", "--tag", "Vip").stdout
    assert "@lena" in listed and "@sam" in listed


def test_fans_edit_says_when_a_tag_to_remove_was_not_there(
    sqlite_db: tuple[Database, str], ofcrm: Ofcrm
) -> None:
    _, url = sqlite_db
    assert ofcrm(url, "fans", "edit", "lena", "--tag", "whale").returncode == 0
    done = ofcrm(url, "fans", "edit", "lena", "--untag", "nonexist", "--untag", "WHALE")
    assert done.returncode == 0
    assert "not tagged nonexist: nothing to untag" in done.stdout and "tags: none" in done.stdout
    assert "WHALE" not in done.stdout  # that one was removed (any case)


def test_errors_are_one_line(sqlite_db: tuple[Database, str], tmp_path: Path, ofcrm: Ofcrm) -> None:
    _, url = sqlite_db
    _one_line_error(ofcrm(url, "fans", "show", "nobody"), "no fan 'nobody'")
    _one_line_error(ofcrm(url, "fans", "edit", "lena"), "nothing to change", code=2)
    _one_line_error(ofcrm(url, "fans", "edit", "lena", "--tag", "a|b"), "contains one of", code=2)
    _one_line_error(ofcrm(url, "fans", "add", "--username", "lena"), "already has a fan @lena")
    _one_line_error(ofcrm(url, "fans", "add", "--username", "LENA"), "already has a fan @lena")
    _one_line_error(ofcrm(url, "fans", "add", "--username", "bob@@example..com"),
                    "username 'bob@@example..com' contains '@'", code=2)
    _one_line_error(ofcrm(url, "fans", "delete", "lena"), "not deleted: add --yes", code=2)
    _one_line_error(ofcrm(url, "import", "fans", str(tmp_path / "missing.csv")), "cannot read")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("username|name\nann|Ann\n")
    _one_line_error(ofcrm(url, "import", "fans", str(wrong)), "no column ofcrm knows")


def test_a_bad_value_writes_nothing_of_the_command(sqlite_db: tuple[Database, str], ofcrm: Ofcrm) -> None:
    """``fans add`` with a bad ``--tag`` said it failed but had made the fan (the same
    command again: "already has a fan"); ``fans edit`` had set the nickname."""
    db, url = sqlite_db
    _one_line_error(ofcrm(url, "fans", "add", "--username", "lena_s", "--name", "Lena",
                          "--tag", "vip", "--tag", " ", "--note", "x"), "empty tag name", code=2)
    _one_line_error(ofcrm(url, "fans", "add", "--username", "nora", "--note", "a\x07b"),
                    "control characters", code=2)
    _one_line_error(ofcrm(url, "fans", "edit", "lena", "--nickname", "Lee", "--tag", "a|b"),
                    "contains one of", code=2)
    with db.read() as session:
        assert session.scalars(select(Fan.username).order_by(Fan.username)).all() == ["lena"]
        assert session.scalar(select(Fan.nickname).where(Fan.username == "lena")) == ""
    assert ofcrm(url, "fans", "add", "--username", "lena_s", "--tag", "vip").returncode == 0


def test_a_bad_row_exits_non_zero_with_the_report_and_writes_nothing(
    sqlite_db: tuple[Database, str], tmp_path: Path, ofcrm: Ofcrm
) -> None:
    db, url = sqlite_db
    path = tmp_path / "fans.csv"
    path.write_text("username,tips,colour\nann,1.00,red\nbob,abc,blue\n")
    result = ofcrm(url, "import", "fans", str(path))
    assert result.returncode == 1
    assert "ignored columns: colour" in result.stderr and "line 3: tips: not an amount" in result.stderr
    assert "nothing written" in result.stderr
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Fan)) == 1
    result = ofcrm(url, "import", "fans", str(path), "--skip-invalid")  # as asked: done
    assert result.returncode == 0 and "skipped 1 bad" in result.stdout
    path.write_text("username,tips\ncat,1.00\n")
    result = ofcrm(url, "import", "fans", str(path))
    assert result.returncode == 0 and "created 1" in result.stdout


def test_the_report_says_in_one_line_which_rows_left_platform_fields_as_they_were(
    sqlite_db: tuple[Database, str], tmp_path: Path, ofcrm: Ofcrm
) -> None:
    db, url = sqlite_db
    path = tmp_path / "fans.csv"
    path.write_text("user_id,username,name,nickname,status\n41,lena,Lee,Lenny,expired\n"
                    ",ann,Ann,,expired\n")
    for dry in ("--dry-run", None):
        result = ofcrm(url, "import", "fans", str(path), *filter(None, [dry]))
        assert result.returncode == 0, result
        assert result.stdout.count("\n") == 3 and result.stdout.startswith(
            "1 row named fans the platform knows: their name, username, subscription, dates and spend "
            "stay as the platform has them"), result.stdout
        # ann has no user id: her status is not taken, and the report says so
        assert result.stdout.splitlines()[1] == (
            "1 fan without a user id: its status was left out (no subscription data without one)")
    with db.read() as session:
        lena = session.scalar(select(Fan).where(Fan.username == "lena"))
        assert (lena.name, lena.nickname, lena.subscription_status) == ("Lena", "Lenny", "active")


def test_fans_commands_edit_list_export_and_delete(
    sqlite_db: tuple[Database, str], tmp_path: Path, ofcrm: Ofcrm
) -> None:
    _, url = sqlite_db
    assert ofcrm(url, "fans", "add", "--username", "joe", "--name", "Joe", "--tag", "expo").returncode == 0
    edit = ofcrm(url, "fans", "edit", "41", "--nickname", "Lee", "--tag", "vip", "--note", "likes cats")
    assert edit.returncode == 0
    assert edit.stdout == "Lee (@lena): nickname set to 'Lee'; note added; tags: vip\n"
    listed = ofcrm(url, "fans", "list", "--tag", "vip")
    assert listed.returncode == 0 and listed.stdout.splitlines() == [listed.stdout.splitlines()[0]]
    assert listed.stdout.startswith("@lena\tLee\t")
    shown = ofcrm(url, "fans", "show", "@joe")
    assert "user id: none (created by hand)" in shown.stdout and "tags: expo" in shown.stdout
    out = tmp_path / "out.csv"
    exported = ofcrm(url, "export", "fans", str(out), "--without-tag", "vip")
    assert exported.returncode == 0 and exported.stdout == f"mia: exported 1 fan to {out}\n"
    assert "joe" in out.read_text() and "lena" not in out.read_text()
    again = ofcrm(url, "export", "fans", str(out))  # an export never writes over a file unasked
    _one_line_error(again, f"{out} exists (")
    assert "not replaced (--force replaces it)" in again.stderr and "lena" not in out.read_text()
    assert ofcrm(url, "export", "fans", str(out), "--force").returncode == 0
    assert "lena" in out.read_text()
    deleted = ofcrm(url, "fans", "delete", "joe", "--yes")
    assert deleted.returncode == 0 and "deleted Joe (@joe)" in deleted.stdout


def test_an_import_killed_half_way_leaves_nothing(sqlite_db: tuple[Database, str], tmp_path: Path) -> None:
    db, url = sqlite_db
    path = tmp_path / "big.csv"
    with path.open("w") as out:
        out.write("id,username,name,tags,notes\n")
        for i in range(1, 200_001):
            out.write(f"{1000 + i},user{i},Name {i},t{i % 50},note {i}\n")
    wal = Path(db.url.database + "-wal")
    started = wal.stat().st_size if wal.exists() else 0
    process = subprocess.Popen(
        [OFCRM, "--db", url, "import", "fans", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < started + 2_000_000):
        assert process.poll() is None, "the import ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert wal.stat().st_size >= started + 2_000_000  # it had written a good part
    fresh = Database(url)
    with fresh.engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert connection.execute(select(func.count()).select_from(Fan)).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM tags")).scalar() == 0
    fresh.dispose()


def test_a_fan_made_by_hand_shows_no_subscription_status(
    sqlite_db: tuple[Database, str], ofcrm: Ofcrm
) -> None:
    """No platform id, no subscription data (as analytics counts them): the list, the
    JSON and ``show`` say no status, and ``--status active`` does not pick them."""
    _, url = sqlite_db
    assert ofcrm(url, "fans", "add", "--username", "joe").returncode == 0
    listed = ofcrm(url, "fans", "list", "--sort", "name").stdout.splitlines()
    assert [line.split("\t")[:3] for line in listed] == [["@joe", "joe", "—"], ["@lena", "Lena", "active"]]
    assert ofcrm(url, "fans", "list", "--status", "active").stdout.startswith("@lena\t")
    assert ofcrm(url, "fans", "list", "--status", "active").stdout.count("\n") == 1
    rows = json.loads(ofcrm(url, "fans", "list", "--sort", "name", "--json").stdout)
    assert [(row["username"], row["status"]) for row in rows] == [("joe", None), ("lena", "active")]
    assert "  subscription: —, since" in ofcrm(url, "fans", "show", "joe").stdout
    assert "  subscription: active, since" in ofcrm(url, "fans", "show", "lena").stdout


@pytest.mark.parametrize(
    ("argv", "code", "error"),
    [
        (["fans", "list", "--limit", "99999999999999999999"], 2, "--limit must be at most 1,000,000,000"),
        (["campaign", "list", "--limit", "99999999999999999999"], 2, "--limit must be at most 1,000,000,000"),
        (["fans", "show", "lena", "--notes", "99999999999999999999"], 2, "--notes must be at most 1,000,000,000"),
        (["fans", "list", "--min-spent", "99999999999999999999"], 2,
         "argument --min-spent: bad minimum spend '99999999999999999999': at most "
         "$100,000,000.00 (see ofcrm fans list --help)"),
        (["fans", "show", "99999999999999999999"], 1,
         "no fan '99999999999999999999' in this account (a platform user id or a username; "
         "sync the account if the fan is new)"),
        (["campaign", "create", "--name", "x", "--text", "hi", "--inactive-days", "99999999999999999999",
          "--yes"], 2, "inactive days must be at most 36,500"),
        (["export", "analytics", os.devnull, "--force", "--days", "99999999999999999999"], 2,
         "a period of at most 3660 days, not 99,999,999,999,999,999,999"),
    ],
)
def test_a_huge_number_is_a_one_line_error(sqlite_db: tuple[Database, str], argv: list[str], code: int,
                                             error: str) -> None:
    """Each printed an OverflowError's traceback (a database or C integer): whole
    processes, so that nothing else (a warning, a log record) reaches stderr either."""
    _, url = sqlite_db
    result = ofcrm_process(url, *argv)
    assert (result.returncode, result.stderr) == (code, f"ofcrm: error: {error}\n"), result


def test_fans_show_says_who_edited_a_note_besides_its_author(
    sqlite_db: tuple[Database, str], ofcrm: Ofcrm
) -> None:
    """As the fan's screen does: a note saved by someone other than its author names them."""
    db, url = sqlite_db
    with db.read() as session:
        account_id, fan_id = session.execute(select(Fan.account_id, Fan.id)).one()
    note = edits.add_note(db, account_id, fan_id, "likes cats", author="sam")
    shown = ofcrm(url, "fans", "show", "lena")
    assert "by sam:" in shown.stdout and "edited by" not in shown.stdout
    edits.edit_note(db, account_id, note.id, "likes cats, not dogs", by="boss")
    shown = ofcrm(url, "fans", "show", "lena")
    line = next(line for line in shown.stdout.splitlines() if line.lstrip().startswith("note "))
    assert "by sam, edited by boss " in line and line.endswith(":"), line

