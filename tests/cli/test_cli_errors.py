"""The command line: one-line errors printed once, no tracebacks, exit codes, and one
meaning for ``--account`` wherever it is written.

What ``cli.main`` decides (usage errors, range checks, exit codes, no database made) is
run in the test process, through the console script's own ``main``. An ``ofcrm`` process
(a second of start-up each) is kept where the process is under test: ``python -m``,
printing once with the logging a fresh process has, a reader that leaves early, a
keyring backend chosen by the environment at import, and argparse's exit turned into
the console script's status."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from ofcrm_tui import paths
from ofcrm_tui.cli import demo_cmd, simulate_cmd, worker_cmd
from ofcrm_tui.cli.main import parse
from tests.cli.test_cli import assert_one_line_error, run

OFCRM = str(Path(sys.executable).with_name("ofcrm"))


def ofcrm(
    *argv: str, timeout: float = 60, cwd: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """``ofcrm`` in a process of its own, in the test's home, with no usable keyring."""
    environ = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **env}
    return subprocess.run(
        [OFCRM, *argv], capture_output=True, text=True, timeout=timeout, env=environ, cwd=cwd
    )


Ofcrm = Callable[..., subprocess.CompletedProcess[str]]


def _exit_status(code: object) -> tuple[int, str]:
    """The status and the line the interpreter makes of ``SystemExit(code)`` at the end
    of the console script (argparse's usage errors, ``--help``)."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


def _never(what: str) -> Callable[..., object]:
    def started(*_args: object, **_kwargs: object) -> object:
        pytest.fail(f"{what} started: the command was to be refused before it")
    return started


@pytest.fixture
def here(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Ofcrm:
    """``ofcrm(*argv, cwd=...)`` run in this process, through ``cli.main``'s own error
    handling, with no usable keyring (as ``ofcrm`` has). A command that runs until
    stopped (a worker, the simulator, the demo) fails the test if it gets as far as
    starting: only a refusal is run here, and one let through must not start here."""
    monkeypatch.setattr(worker_cmd, "BackgroundJobs", _never("a worker"))
    monkeypatch.setattr(simulate_cmd, "run", _never("the simulator"))
    monkeypatch.setattr(demo_cmd, "demo_account", _never("the demo"))

    def ofcrm_here(*argv: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        keyring.set_keyring(NoKeyring())  # the process's PYTHON_KEYRING_BACKEND
        try:
            code, out, err = run(capsys, *argv)
        except SystemExit as exc:
            code, said = _exit_status(exc.code)
            out, err = capsys.readouterr()
            err += said
        return subprocess.CompletedProcess(["ofcrm", *argv], code, out, err)

    return ofcrm_here


def assert_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert_one_line_error(result.returncode, result.stderr, *fragments)


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path, here: Ofcrm) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 10)
    result = here("--db", f"sqlite:///{junk}", "queue")
    assert_error_line(result, "not a database", str(junk))


def test_a_read_only_database_is_a_one_line_error(tmp_path: Path, here: Ofcrm) -> None:
    (tmp_path / "ro.db").touch()
    result = here("--db", f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true", "account", "list")
    assert_error_line(result, "readonly database")
    result = here("--db", f"sqlite:///file:{tmp_path / 'absent.db'}?mode=ro&uri=true", "queue")
    assert_error_line(result, "unable to open database file")


def test_a_database_folder_that_cannot_be_made_is_a_one_line_error(here: Ofcrm) -> None:
    paths.data_dir().mkdir(parents=True)
    (paths.data_dir() / "a-file").write_text("x")
    result = here("--db", f"sqlite:///{paths.data_dir() / 'a-file' / 'x.db'}", "db", "upgrade")
    assert_error_line(result, "cannot create", "a-file")


def test_a_typo_in_a_sqlite_path_creates_no_folders_outside_the_data_dir(
    tmp_path: Path, here: Ofcrm
) -> None:
    typo = tmp_path / "Documnets" / "crm" / "ofcrm.db"
    result = here("--db", f"sqlite:///{typo}", "db", "upgrade")
    assert_error_line(result, f"no folder {typo.parent}", "create it first")
    assert not (tmp_path / "Documnets").exists()
    inside = paths.data_dir() / "agency" / "crm.db"
    result = here("--db", f"sqlite:///{inside}", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert inside.exists()


def test_an_unwritable_log_dir_logs_to_stderr_after_one_warning(tmp_path: Path) -> None:
    """A process: the logging a fresh one sets up (and nothing else printing)."""
    state = tmp_path / "state-is-a-file"
    state.write_text("")
    result = ofcrm("--db", f"sqlite:///{tmp_path / 'x.db'}", "failed", "list", XDG_STATE_HOME=str(state))
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("ofcrm: warning: cannot write logs in ") and "logging to stderr" in lines[0]
    assert lines[1:] == [f"ofcrm: error: {NO_DATABASE.format(tmp_path / 'x.db')}"]
    assert result.returncode == 1


@pytest.mark.parametrize(
    "argv",
    [("failed", "retry"), ("failed", "list", "--account", "ghost"), ("queue", "--account", "ghost")],
)
def test_an_error_is_printed_once(argv: tuple[str, ...], tmp_path: Path) -> None:
    """Processes: in the test process pytest's handlers on the root logger would take a
    record that a fresh process's last-resort handler prints to stderr a second time
    (an error before logging is set up, and after)."""
    result = ofcrm("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert_error_line(result)


def test_an_error_is_printed_once_by_python_m(tmp_path: Path) -> None:
    # Run as ``python -m``, the module is "__main__": its log records must still stay
    # out of Python's last-resort handler.
    result = subprocess.run(
        [sys.executable, "-m", "ofcrm_tui.cli.main", "--db", f"sqlite:///{tmp_path / 'x.db'}", "queue"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert_error_line(result, "no database yet")


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


@pytest.mark.parametrize("argv", [("failed", "retry"), ("failed", "retry", "3", "--all")])
def test_failed_retry_without_ids_or_with_both_is_a_usage_error(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """Neither ids nor --all (or both) is a usage error like every other of ``failed
    retry``'s (a bad id): one line, exit 2, before any database is opened."""
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert result.returncode == 2
    assert_error_line(result, "give message ids or --all (not both)")
    assert not (tmp_path / "x.db").exists()


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


NO_DATABASE = ("no database yet at {}: `ofcrm account add NAME --base-url URL` starts one "
               "(`ofcrm demo` tries the app on a demo database of its own)")


@pytest.mark.parametrize(
    "argv",
    [
        ("fans", "show", "lena"), ("fans", "list"), ("fans", "edit", "lena", "--tag", "vip"),
        ("fans", "delete", "lena", "--yes"), ("export", "fans", "out.csv"),
        ("export", "analytics", "out.csv"), ("failed", "list"), ("queue",), ("account", "list"),
        ("campaign", "list"), ("sync",), ("send", "--fan", "lena", "--text", "hi"),
    ],
)
def test_a_command_that_reads_or_edits_makes_no_database(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """Run before there is a database, it says where it looked and how to start one,
    and leaves no empty database behind."""
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


@pytest.mark.parametrize("argv", [("fans", "list"), ("account", "list"), ("queue",)])
def test_a_command_that_reads_builds_no_schema_in_an_empty_file(
    argv: tuple[str, ...], tmp_path: Path, here: Ofcrm
) -> None:
    """A file with none of our tables (an empty database another tool made) is no
    database yet to a command that only reads or edits: it says so and builds nothing."""
    import sqlite3

    empty = tmp_path / "x.db"
    sqlite3.connect(empty).close()
    url = f"sqlite:///{empty}"
    result = here("--db", url, *argv)
    assert result.returncode == 1
    assert result.stderr == f"ofcrm: error: {NO_DATABASE.format(url)}\n"
    with sqlite3.connect(empty) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    health = here("--db", url, "health")
    assert health.returncode == 5
    assert health.stdout.splitlines()[-1] == f"PROBLEM: {NO_DATABASE.format(url)}"


def test_the_commands_that_start_a_database_still_make_it(tmp_path: Path, here: Ofcrm) -> None:
    (tmp_path / "fans.csv").write_text("username\nann\n")
    missing = tmp_path / "x.db"
    result = here("--db", f"sqlite:///{missing}", "import", "fans", str(tmp_path / "fans.csv"))
    assert_error_line(result, "no accounts yet")
    assert missing.exists()


def test_help_names_every_account_action_and_the_simulator_token(here: Ofcrm) -> None:
    top = here("--help").stdout
    account_line = next(line for line in top.splitlines() if line.strip().startswith("account"))
    for action in ("add", "list", "token", "remove"):
        assert action in account_line
    assert "default: sim-token" in " ".join(here("simulate", "--help").stdout.split())


@pytest.fixture
def mia(simulator, capsys, monkeypatch):  # noqa: ANN001, ANN201
    """A synced account ``mia`` on the simulator, its token in OFCRM_TOKEN_MIA."""
    sim, base_url = simulator
    monkeypatch.setenv("OFCRM_TOKEN_MIA", sim.config.token)
    assert run(capsys, "account", "add", "mia", "--base-url", base_url)[0] == 0
    assert run(capsys, "sync")[0] == 0
    return sim


def test_global_account_is_not_overwritten_by_the_command(mia, capsys) -> None:  # noqa: ANN001
    for argv in (("send", "--fan", "x", "--text", "y"), ("failed", "list"), ("sync",), ("queue",)):
        code, _, err = run(capsys, "--account", "ghost", *argv)
        assert_one_line_error(code, err, "no account named 'ghost'")
    code, out, err = run(capsys, "--account", "mia", "failed", "list")
    assert code == 0 and out.startswith("mia: no failed messages"), err


def test_a_worker_for_a_missing_global_account_refuses_to_start(mia, here: Ofcrm) -> None:  # noqa: ANN001
    result = here("--account", "ghost", "worker")
    assert_error_line(result, "no account named 'ghost'")


def _active_fan() -> str:
    """The username of a fan the platform still delivers to."""
    from sqlalchemy import select

    from ofcrm_tui.context import AppContext
    from ofcrm_tui.store.models import Fan

    context = AppContext.load()
    try:
        with context.db.read() as session:
            return session.scalars(
                select(Fan.username).where(Fan.subscription_status == "active").order_by(Fan.id)
            ).first()
    finally:
        context.close()


def test_send_wait_that_times_out_with_no_worker_says_so(mia, capsys) -> None:  # noqa: ANN001
    fan = _active_fan()
    code, out, err = run(capsys, "send", "--fan", str(fan), "--text", "hi", "--wait", "0.3")
    assert code == 2 and out.splitlines()[-1].endswith(" queued"), err
    assert "is `ofcrm worker` or the app running for mia?" in err


def test_a_huge_price_is_a_one_line_error(mia, capsys) -> None:  # noqa: ANN001
    fan = _active_fan()
    code, _, err = run(
        capsys, "send", "--fan", str(fan), "--text", "hi", "--price", "1" * 30, "--media", "1"
    )
    assert_one_line_error(code, err, "bad price")


@pytest.mark.parametrize(
    "argv",
    [
        ("fans", "list", "--min-spent", "lots"),
        ("export", "fans", "out.csv", "--max-spent", "1.999"),
        ("campaign", "create", "--name", "n", "--text", "t", "--min-spent", "-5", "--yes"),
    ],
)
def test_every_money_option_gives_the_same_one_line_error(
    mia, capsys, argv: tuple[str, ...]  # noqa: ANN001
) -> None:
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, "spend")
    assert "give dollars, e.g. 25 or 9.99" in err
    assert code == 2  # a bad value, as every option's


def test_a_price_that_is_no_amount_is_a_bad_value(mia, capsys) -> None:  # noqa: ANN001
    """``send --price abc`` exited 1 where the fan filter's ``--min-spent lots`` exits 2."""
    code, _, err = run(capsys, "send", "--fan", "x", "--text", "t", "--price", "abc")
    assert_one_line_error(code, err, "bad price 'abc': give dollars, e.g. 25 or 9.99")
    assert code == 2


def test_account_list_names_the_variable_and_says_when_no_token_is_reachable(
    mia, capsys, monkeypatch  # noqa: ANN001
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    code, out, _ = run(capsys, "account", "list")
    assert code == 0 and "token: env OFCRM_TOKEN_MIA" in out
    monkeypatch.delenv("OFCRM_TOKEN_MIA")
    code, out, _ = run(capsys, "account", "list")
    assert "token: NONE REACHABLE (no keyring entry, OFCRM_TOKEN_MIA not set)" in out
    keyring.set_keyring(NoKeyring())
    code, out, _ = run(capsys, "account", "list")
    assert "token: NONE REACHABLE (no usable OS keyring" in out and "OFCRM_TOKEN_MIA" in out


def test_names_sharing_a_token_variable_are_refused(simulator, capsys, monkeypatch) -> None:  # noqa: ANN001
    sim, base_url = simulator
    monkeypatch.setenv("OFCRM_TOKEN_MIA_X", sim.config.token)
    assert run(capsys, "account", "add", "mia.x", "--base-url", base_url)[0] == 0
    for name in ("mia-x", "MIA_X", "mia.X"):
        code, _, err = run(capsys, "account", "add", name, "--base-url", base_url)
        assert_one_line_error(code, err, "'mia.x' already reads its token from OFCRM_TOKEN_MIA_X")
    code, out, _ = run(capsys, "account", "list")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["mia.x"]


def test_no_command_gives_account_a_default_of_its_own() -> None:
    """A command's ``--account`` must not overwrite ``ofcrm --account NAME`` with None."""
    import argparse

    from tests.cli.test_cli import _all_commands

    from ofcrm_tui.cli.main import build_parser

    def parser_for(path: tuple[str, ...]) -> argparse.ArgumentParser:
        parser = build_parser()
        for name in path:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
            parser = sub.choices[name]
        return parser

    checked = 0
    for path in _all_commands():
        if not path:
            continue
        for action in parser_for(path)._actions:  # noqa: SLF001
            if action.dest == "account":
                checked += 1
                assert action.default is argparse.SUPPRESS, " ".join(path)
    assert checked >= 8



_FLOOD = """
import argparse, sys
from ofcrm_tui.cli import main
flood = argparse.Namespace(handler=lambda args: [print("x" * 99) for _ in range(100_000)])
main.parse = lambda argv: flood
sys.exit(main.main(["fans", "list"]))
"""


def test_a_reader_that_leaves_early_ends_the_command_quietly() -> None:
    """``ofcrm fans list | head``: no "error: Broken pipe", no traceback at exit; the
    status of a writer whose reader left (128 + SIGPIPE)."""
    script = f"{sys.executable} -c '{_FLOOD}' | head -c 1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    ran = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert ran.stderr == "" and ran.stdout.strip() == "141", ran


def test_a_keyring_backend_that_does_not_load_is_never_a_traceback(
    tmp_path: Path, here: Ofcrm
) -> None:
    """``PYTHON_KEYRING_BACKEND=nope.Nope``: health says the key is not here (exit 2),
    the account list says why none is reachable, and an account is removed all the same
    (its token, if any, could not be forgotten: said in the line). Processes: the
    backend is read from the environment when keyring is first imported."""
    db = f"sqlite:///{tmp_path / 'x.db'}"
    made = here("--db", db, "generate", "--account", "a", "--fans", "3", "--messages", "3")
    assert made.returncode == 0, made.stderr
    bad = {"PYTHON_KEYRING_BACKEND": "nope.Nope"}
    said = "PYTHON_KEYRING_BACKEND='nope.Nope' does not load: No module named 'nope'"
    health = ofcrm("--db", db, "health", **bad)
    assert (health.returncode, health.stderr) == (2, "")
    assert "PROBLEM: a: no key for a on this machine" in health.stdout
    listed = ofcrm("--db", db, "account", "list", **bad)
    assert (listed.returncode, listed.stderr) == (0, "") and said in listed.stdout
    removed = ofcrm("--db", db, "account", "remove", "a", "--yes", **bad)
    assert (removed.returncode, removed.stderr) == (0, "")
    assert removed.stdout == (f"removed a (no usable OS keyring ({said}; fix or unset it): "
                              "a token kept there for a is not forgotten)\n")


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
