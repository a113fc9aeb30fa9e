"""The command line's errors: one line, printed once, no tracebacks, for a database that
cannot be opened or made, logs that cannot be written, a reader that leaves early and
a keyring backend that does not load."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ofcrm_tui import paths
from tests.cli import ofcrm_run
from tests.cli.ofcrm_run import NO_DATABASE, Ofcrm, assert_error_line, ofcrm

here = ofcrm_run.here


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



DEMO_LINE = ("PROBLEM: demo: the demo's account has a key only inside `ofcrm demo`: run it "
             "(its Monitoring screen, 6, checks it)\n")
NO_KEY_LINE = ("PROBLEM: demo: no key for demo on this machine: `ofcrm account token demo` or "
               "set OFCRM_TOKEN_DEMO\n")


@pytest.mark.parametrize(("accounts", "lock", "line"), [
    (["demo"], True, DEMO_LINE),  # as `ofcrm demo` leaves its database (tests/cli/test_demo.py)
    (["demo"], False, NO_KEY_LINE),  # an account named demo, not the demo's database
    (["demo", "mia"], True, NO_KEY_LINE),  # another account beside it: not the demo's
])
def test_health_on_the_demos_database_says_to_run_the_demo(
    accounts: list[str], lock: bool, line: str, tmp_path: Path, here: Ofcrm
) -> None:
    """Run outside ``ofcrm demo`` on its database, health said "no key for demo" and to
    store a token for it, which only the running demo's simulator would take."""
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    for name in accounts:
        made = here("--db", db, "generate", "--account", name, "--fans", "3", "--messages", "3")
        assert made.returncode == 0, made.stderr
    if lock:
        (tmp_path / "demo.db.lock").touch()
    health = here("--db", db, "health")
    assert health.returncode == 2, health.stdout
    other = NO_KEY_LINE if line == DEMO_LINE else DEMO_LINE
    assert line in health.stdout and other not in health.stdout, health.stdout
