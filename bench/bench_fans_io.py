"""Fans CSV import and export as whole ``ofcrm`` processes (issue 11's figures).

- import: ``ofcrm import fans`` of N valid rows (default 100,000) into an SQLite
  database that holds the schema and one account and no fans, against ``sqlite3 DB
  ".import"`` of the same file into a bare table, in the same run (target ratio <= 10).
  Says so when the ``sqlite3`` command is missing (Debian: ``apt-get install sqlite3``).
- export: ``ofcrm export fans`` of those fans (target < 2 s).
- memory (``--million``): peak RSS of ``ofcrm import fans`` of 1,000,000 rows (target
  < 200 MB), read from the child's rusage (``os.wait4``).

Each process is given as wall seconds and CPU seconds (user + system, from its
rusage): on a shared, loaded machine the wall time waits for the CPU as well, so the
ratio is given on both; the start-up of ``ofcrm`` (an export of no fans) is
timed too: the part of every figure that is not the import or export itself.

Usage::

    python bench/bench_fans_io.py              # 100k import + sqlite3 + export
    python bench/bench_fans_io.py --rows 20000
    python bench/bench_fans_io.py --million    # also the 1M-row memory run (minutes)

In ``bench/run.py``: the import and export rows, the 1M-row memory with ``--long``.
The export's floor is ``sqlite3``'s own CSV dump of the fans table.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from harness import Options, Process, Result, Target, compile_sources, run_process, skipped

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account

OFCRM = str(Path(sys.executable).with_name("ofcrm"))
TAGS = ("vip", "whale", "new", "follow-up", "birthday")


def write_csv(path: Path, rows: int) -> None:
    """N valid rows in the export's own form: ids, usernames, money, dates, tags, notes."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("user_id,username,name,nickname,status,subscribed_since,last_seen,"
                  "total_spent,tips,messages,tags,notes\n")
        for i in range(1, rows + 1):
            tags = "|".join(TAGS[j] for j in range(len(TAGS)) if i % (j + 2) == 0)
            note = f'"asked about the {i % 7} set,\nlikes cats"' if i % 10 == 0 else ""
            out.write(
                f"{100_000_000 + i},fan_{i},Fan Number {i},,{'active' if i % 3 else 'expired'},"
                f"2026-0{1 + i % 9}-1{i % 10}T10:00:00Z,2026-11-0{1 + i % 9}T08:30:00Z,"
                f"{i % 500}.{i % 100:02d},{i % 50}.00,{i % 200}.50,{tags},{note}\n"
            )


def empty_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'fans.db'}"
    db = Database(url)
    migrate.upgrade(db)
    with db.write() as session:
        session.add(Account(name="bench", base_url="http://bench.invalid"))
    db.dispose()
    return url


def measure(folder: Path, rows: int, million: bool = False) -> dict[str, Process]:
    """Every process of the run in ``folder``; ``sqlite3 …`` ones are missing without
    the ``sqlite3`` command."""
    found: dict[str, Process] = {}
    source = folder / "fans.csv"
    write_csv(source, rows)
    print(f"{rows:,} rows, {source.stat().st_size / 1e6:.1f} MB")
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        print("sqlite3 command not found (apt-get install sqlite3): no baseline")
    else:
        found["sqlite3 .import"] = run_process([sqlite3, str(folder / "bare.db"), ".mode csv",
                                         f".import {source} fans"])
    (folder / "a").mkdir()
    url = empty_database(folder / "a")
    found["ofcrm start-up"] = run_process([OFCRM, "--db", url, "export", "fans", str(folder / "none.csv")])
    found["ofcrm import fans"] = run_process([OFCRM, "--db", url, "import", "fans", str(source)])
    found["ofcrm export fans"] = run_process([OFCRM, "--db", url, "export", "fans", str(folder / "out.csv")])
    if sqlite3 is not None:
        found["sqlite3 dump"] = run_process([sqlite3, url.removeprefix("sqlite:///"), ".mode csv",
                                      f".output {folder / 'dump.csv'}", "SELECT * FROM fans"])
    if million:
        big = folder / "million.csv"
        write_csv(big, 1_000_000)
        (folder / "m").mkdir()
        found["1,000,000-row import"] = run_process(
            [OFCRM, "--db", empty_database(folder / "m"), "import", "fans", str(big)])
    for label, process in found.items():
        print(process.line(label))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also the 1,000,000-row memory run")
    args = parser.parse_args()
    compile_sources()  # processes timed load ofcrm's byte code, as an installed copy does
    with tempfile.TemporaryDirectory(prefix="bench-fans-") as tmp:
        found = measure(Path(tmp), args.rows, args.million)
    bare, ours = found.get("sqlite3 .import"), found["ofcrm import fans"]
    if bare:
        print(f"import ratio {ours.seconds / bare.seconds:.1f} wall, {ours.cpu / bare.cpu:.1f} CPU "
              "(target <= 10)")
    print(f"export {found['ofcrm export fans'].seconds:.2f} s (target < 2 s)")
    if args.million:
        print(f"1,000,000-row import peak {found['1,000,000-row import'].peak_mb:.0f} MB (target < 200 MB)")
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 40
ROWS = 100_000


def bench(options: Options) -> list[Result]:
    folder = options.scratch / "fans_io"
    folder.mkdir()
    found = measure(folder, ROWS, million=options.long)
    bare, dump = found.get("sqlite3 .import"), found.get("sqlite3 dump")
    ours, export = found["ofcrm import fans"], found["ofcrm export fans"]
    start = found["ofcrm start-up"]
    missing = "" if bare else "no sqlite3 command: no floor"
    result = [
        Result(f"ofcrm import fans, {ROWS // 1000}k rows (whole process)", ours.seconds, "s",
               bare.seconds if bare else None, "sqlite3 .import", Target(ratio_max=10),
               note=missing or f"CPU {ours.cpu:.2f} s vs {bare.cpu:.2f} s ({ours.cpu / bare.cpu:.1f}x); "
                    f"ofcrm start-up alone {start.seconds:.2f} s; peak {ours.peak_mb:.0f} MB"),
        Result(f"ofcrm export fans, {ROWS // 1000}k fans (whole process)", export.seconds, "s",
               dump.seconds if dump else None, "sqlite3 csv dump", Target(max=2),
               note=missing or f"CPU {export.cpu:.2f} s, of which start-up ~{start.cpu:.2f} s"),
    ]
    if options.long:
        million = found["1,000,000-row import"]
        result.append(Result("peak memory, 1,000,000-row import", million.peak_mb, "MB",
                             ours.peak_mb, f"{ROWS // 1000}k rows", Target(max=200)))
    else:
        result.append(skipped("peak memory, 1,000,000-row import", "with --long"))
    return result


if __name__ == "__main__":
    sys.exit(main())
