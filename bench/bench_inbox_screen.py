"""The inbox screen at scale: does the app open 100k conversations as fast as 100?

Runs the real app headless (``App.run_test``) on the two generated accounts of
``bench_inbox.py`` (100 fans / 1,000 messages and 100,000 conversations / 1,000,000
messages, cached under ``bench/.data/``) and times, from starting the app:

- the first full inbox screen: the list's count and every visible row drawn;
- then opening the top conversation: its newest page of messages drawn.

It prints medians and the ratio big / small (target <= 1.3)::

    python bench/bench_inbox_screen.py            # --runs 7 by default
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inbox import BIG, SMALL, bench_account_id, ensure_bench_db  # noqa: E402

from ofcrm_tui.config import Settings  # noqa: E402
from ofcrm_tui.context import AppContext  # noqa: E402
from ofcrm_tui.core.accounts import list_accounts  # noqa: E402
from ofcrm_tui.tui.app import OfcrmApp  # noqa: E402
from ofcrm_tui.tui.widgets.conversation_list import ConversationList  # noqa: E402
from ofcrm_tui.tui.widgets.thread_view import ThreadView  # noqa: E402

SIZE = (160, 50)


async def _until(pilot, condition) -> None:  # noqa: ANN001 - a Pilot and a predicate
    while not condition():
        await pilot.pause(0.001)


async def one_run(context: AppContext, account_id: int) -> tuple[float, float]:
    """Milliseconds to the full inbox screen, then to the opened thread."""
    account = next(a for a in list_accounts(context.db) if a.id == account_id)
    app = OfcrmApp(context, account)
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        rows = app.screen.query_one(ConversationList)
        await _until(pilot, lambda: rows.count > 0 and rows.loaded)
        await pilot.pause()  # the frame with those rows
        screen_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        await pilot.press("enter")
        thread = app.screen.query_one(ThreadView)
        await _until(pilot, lambda: bool(thread.stored))
        await pilot.pause()
        thread_ms = (time.perf_counter() - start) * 1000
    return screen_ms, thread_ms


def measure(url: str, fans: int, messages: int, runs: int) -> tuple[float, float]:
    context = AppContext(Settings(database_url=url, chatter_name="bench"))
    try:
        account_id = bench_account_id(context.db, fans, messages)
        asyncio.run(one_run(context, account_id))  # warm-up: imports, CSS, page cache
        samples = [asyncio.run(one_run(context, account_id)) for _ in range(runs)]
    finally:
        context.close()
    return (statistics.median(s for s, _ in samples), statistics.median(t for _, t in samples))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    results = {}
    for fans, messages in (SMALL, BIG):
        url = ensure_bench_db(fans, messages)
        results[fans] = measure(url, fans, messages, args.runs)
        screen, thread = results[fans]
        print(f"{fans:>7,} fans / {messages:>9,} messages: inbox screen {screen:7.1f} ms, "
              f"open thread {thread:6.1f} ms")
    (small, small_thread), (big, big_thread) = results[SMALL[0]], results[BIG[0]]
    print(f"ratio big / small: inbox screen {big / small:.2f}, open thread "
          f"{big_thread / small_thread:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
