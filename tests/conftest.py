"""Shared fixtures: an isolated home for every test, and clean databases."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import textual._wait
from textual.css.model import RuleSet
from textual.css.stylesheet import CSSLocation, Stylesheet
from hypothesis import HealthCheck, settings

from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.tui import app as tui_app
from ofcrm_tui.store.database import Database
from tests.support.databases import (
    NO_POSTGRES,
    postgres_schema,
    postgres_template,
    postgres_url,
    sqlite_url,
)
from tests.support.memory_keyring import MemoryKeyring

# Tests assert no wall-clock times, and property tests are no exception: on a loaded
# machine (CI runs three test processes per CPU) a slow example is not a failure.
settings.register_profile(
    "ofcrm", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ofcrm")

# Pilot's ``press`` and ``pause`` wait for the process to look idle: sleeps of 20 ms until
# one passes with under 1 ms of CPU. The tests wait for what they need themselves
# (``tests/tui/pilot.settle``: the workers, then the screen's messages), so windows of
# 5 ms at the same share of CPU tell idle as well, and a test file run alone takes a
# third less time (the fans screen's: 71 s against 47 s; under ``-n auto`` the CPUs are
# busy either way). Textual is pinned exactly: this module and its two names are those
# of the version installed.
textual._wait.SLEEP_GRANULARITY = 0.005
textual._wait.SLEEP_IDLE = textual._wait.SLEEP_GRANULARITY / 20

# Every app a test starts parses the same CSS again (ours and every widget's): a sixth of
# its start-up's CPU. Parsed once a test process, for the same text and theme variables:
# the rules are only read once parsed (Textual's own cache hands one list to every caller).
_PARSED: dict[tuple[object, ...], list[RuleSet]] = {}
_parse_rules = Stylesheet._parse_rules


def _parse_rules_once(self: Stylesheet, css: str, read_from: CSSLocation,
                      is_default_rules: bool = False, tie_breaker: int = 0,
                      scope: str = "") -> list[RuleSet]:
    key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(self._variables.items()))
    if key not in _PARSED:
        _PARSED[key] = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    return _PARSED[key]


Stylesheet._parse_rules = _parse_rules_once  # type: ignore[method-assign]


# The cyclic collector, left at its defaults, took a sixth of a pilot test's CPU: a young
# collection every 700 allocations, and about one full collection a test, each walking the
# whole heap (the collected tests' items too: 250k objects). The app freezes its heap while
# it runs and thaws it on unmount (``OfcrmApp.on_unmount``); the thawed objects are not
# counted towards the next full collection, so with rarer young collections none came at
# all and a test process grew ~6 MB a test. So: young collections ~14 times rarer, and a
# full one after every ``COLLECT_EVERY`` tests, which frees what their apps left.
gc.set_threshold(10_000, 10, 10)
COLLECT_EVERY = 8
_tests_run = 0


class _HeapLeftAlone:
    """The ``gc`` an app sees in the tests: its freeze once the first screen is up and its
    thaw as it goes (``OfcrmApp.on_ready`` / ``on_unmount``) do nothing. The thaw took
    back everything frozen, the session's frozen heap too (``pytest_collection_finish``),
    so each full collection walked the collected tests again: 7% of an app test's CPU.
    The app's own freeze is tested with the real ``gc`` (``heap_frozen_by_the_app``)."""

    @staticmethod
    def freeze() -> None:
        pass

    @staticmethod
    def unfreeze() -> None:
        pass


tui_app.gc = _HeapLeftAlone  # type: ignore[assignment]


def _freeze_the_session() -> None:
    """What lives as long as the test process (the modules, the collected tests) left out
    of every later collection: a full one walks only what the tests made since."""
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    _freeze_the_session()


@pytest.fixture
def heap_frozen_by_the_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app with the real ``gc`` (and nothing frozen before it starts); the session's
    heap is frozen again afterwards."""
    gc.unfreeze()
    monkeypatch.setattr(tui_app, "gc", gc)
    yield
    monkeypatch.undo()
    _freeze_the_session()


@pytest.fixture(autouse=True)
def garbage_collected_now_and_then() -> Iterator[None]:
    global _tests_run
    yield
    _tests_run += 1
    if _tests_run % COLLECT_EVERY == 0:
        gc.collect()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: three test processes per CPU (at most 16). A test spends most of its
    time waiting (Textual's pauses, the jobs' intervals, child processes, PostgreSQL):
    with one process per CPU the CPUs sat idle half the run (2 cores: 8.0 minutes,
    46% busy; with four processes 5.7 minutes). The suite grew: with four processes it took
    11.1 minutes on an idle 2-core box using 1.5 of its 2 CPUs; with six, 10.1."""
    return min(3 * (os.cpu_count() or 1), 16)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` first, in their usual order, then the rest: under pytest-xdist
    the short ones fill in at the end, so no worker is left alone with a long one."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, data, state and keyring of a fresh user, with no OFCRM_* leaking in."""
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in list(os.environ):
        if name.startswith("OFCRM_") and name != "OFCRM_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    return home


@pytest.fixture(autouse=True)
def package_logging_restored() -> Iterator[None]:
    """Each test finds the package's logging as the one before it did. A command or app
    run in the test process sets it up for itself (``setup_logging``: handlers on this
    test's log folder or captured stderr, a level, no propagation, so caplog misses the
    records); ``cli.main`` adds a NullHandler each run. Left set up, the next test logs
    to a folder and stream not its own. The handlers the test added are closed."""
    logger = logging.getLogger("ofcrm_tui")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind, PostgreSQL in a schema of its own per test: empty, or
    at the current schema revision (a copy of a template) when the test uses ``db``."""
    migrated = "db" in request.fixturenames
    if request.param == "sqlite":
        yield sqlite_url(tmp_path, migrated=migrated)
        return
    base = postgres_url()
    if base is None:
        pytest.skip(NO_POSTGRES)
    template = postgres_template(base, request.getfixturevalue("run_directory")) if migrated else None
    with postgres_schema(base, template=template) as url:
        yield url


@pytest.fixture(scope="session")
def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory this test run's processes share: under pytest-xdist, the parent of
    each worker's own temporary directory."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A database at the current schema, on SQLite and (when configured) PostgreSQL."""
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def simulator() -> Iterator[tuple[Simulator, str]]:
    """A 40-fan simulator served on loopback: (simulator, base URL)."""
    sim = Simulator(SimulatorConfig(fans=40, seed=7, token="sim-token-123"))
    with sim.serve() as base_url:
        yield sim, base_url
