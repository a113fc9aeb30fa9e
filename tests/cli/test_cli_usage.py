"""Usage errors and values out of range: one line naming the command's help, exit 2,
refused as typed before any database is opened."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ofcrm_tui.cli.main import parse
from tests.cli import ofcrm_run
from tests.cli.ofcrm_run import Ofcrm, assert_error_line, ofcrm
from tests.cli.test_cli import assert_one_line_error, run

here = ofcrm_run.here


@pytest.mark.parametrize(
    "argv",
    [
        ("failed", "list", "--days", "-1"),
        ("send", "--fan", "x", "--text", "y", "--wait", "-1"),
        ("send", "--fan", "x", "--text", "y", "--wait", "nan"),
    ],
)
def test_negative_wait_and_days_are_refused(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert result.returncode == 2
    assert "must be from 0 to " in result.stderr.splitlines()[-1]
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


USAGE_ERRORS = [
    (("queue", "--bogus"), "ofcrm queue", "unrecognized arguments: --bogus"),
    (("fans", "add", "--username", "x", "--user-id", "abc"), "ofcrm fans add",
     "not an id: 'abc'"),
    (("demo", "--failures", "150%"), "ofcrm demo", "must be from 0 to 1"),
    (("failed", "retry", "abc"), "ofcrm failed retry", "not an id: 'abc'"),
    (("fans", "list", "--status", "bogus"), "ofcrm fans list", "invalid choice: 'bogus'"),
    (("fans", "list", "--bogus", "x"), "ofcrm fans list", "unrecognized arguments: --bogus x"),
    (("fans",), "ofcrm fans", "required: ACTION"),
    (("bogus",), "ofcrm", "invalid choice: 'bogus'"),
]


def _assert_usage_error(
    result: subprocess.CompletedProcess[str], command: str, fragment: str, tmp_path: Path
) -> None:
    """No usage dump: one line, the command's own --help (not the top level's), exit 2."""
    assert result.returncode == 2
    assert_error_line(result, fragment, f"(see {command} --help)")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(("argv", "command", "fragment"), USAGE_ERRORS[1:])
def test_a_usage_error_is_one_line_naming_the_commands_help(
    argv: tuple[str, ...], command: str, fragment: str, tmp_path: Path, here: Ofcrm
) -> None:
    _assert_usage_error(here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv), command, fragment,
                        tmp_path)


def test_a_usage_error_is_the_console_script_s_status_2(tmp_path: Path) -> None:
    """One as a process: argparse's exit becomes the console script's status (in the
    test process it is read off the SystemExit)."""
    argv, command, fragment = USAGE_ERRORS[0]
    _assert_usage_error(ofcrm("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv), command, fragment,
                        tmp_path)


@pytest.mark.parametrize(("argv", "said"), [
    (("failed", "retry"), "which messages? give their ids, or --all for every failed one"),
    (("failed", "retry", "3", "--all"), "give message ids or --all, not both"),
])
def test_failed_retry_without_ids_or_with_both_is_a_usage_error(
    argv: tuple[str, ...], said: str, tmp_path: Path, here: Ofcrm
) -> None:
    """Neither ids nor --all (or both) is a usage error like every other of ``failed
    retry``'s (a bad id): one line, exit 2, before any database is opened; each case
    in its own words (neither was told "(not both)")."""
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert result.returncode == 2
    assert_error_line(result, said)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("argv", [
    ("campaign", "resume", "99999999999999999999"), ("campaign", "show", "0"),
    ("campaign", "cancel", "--", "-1"), ("failed", "retry", "99999999999999999999"),
    ("failed", "discard", "1", "99999999999999999999"),
    ("fans", "add", "--username", "x1", "--user-id", "-5"),
    ("send", "--fan", "x", "--text", "y", "--media", "-5"),
    ("campaign", "create", "--name", "c", "--text", "y", "--preview", "0"),
])
def test_an_id_no_row_can_have_is_a_usage_error(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """An id beyond the database's integers (was an OverflowError's traceback), or below
    1: refused as typed, one line, exit 2, before a database is opened."""
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert result.returncode == 2
    assert_error_line(result, "not an id: ", "(a whole number from 1)")
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(("argv", "fragment"), [
    (("export", "analytics", "out.csv", "--from", "2026-12-05", "--to", "2026-12-01"),
     "the period ends (2026-12-01) before it starts (2026-12-05)"),
    (("export", "analytics", "out.csv", "--from", "2026-12-05"), "give both --from and --to"),
    (("export", "analytics", "out.csv", "--days", "99999"), "a period of at most 3660 days"),
    (("export", "analytics", "out.csv", "--from", "2016-01-01", "--to", "2026-12-01"),
     "a period of at most 3660 days"),
    (("account", "add", "b", "--base-url", "http://x", "--send-limit", "-5"),
     "must be at least 1, not -5"),
    (("worker", "--send-concurrency", "0"), "must be at least 1, not 0"),
    (("simulate", "--port", "-1"), "a port is 0 to 65535, not -1"),
    (("simulate", "--port", "70000"), "a port is 0 to 65535, not 70000"),
])
def test_a_value_out_of_range_is_a_usage_error(
    argv: tuple[str, ...], fragment: str, tmp_path: Path, here: Ofcrm
) -> None:
    """A number or period out of its range is refused as typed, as ``--days 0`` is: one
    line, exit 2 (was 1, or a traceback for a port), before a database is opened."""
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv, cwd=str(tmp_path))
    assert result.returncode == 2
    assert_error_line(result, fragment)
    assert not (tmp_path / "x.db").exists()
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(("argv", "fragment"), [
    (("worker", "--lease-seconds", "-1"), "--lease-seconds: must be more than 0 and at most 86400, not -1"),
    (("worker", "--lease-seconds", "0"), "--lease-seconds: must be more than 0 and at most 86400, not 0"),
    (("worker", "--lease-seconds", "1e300"), "must be more than 0 and at most 86400, not 1e300"),
    (("worker", "--reconcile-grace-seconds", "nan"), "--reconcile-grace-seconds: must be from 0 to 86400, not nan"),
    (("simulate", "--activity", "-1"), "--activity: must be from 0 to 86400, not -1"),
    (("failed", "list", "--days", "1e300"), "--days: must be from 0 to 36500, not 1e300"),
    (("send", "--fan", "x", "--text", "y", "--wait", "1e10"), "--wait: must be from 0 to 86400, not 1e10"),
    (("worker", "--lease-seconds", "soon"), "not a number: 'soon' (more than 0 and at most 86400)"),
])
def test_a_number_out_of_its_range_is_refused_as_typed(
    argv: tuple[str, ...], fragment: str, capsys  # noqa: ANN001
) -> None:
    """Every number option is range-checked as it is parsed, before any database is
    opened (a negative lease exited 1 after making the database; a huge one, a NaN or
    huge days were tracebacks): one line saying the range, exit 2. Parsed only, so that
    a value let through starts no worker, simulator or app here."""
    with pytest.raises(SystemExit) as exited:
        parse(["--db", "sqlite:///unused.db", *argv])
    assert exited.value.code == 2
    assert_one_line_error(2, capsys.readouterr().err, fragment)


@pytest.mark.parametrize(("option", "fragment"), [
    ("--lease-seconds", "the send lease (5 s) must be at least twice the HTTP timeout"),
    ("--reconcile-grace-seconds", "the reconcile grace (5 s) must be at least twice the HTTP timeout"),
])
def test_a_worker_time_too_short_for_the_http_timeout_is_a_bad_value(
    option: str, fragment: str, tmp_path: Path, capsys  # noqa: ANN001
) -> None:
    """Checked against the settings before the worker makes its database: exit 2."""
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'x.db'}", "worker", option, "5")
    assert code == 2
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "x.db").exists()


def test_a_worker_with_nothing_to_do_is_refused(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """``--no-poll --no-drain`` started a worker that sat idle until stopped."""
    code, _, err = run(capsys, "--db", f"sqlite:///{tmp_path / 'x.db'}", "worker",
                       "--no-poll", "--no-drain")
    assert code == 2
    assert_one_line_error(code, err, "--no-poll with --no-drain leaves the worker nothing to do")
    assert not (tmp_path / "x.db").exists()
