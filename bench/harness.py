"""What a benchmark hands the runner (``bench/run.py``): rows of figures, each beside the
floor measured in the same run and the target it must meet.

A module ``bench/bench_<name>.py`` takes part by defining::

    def bench(options: Options) -> list[Result]: ...   # required: measure, return rows
    def prepare(options: Options) -> None: ...         # optional: build cached data first
    ORDER = 50                                         # optional: its place in the table

``prepare`` runs for every selected benchmark before any is timed (datasets are built
once and cached under ``options.data_dir``). A benchmark that cannot run with the given
options (e.g. one needing PostgreSQL without ``--postgres``) returns ``skipped(...)``
rows. What a benchmark prints goes to its log file, not to the table.
"""

from __future__ import annotations

import compileall
import gc
import math
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"


@dataclass(frozen=True)
class Options:
    """What the runner was asked for; every benchmark gets the same."""

    postgres: str | None = None  # also run the PostgreSQL variants on this database
    long: bool = False  # also the long variants (the 5-minute sender run, 1M-row import)
    runs: int | None = None  # repetitions per figure instead of each benchmark's default
    data_dir: Path = DATA_DIR  # cached datasets
    # This run's throw-away files (the runner gives a folder it removes afterwards).
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ofcrm-bench-")))

    def repeat(self, default: int) -> int:
        return self.runs if self.runs is not None else default


@dataclass(frozen=True)
class Target:
    """Bounds on the figure (in its unit) and on its ratio to the floor; ``None`` is no bound."""

    max: float | None = None
    min: float | None = None
    ratio_max: float | None = None
    ratio_min: float | None = None

    def met(self, figure: float | None, ratio: float | None) -> bool | None:
        """True / False when something could be judged; None when there is no bound, or
        the figure (or the ratio a bound needs) was not measured."""
        checks = []
        if figure is not None:
            checks += [figure <= self.max] if self.max is not None else []
            checks += [figure >= self.min] if self.min is not None else []
        if ratio is not None:
            checks += [ratio <= self.ratio_max] if self.ratio_max is not None else []
            checks += [ratio >= self.ratio_min] if self.ratio_min is not None else []
        return all(checks) if checks else None

    def describe(self, unit: str) -> str:
        parts = []
        if self.max is not None:
            parts.append(f"≤ {self.max:,g}{_spaced(unit)}")
        if self.min is not None:
            parts.append(f"≥ {self.min:,g}{_spaced(unit)}")
        if self.ratio_max is not None:
            parts.append(f"≤ {self.ratio_max:g}x")
        if self.ratio_min is not None:
            parts.append(f"≥ {self.ratio_min:g}x")
        return ", ".join(parts)


NO_TARGET = Target()


@dataclass(frozen=True)
class Result:
    """One row of the table: ``figure`` in ``unit`` against ``floor`` (same unit)."""

    name: str
    figure: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""  # what the floor is: "100 fans", "sqlite3 .import", "plain SQL"
    target: Target = NO_TARGET
    note: str = ""  # why a miss is a miss, or what the figure leaves out
    backend: str = "sqlite"
    bench: str = ""  # set by the runner: the module's name without ``bench_``
    error: str = ""  # set by the runner when the benchmark failed

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.floor:
            return None
        return self.figure / self.floor

    @property
    def passed(self) -> bool | None:
        return self.target.met(self.figure, self.ratio)

    @property
    def mark(self) -> str:
        if self.error:
            return "ERROR"
        if self.figure is None:
            return "skip"
        return {True: "pass", False: "MISS", None: "-"}[self.passed]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = {k: v for k, v in data["target"].items() if v is not None}
        data |= {"target_text": self.target.describe(self.unit), "ratio": self.ratio,
                 "passed": self.passed, "mark": self.mark}
        return data


def skipped(name: str, reason: str, *, backend: str = "sqlite") -> Result:
    """A row for a figure not measured in this run, saying why."""
    return Result(name, None, "", note=reason, backend=backend)


def per_backend(
    options: Options, what: str, measure: Callable[[str, str | None], list[Result]]
) -> list[Result]:
    """``measure(backend, postgres_url)`` on SQLite (URL None), then on PostgreSQL with
    ``--postgres``, else one row saying ``what`` was not measured there."""
    rows = measure("sqlite", None)
    if options.postgres:
        rows += measure("postgresql", options.postgres)
    else:
        rows.append(skipped(f"{what} on PostgreSQL", "needs --postgres URL", backend="postgresql"))
    return rows


# -- timing ----------------------------------------------------------------------------


@dataclass
class Timing:
    first_ms: float
    median_ms: float
    p90_ms: float
    result: Any = None

    def __str__(self) -> str:
        return f"{self.median_ms:7.2f} ms (p90 {self.p90_ms:6.2f}, first {self.first_ms:6.2f})"


def timed(fn: Callable[[], Any], runs: int = 15) -> Timing:
    """Time ``fn``: the first call (cold caches) and the median / p90 of ``runs`` more."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - start) * 1000
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    if not samples:
        return Timing(first, first, first, result)
    p90 = samples[max(0, math.ceil(len(samples) * 0.9) - 1)]
    return Timing(first, statistics.median(samples), p90, result)


@dataclass(frozen=True)
class Process:
    """A child process run to its end: wall and CPU seconds (user + system), peak RSS."""

    seconds: float
    cpu: float
    peak_mb: float  # 0 where /proc is not there to read it

    def line(self, label: str) -> str:
        return f"{label:<24}{self.seconds:6.2f} s  cpu {self.cpu:5.2f} s  peak {self.peak_mb:.0f} MB"


def _watch_peak(pid: int, peaks: list[int], done: threading.Event) -> None:
    """Keep the child's ``VmHWM`` (kB) while it runs: its rusage ``ru_maxrss`` is no use
    here, as a child created by fork or vfork starts from its parent's high-water mark."""
    path = Path(f"/proc/{pid}/status")
    while not done.is_set():
        try:
            status = path.read_text()
        except OSError:
            return
        peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
        done.wait(0.01)


def run_process(argv: list[str], env: dict[str, str] | None = None) -> Process:
    """Run ``argv`` (output discarded) to its end; RuntimeError with the end of its
    stderr when it exits non-zero."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peaks: list[int] = []
        done = threading.Event()
        watcher = threading.Thread(target=_watch_peak, args=(child.pid, peaks, done), daemon=True)
        watcher.start()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()  # before the pid can be reused
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if child.returncode:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-500:]
            raise RuntimeError(f"{' '.join(argv[:4])}... exited {child.returncode}: {tail}")
    return Process(seconds, usage.ru_utime + usage.ru_stime, max(peaks, default=0) / 1024)


def compile_sources(folder: Path | None = None) -> None:
    """Byte-compile ofcrm's own modules (``folder``: the package), as an installed copy
    is (pip compiles what it installs). Python reads byte code even with
    ``PYTHONDONTWRITEBYTECODE`` set (as it is on the shared box), but never writes it
    then: every process timed would compile each module of ofcrm from its source, while
    the libraries beside it load theirs."""
    if folder is None:
        import ofcrm_tui

        folder = Path(ofcrm_tui.__file__).parent
    compileall.compile_dir(folder, quiet=1)


# -- the table -------------------------------------------------------------------------


def number(value: float) -> str:
    """A figure with the digits that mean something at its size."""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _spaced(unit: str) -> str:
    return unit if unit in ("", "%", "x") else f" {unit}"


def _cells(row: Result, footnote: str) -> list[str]:
    figure = "" if row.figure is None else f"{number(row.figure)}{_spaced(row.unit)}"
    floor = ""
    if row.floor is not None:
        floor = f"{number(row.floor)}{_spaced(row.unit)}"
        floor += f" ({row.floor_name})" if row.floor_name else ""
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    return [row.bench, row.name + footnote, row.backend, figure, floor, ratio,
            row.target.describe(row.unit), row.mark]


HEADER = ["bench", "measure", "db", "figure", "floor (same run)", "ratio", "target", ""]
RIGHT = {3, 4, 5}


def table(rows: list[Result]) -> str:
    """One plain-text table of every row, its notes numbered below it (a note said by
    several rows once)."""
    notes: dict[str, int] = {}
    lines = []
    for row in rows:
        footnote = ""
        text = row.error or row.note
        if text:
            footnote = f" [{notes.setdefault(text, len(notes) + 1)}]"
        lines.append(_cells(row, footnote))
    widths = [max(len(cells[i]) for cells in [HEADER, *lines]) for i in range(len(HEADER))]

    def render(cells: list[str]) -> str:
        padded = [c.rjust(w) if i in RIGHT else c.ljust(w)
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(padded).rstrip()

    out = [render(HEADER), "  ".join("-" * w for w in widths)]
    out += [render(cells) for cells in lines]
    out += [""] + [f"[{i}] {text}" for text, i in notes.items()] if notes else []
    return "\n".join(out)


def summary(rows: list[Result]) -> dict[str, int]:
    counts = {"pass": 0, "MISS": 0, "-": 0, "skip": 0, "ERROR": 0}
    for row in rows:
        counts[row.mark] += 1
    return counts
