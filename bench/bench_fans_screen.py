"""The fans screen at scale: does it open 100k fans as fast as 100?

Runs the real app headless (``App.run_test``) on the two generated accounts of
``bench_inbox.py`` (100 fans and 100,000 fans, cached under ``bench/.data/``) and
times the first full fans screen: from pressing its key (the app open on the inbox,
settled) to the end of the first screen refresh after the fan list applied its rows,
taken inside the app from its own messages (a ``message_hook`` sees
``FanList.Reloaded`` arrive and schedules ``call_after_refresh``), as
``bench_inbox_screen.py`` does. The moment the exact count is in is printed too.

It prints medians and the ratio big / small (target <= 1.3)::

    python bench/bench_fans_screen.py            # --runs 15 by default
    python bench/bench_fans_screen.py --postgres URL
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from textual.message import Message

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inbox import BIG, SMALL, bench_account_id, ensure_bench_db, prepare  # noqa: E402, F401
from harness import Options, Result, Target, per_backend  # noqa: E402

from ofcrm_tui.config import Settings  # noqa: E402
from ofcrm_tui.context import AppContext  # noqa: E402
from ofcrm_tui.core.accounts import list_accounts  # noqa: E402
from ofcrm_tui.tui.app import OfcrmApp  # noqa: E402
from ofcrm_tui.tui.widgets.conversation_list import ConversationList  # noqa: E402
from ofcrm_tui.tui.widgets.fan_list import FanList  # noqa: E402

SIZE = (160, 50)


class _Drawn:
    """When the fan list's first rows, then its count, are on the screen."""

    def __init__(self, app: OfcrmApp) -> None:
        self.app = app
        self.start = 0.0
        self.rows = asyncio.Event()
        self.counted = asyncio.Event()
        self.rows_ms = self.count_ms = 0.0

    def hook(self, message: Message) -> None:
        if not self.start:
            return
        if isinstance(message, FanList.Reloaded) and not self.rows.is_set():
            self.app.screen.query_one(FanList).call_after_refresh(self._done, self.rows)
        elif isinstance(message, FanList.Counted) and not self.counted.is_set():
            self.app.screen.query_one(FanList).call_after_refresh(self._done, self.counted)

    def _done(self, event: asyncio.Event) -> None:
        elapsed = (time.perf_counter() - self.start) * 1000
        if event is self.rows:
            self.rows_ms = elapsed
        else:
            self.count_ms = elapsed
        event.set()


async def one_run(context: AppContext, account_id: int) -> tuple[float, float]:
    """Milliseconds from the fans key to the full fans screen, and to its count."""
    account = next(a for a in list_accounts(context.db) if a.id == account_id)
    app = OfcrmApp(context, account)
    drawn = _Drawn(app)
    async with app.run_test(size=SIZE, message_hook=drawn.hook) as pilot:
        inbox = app.screen.query_one(ConversationList)
        while not (inbox.loaded and inbox.counted):
            await pilot.pause(0.001)
        await app.workers.wait_for_complete()
        await pilot.pause()
        drawn.start = time.perf_counter()
        press = asyncio.create_task(pilot.press("3"))
        await drawn.rows.wait()
        await drawn.counted.wait()
        await press
    return drawn.rows_ms, drawn.count_ms


def measure(runs: int, postgres_url: str | None = None) -> dict[int, tuple[float, float]]:
    """Medians per size; the sizes take turns, so a busy moment hits both."""
    apps: dict[int, tuple[AppContext, int]] = {}
    samples: dict[int, list[tuple[float, float]]] = {}
    try:
        for fans, messages in (SMALL, BIG):
            url = ensure_bench_db(fans, messages, postgres_url=postgres_url)
            context = AppContext(Settings(database_url=url, chatter_name="bench"))
            apps[fans] = context, bench_account_id(context.db, fans, messages)
            samples[fans] = []
            asyncio.run(one_run(*apps[fans]))  # warm-up: imports, CSS, the database's pages
        for _ in range(runs):
            for fans, (context, account_id) in apps.items():
                samples[fans].append(asyncio.run(one_run(context, account_id)))
    finally:
        for context, _ in apps.values():
            context.close()
    return {
        fans: (statistics.median(s[0] for s in runs_), statistics.median(s[1] for s in runs_))
        for fans, runs_ in samples.items()
    }


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 30
RUNS = 5


def bench(options: Options) -> list[Result]:
    def measured(backend: str, url: str | None) -> list[Result]:
        medians = measure(options.repeat(RUNS), url)
        floor = f"{SMALL[0]:,} fans"
        return [Result(
            f"fans screen in the app, {BIG[0] // 1000}k vs {floor}", medians[BIG[0]][0], "ms",
            medians[SMALL[0]][0], floor, Target(ratio_max=1.3), backend=backend,
            note="fans key to the first refresh with the rows (160x50, headless): mostly "
                 "Textual building the new screen")]

    return per_backend(options, "fans screen", measured)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="the accounts of bench_inbox.py --postgres URL")
    args = parser.parse_args(argv)
    results = measure(args.runs, args.postgres)
    for fans, _ in (SMALL, BIG):
        rows, count = results[fans]
        print(f"{fans:>7,} fans: fans screen {rows:6.1f} ms (key to drawn); count in at {count:6.1f} ms")
    small, big = results[SMALL[0]], results[BIG[0]]
    print(f"ratio big / small: fans screen {big[0] / small[0]:.2f} (target <= 1.3), "
          f"count {big[1] / small[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
