"""Every benchmark in one run: one table of figures against floors and targets.

Finds the modules ``bench/bench_*.py`` that define ``bench(options)`` (see
``harness.py``), builds what their ``prepare`` caches (once, under ``bench/.data/``),
runs each, prints one table with the target beside each figure and a pass / miss mark,
and writes ``bench/results.json``. What each benchmark prints goes to
``bench/.data/logs/<name>.log``.

Usage::

    python bench/run.py                          # everything, SQLite (under 10 minutes)
    python bench/run.py --postgres postgresql://postgres@127.0.0.1/bench   # + PostgreSQL
    python bench/run.py --long                   # + the 5-minute sender run, 1M-row import
    python bench/run.py --only inbox,fans_io     # some of them (--list names them)

Exit status: 1 when a benchmark failed to run, else 0 (a missed target is a row of the
table, not a failure of the run).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import BENCH_DIR, DATA_DIR, Options, Result, compile_sources, summary, table  # noqa: E402

PREFIX = "bench_"
DEFAULT_ORDER = 1000


@dataclass(frozen=True)
class Bench:
    """A discovered benchmark module."""

    name: str  # the module's name without ``bench_``
    module: ModuleType

    @property
    def title(self) -> str:
        """The first line of the module's docstring."""
        return ((self.module.__doc__ or "").strip().splitlines() or [""])[0]

    @property
    def order(self) -> tuple[int, str]:
        return getattr(self.module, "ORDER", DEFAULT_ORDER), self.name

    def prepare(self, options: Options) -> None:
        prepare = getattr(self.module, "prepare", None)
        if prepare is not None:
            prepare(options)

    def run(self, options: Options) -> list[Result]:
        rows = self.module.bench(options)
        return [replace(row, bench=self.name) for row in rows]


@dataclass(frozen=True)
class Found:
    benches: list[Bench]
    standalone: list[str]  # bench_*.py without ``bench()``: run them by hand
    broken: dict[str, str]  # modules that failed to import: the error


def discover(directory: Path) -> Found:
    """Import every ``bench_*.py`` in ``directory`` (put first on ``sys.path``, so the
    modules import each other by name) and sort the ones that define ``bench``."""
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    benches, standalone, broken = [], [], {}
    for path in sorted(directory.glob(f"{PREFIX}*.py")):
        name = path.stem.removeprefix(PREFIX)
        try:
            module = importlib.import_module(path.stem)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - reported as a failed row
            broken[name] = describe(error)
            continue
        if callable(getattr(module, "bench", None)):
            benches.append(Bench(name, module))
        else:
            standalone.append(name)
    return Found(sorted(benches, key=lambda b: b.order), standalone, broken)


def select_benches(benches: list[Bench], only: Iterable[str], skip: Iterable[str]) -> list[Bench]:
    only, skip = set(only), set(skip)
    unknown = (only | skip) - {b.name for b in benches}
    if unknown:
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))} (see --list)")
    return [b for b in benches if (not only or b.name in only) and b.name not in skip]


def failed_row(name: str, error: str) -> Result:
    return Result(name, None, "", bench=name, error=error)


def describe(error: BaseException, limit: int = 300) -> str:
    """One line for the table (the traceback goes to the log)."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Timed:
    name: str
    seconds: float
    error: str = ""


def run_benches(
    benches: list[Bench], options: Options, logs: Path, say: Callable[[str], None]
) -> tuple[list[Result], list[Timed], list[Timed]]:
    """Prepare all, then run each with its output in ``logs/<name>.log``; a benchmark
    that raises gives one ERROR row and the run goes on."""
    logs.mkdir(parents=True, exist_ok=True)
    prepared: list[Timed] = []
    failed: dict[str, str] = {}
    for bench in benches:
        started = time.perf_counter()
        try:
            bench.prepare(options)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - an ERROR row, the run goes on
            failed[bench.name] = f"preparing: {describe(error)}"
            traceback.print_exc()
        seconds = time.perf_counter() - started
        if seconds > 1:
            say(f"prepared {bench.name} in {seconds:.0f} s")
        prepared.append(Timed(bench.name, seconds, failed.get(bench.name, "")))
    rows: list[Result] = []
    ran: list[Timed] = []
    for bench in benches:
        if bench.name in failed:
            rows.append(failed_row(bench.name, failed[bench.name]))
            continue
        say(f"running {bench.name} ...")
        log = logs / f"{bench.name}.log"
        started = time.perf_counter()
        error = ""
        with log.open("w") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                got = bench.run(options)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - an ERROR row, the run goes on
                traceback.print_exc(file=out)
                error = f"{describe(exc)} (see {log})"
                got = [failed_row(bench.name, error)]
        seconds = time.perf_counter() - started
        rows += got
        ran.append(Timed(bench.name, seconds, error))
        say(f"  {bench.name}: {len(got)} rows in {seconds:.0f} s" + (" FAILED" if error else ""))
    return rows, prepared, ran


def machine(options: Options) -> dict[str, Any]:
    """Where the figures came from."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info: dict[str, Any] = {
        "host": platform.node(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    if options.postgres:
        with contextlib.suppress(Exception):
            from sqlalchemy import create_engine, text

            engine = create_engine(options.postgres.replace("postgresql://", "postgresql+psycopg://", 1))
            with engine.connect() as connection:
                info["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
            engine.dispose()
    return info


def write_json(path: Path, rows: list[Result], report: dict[str, Any]) -> None:
    path.write_text(json.dumps(report | {"results": [row.to_json() for row in rows]},
                               indent=2, default=str) + "\n")


def main(argv: list[str] | None = None, directory: Path = BENCH_DIR) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also run the PostgreSQL variants on this database")
    parser.add_argument("--long", action="store_true", help="also the long variants (minutes more)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names to leave out")
    parser.add_argument("--runs", type=int, help="repetitions per figure instead of each benchmark's own")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results.json", help="where to write the results")
    parser.add_argument("--logs", type=Path, default=DATA_DIR / "logs", help="where each benchmark's output goes")
    parser.add_argument("--list", action="store_true", help="name the benchmarks found and stop")
    args = parser.parse_args(argv)

    found = discover(directory)
    if args.list:
        for bench in found.benches:
            print(f"{bench.name:<20} {bench.title}")
        for name in found.standalone:
            print(f"{name:<20} (standalone: run bench/{PREFIX}{name}.py itself)")
        for name, error in found.broken.items():
            print(f"{name:<20} does not import: {error}")
        return 0
    names = [n for n in args.only.split(",") if n]
    benches = select_benches(found.benches, names, [n for n in args.skip.split(",") if n])

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    compile_sources()  # processes timed load ofcrm's byte code, as an installed copy does
    started = datetime.now(UTC)
    clock = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ofcrm-bench-") as scratch:
        options = Options(postgres=args.postgres, long=args.long, runs=args.runs,
                          data_dir=DATA_DIR, scratch=Path(scratch))
        rows, prepared, ran = run_benches(benches, options, args.logs, say)
    broken = [failed_row(name, f"does not import: {error}")
              for name, error in found.broken.items() if not names or name in names]
    rows = broken + rows
    seconds = time.perf_counter() - clock
    print(table(rows))
    counts = summary(rows)
    print(f"\n{len(rows)} rows: {counts['pass']} pass, {counts['MISS']} miss, "
          f"{counts['-']} without target, {counts['skip']} skipped, {counts['ERROR']} errors; "
          f"{seconds / 60:.1f} min ({sum(p.seconds for p in prepared):.0f} s preparing data); "
          f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    report = {
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "options": {"postgres": bool(args.postgres), "long": args.long, "runs": args.runs,
                    "only": names},
        "machine": machine(options),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "prepared": [vars(p) for p in prepared],
        "benches": [vars(r) for r in ran],
        "standalone": found.standalone,
    }
    write_json(args.json, rows, report)
    print(f"wrote {args.json}")
    return 1 if counts["ERROR"] else 0


if __name__ == "__main__":
    sys.exit(main())
