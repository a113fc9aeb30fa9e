"""Peak memory of the app at 100k fans, against the same walk at 100 fans.

Each size runs in a fresh process (its peak RSS read from its rusage when it exits):
the real app headless (``App.run_test``, 160x45) on an account of ``bench_inbox.py``
(cached under ``bench/.data/``) opens the inbox and its top thread, pages down the
conversation list ``PAGES`` times, switches to the fans screen and pages down it as
often. The lists hold windows onto SQL, so the big account should cost about what the
small one does (target: within 1.3x).

Usage::

    python bench/bench_memory.py                 # both sizes, SQLite
    python bench/bench_memory.py --postgres URL  # the accounts of bench_inbox.py --postgres URL
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inbox import BIG, SMALL, bench_account_id, ensure_bench_db, prepare  # noqa: E402, F401
from harness import Options, Process, Result, Target, per_backend, run_process  # noqa: E402

SIZE = (160, 45)
PAGES = 20


async def _walk(url: str, fans: int, messages: int) -> None:
    """The child's part: open the app and walk it (imports here: the parent needs none)."""
    from textual.pilot import Pilot

    from ofcrm_tui.config import Settings
    from ofcrm_tui.context import AppContext
    from ofcrm_tui.core.accounts import list_accounts
    from ofcrm_tui.tui.app import OfcrmApp
    from ofcrm_tui.tui.widgets.conversation_list import ConversationList
    from ofcrm_tui.tui.widgets.fan_list import FanList
    from ofcrm_tui.tui.widgets.thread_view import ThreadView

    async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
        while not condition():
            await pilot.pause(0.01)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    context = AppContext(Settings(database_url=url, chatter_name="bench"))
    try:
        account_id = bench_account_id(context.db, fans, messages)
        account = next(a for a in list_accounts(context.db) if a.id == account_id)
        app = OfcrmApp(context, account)
        async with app.run_test(size=SIZE) as pilot:
            rows = app.screen.query_one(ConversationList)
            await until(pilot, lambda: rows.loaded and rows.counted)
            await pilot.press("enter")
            thread = app.screen.query_one(ThreadView)
            await until(pilot, lambda: bool(thread.stored))
            rows.focus()
            for _ in range(PAGES):
                await pilot.press("pagedown")
                await until(pilot, lambda: rows.loaded)
            await pilot.press("3")
            await until(pilot, lambda: bool(app.screen.query(FanList)))
            fan_list = app.screen.query_one(FanList)
            await until(pilot, lambda: fan_list.loaded and fan_list.counted)
            for _ in range(PAGES):
                await pilot.press("pagedown")
                await until(pilot, lambda: fan_list.loaded)
    finally:
        context.close()


def measure(postgres_url: str | None = None) -> dict[int, Process]:
    """The child process of each size (fans -> its wall / CPU seconds and peak RSS)."""
    found = {}
    for fans, messages in (SMALL, BIG):
        url = ensure_bench_db(fans, messages, postgres_url=postgres_url)
        found[fans] = run_process([sys.executable, __file__, "--child", url, str(fans), str(messages)])
        print(found[fans].line(f"{fans:,} fans"))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--child", nargs=3, metavar=("URL", "FANS", "MESSAGES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        url, fans, messages = args.child
        asyncio.run(_walk(url, int(fans), int(messages)))
        return 0
    found = measure(args.postgres)
    print(f"ratio big / small: {found[BIG[0]].peak_mb / found[SMALL[0]].peak_mb:.2f} (target <= 1.3)")
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 85


def bench(options: Options) -> list[Result]:
    def measured(backend: str, url: str | None) -> list[Result]:
        found = measure(url)
        floor = f"{SMALL[0]:,} fans"
        return [Result(
            f"peak memory of the app, {BIG[0] // 1000}k fans", found[BIG[0]].peak_mb, "MB",
            found[SMALL[0]].peak_mb, floor, Target(ratio_max=1.3), backend=backend,
            note=f"peak RSS of a process opening the inbox and a thread, {PAGES} pages down the "
                 f"list, the fans screen and {PAGES} pages down it (160x45, headless)")]

    return per_backend(options, "peak memory of the app", measured)


if __name__ == "__main__":
    sys.exit(main())
