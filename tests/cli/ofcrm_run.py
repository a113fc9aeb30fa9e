"""``ofcrm`` run for its errors: in a process of its own, or in the test process through
``cli.main``'s own error handling (the ``here`` fixture), and the one line it prints.

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

from ofcrm_tui.cli import demo_cmd, simulate_cmd, worker_cmd
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


NO_DATABASE = ("no database yet at {}: `ofcrm account add NAME --base-url URL` starts one "
               "(`ofcrm demo` tries the app on a demo database of its own)")
