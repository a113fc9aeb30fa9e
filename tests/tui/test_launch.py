"""Leaving the app: the line said as its screen goes, while the jobs stop, and a quick
end to the process once everything is recorded and closed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.launch import STOPPING, run_app
from tests.tui.conftest import World


def test_stopping_is_said_before_the_jobs_stop(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: a quit with a campaign running left the terminal on the start-up lines
    ("demo: simulator …", "syncing: …") for seconds, as if nothing happened."""
    said: list[str] = []
    monkeypatch.setattr(OfcrmApp, "run", lambda app: None)
    stop = BackgroundJobs.shutdown

    def shutdown(jobs: BackgroundJobs, wait: bool = True) -> None:
        said.append(capsys.readouterr().err)  # what the terminal shows as they stop
        stop(jobs, wait=wait)

    monkeypatch.setattr(BackgroundJobs, "shutdown", shutdown)
    assert run_app(world.context, None) == 0
    assert said == [STOPPING + "\n"]
    run_app(world.context, None, start_jobs=False)  # no jobs: nothing to wait for
    assert capsys.readouterr().err == "" and len(said) == 1


def test_the_process_ends_without_the_collector_walking_the_app() -> None:
    """The interpreter's teardown ran the cyclic collector over everything the app made:
    3 to 4 s of a quit here (15 under load) after the app was gone. At exit, it is frozen
    out of it (this hook, registered before launch is imported, runs after its own)."""
    code = ("import atexit, gc; atexit.register(lambda: print(gc.get_freeze_count() > 0)); "
            "import ofcrm_tui.tui.launch")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True"
