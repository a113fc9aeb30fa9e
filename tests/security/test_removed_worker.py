"""A worker taken off the team while it runs: the database refuses it at its next
query; it logs that once, in one line, and stops (the command exits non-zero, saying
why), rather than log the refusal's traceback at every run."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import access
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.store.enums import TeamKind
from tests.security.conftest import Team


def test_a_removed_worker_says_so_once_and_stops(
    any_team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    team = any_team
    monkeypatch.setenv("OFCRM_TEAM_GROUP_PREFIX", team.groups.chatter.removesuffix("_chatter"))
    monkeypatch.setenv("OFCRM_POLL_INTERVAL_SECONDS", "1")
    monkeypatch.setenv("OFCRM_DRAIN_INTERVAL_SECONDS", "0.5")
    role = team.worker("wes")
    serving, returned, interrupted = threading.Event(), threading.Event(), threading.Event()
    start = BackgroundJobs.start

    def started(jobs: BackgroundJobs) -> None:
        start(jobs)
        serving.set()

    monkeypatch.setattr(BackgroundJobs, "start", started)

    def remove() -> None:
        # Once its jobs run (not while it starts: a loaded machine took over a second),
        # and a few runs served.
        serving.wait(60)
        time.sleep(1.0)
        access.remove_member(team.owner, role, TeamKind.WORKER, team.groups)
        if not returned.wait(30):  # still running: stopped as a person would, with Ctrl+C
            interrupted.set()
            os.kill(os.getpid(), signal.SIGINT)

    remover = threading.Thread(target=remove)
    remover.start()
    try:
        # No platform key here: the worker lists the accounts at each run, serving none.
        # -v: its log on stderr too.
        code = main(["--db", team.url_of(role), "-v", "worker"])
    finally:
        returned.set()
        remover.join()
    assert code == 1 and not interrupted.is_set()  # it stopped by itself
    err = capsys.readouterr().err.splitlines()
    # Refused a table (or, not in public, its schema) on an open connection, or (a
    # connection opened since) the login.
    refused = (rf"permission denied for (table|schema) \w+|"
               rf"role \"{role}\" is not permitted to log in")
    why = re.fullmatch(rf"ofcrm: error: worker stopped: ({role} is no longer on the team "
                       rf"\(refused by the database: ({refused})\); ask a manager: "
                       r"ofcrm team list)", err[-1])
    assert why is not None, err
    logged = [line for line in err if line.startswith(("ERROR", "WARNING"))]
    assert logged == [f"ERROR ofcrm_tui.jobs.scheduler: {why.group(1)}; the jobs stop"], err
    assert not any("Traceback" in line for line in err)
