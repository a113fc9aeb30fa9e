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
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def timed(argv: list[str]) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, exit code, peak RSS in kB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(f"  {' '.join(argv[:4])}... exited {code}: {process.stderr.read().decode()[-300:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, code, usage.ru_maxrss


def _ratio(seconds: float, cpu: float, bare: tuple[float, float] | None) -> str:
    if bare is None:
        return ""
    return f"  ratio {seconds / bare[0]:.1f} wall, {cpu / bare[1]:.1f} CPU (target <= 10)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also the 1,000,000-row memory run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fans-") as tmp:
        folder = Path(tmp)
        source = folder / "fans.csv"
        write_csv(source, args.rows)
        print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB")

        sqlite3 = shutil.which("sqlite3")
        bare = None
        if sqlite3 is None:
            print("sqlite3 command not found (apt-get install sqlite3): no baseline")
        else:
            seconds, cpu, _, _ = timed([sqlite3, str(folder / "bare.db"), ".mode csv", f".import {source} fans"])
            bare = (seconds, cpu)
            print(f"sqlite3 .import:        {seconds:6.2f} s  cpu {cpu:5.2f} s")

        (folder / "a").mkdir()
        url = empty_database(folder / "a")
        seconds, cpu, _, _ = timed([OFCRM, "--db", url, "export", "fans", str(folder / "none.csv")])
        print(f"ofcrm start-up:         {seconds:6.2f} s  cpu {cpu:5.2f} s (an export of no fans)")
        seconds, cpu, code, rss = timed([OFCRM, "--db", url, "import", "fans", str(source)])
        print(f"ofcrm import fans:      {seconds:6.2f} s  cpu {cpu:5.2f} s  peak {rss / 1024:.0f} MB"
              + _ratio(seconds, cpu, bare))

        out = folder / "out.csv"
        seconds, cpu, code, rss = timed([OFCRM, "--db", url, "export", "fans", str(out)])
        print(f"ofcrm export fans:      {seconds:6.2f} s  cpu {cpu:5.2f} s  peak {rss / 1024:.0f} MB"
              " (target < 2 s)")

        if args.million:
            big = folder / "million.csv"
            write_csv(big, 1_000_000)
            (folder / "m").mkdir()
            url = empty_database(folder / "m")
            seconds, cpu, code, rss = timed([OFCRM, "--db", url, "import", "fans", str(big)])
            print(f"1,000,000-row import:   {seconds:6.1f} s  cpu {cpu:5.1f} s  peak {rss / 1024:.0f} MB"
                  " (target < 200 MB)" + ("" if code == 0 else f"  exit {code}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
