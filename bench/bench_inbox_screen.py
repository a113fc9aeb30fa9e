"""The inbox screen at scale: does the app open 100k conversations as fast as 100?

Runs the real app headless (``App.run_test``) on the two generated accounts of
``bench_inbox.py`` (100 fans / 1,000 messages and 100,000 conversations / 1,000,000
messages, cached under ``bench/.data/``) and times:

- the first full inbox screen: from starting the app to the end of the first screen
  refresh after the list applied its rows (a list longer than its first page gets
  its count after them: that moment is printed too);
- opening the top conversation: from sending the enter key to the end of the first
  screen refresh after the thread view applied its newest page.

Both end points are taken inside the app, from its own messages (a ``message_hook``
sees ``ConversationList.Reloaded`` / ``ThreadView.Loaded`` arrive and schedules
``call_after_refresh``; ``Counted`` for the count), so they leave out what ``Pilot`` adds: ``Pilot.press`` and
``Pilot.pause`` wait for the process to go idle (in steps of 20 ms) and for animations.
The same two figures as Pilot sees them (wait until the rows / messages are in, then
``pause()``) are printed alongside.

It prints medians and the ratio big / small (target <= 1.3)::

    python bench/bench_inbox_screen.py            # --runs 15 by default
    python bench/bench_inbox_screen.py --postgres URL

In ``bench/run.py`` (app-side figures only, no Pilot runs) it gives the inbox screen
and thread rows.
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
from ofcrm_tui.tui.widgets.thread_view import ThreadView  # noqa: E402

SIZE = (160, 50)


async def _until(pilot, condition) -> None:  # noqa: ANN001 - a Pilot and a predicate
    while not condition():
        await pilot.pause(0.001)


class _Drawn:
    """Times, from the app's messages, when what a message brought is on the screen."""

    def __init__(self, app: OfcrmApp) -> None:
        self.app = app
        self.start = time.perf_counter()
        self.list_drawn = asyncio.Event()
        self.thread_drawn = asyncio.Event()
        self.counted = asyncio.Event()
        self.list_ms = self.thread_ms = self.count_ms = 0.0

    def hook(self, message: Message) -> None:
        # Called before the message is handled: the callback runs after the handler
        # and the screen refresh that follows it.
        if isinstance(message, ConversationList.Reloaded) and not self.list_drawn.is_set():
            self.app.screen.query_one(ConversationList).call_after_refresh(self._done, "list")
        elif isinstance(message, ConversationList.Counted) and not self.counted.is_set():
            self.app.screen.query_one(ConversationList).call_after_refresh(self._done, "count")
        elif (
            isinstance(message, ThreadView.Loaded)
            and message.replace
            and message.page
            and not self.thread_drawn.is_set()
        ):
            self.app.screen.query_one(ThreadView).call_after_refresh(self._done, "thread")

    def _done(self, what: str) -> None:
        elapsed = (time.perf_counter() - self.start) * 1000
        if what == "list":
            self.list_ms = elapsed
            self.list_drawn.set()
        elif what == "count":
            self.count_ms = elapsed
            self.counted.set()
        else:
            self.thread_ms = elapsed
            self.thread_drawn.set()


async def one_run(
    context: AppContext, account_id: int, *, pilot_style: bool
) -> tuple[float, float, float]:
    """Milliseconds to the full inbox screen, to the opened thread, and to the count.

    ``pilot_style``: as a test sees them (poll with ``Pilot.pause`` until the rows /
    messages are in, then one more ``pause``); else from the app's own messages, with
    nothing polling the app meanwhile.
    """
    account = next(a for a in list_accounts(context.db) if a.id == account_id)
    app = OfcrmApp(context, account)
    drawn = _Drawn(app)
    async with app.run_test(size=SIZE, message_hook=drawn.hook) as pilot:
        rows = app.screen.query_one(ConversationList)
        if pilot_style:
            await _until(pilot, lambda: rows.count > 0 and rows.loaded)
            await pilot.pause()  # the frame with those rows
            screen_ms = (time.perf_counter() - drawn.start) * 1000
        else:
            await drawn.list_drawn.wait()
            screen_ms = drawn.list_ms
        await drawn.list_drawn.wait()
        await drawn.counted.wait()
        count_ms = drawn.count_ms
        await pilot.pause()  # settled: nothing left from the first screen

        thread = app.screen.query_one(ThreadView)
        start = drawn.start = time.perf_counter()
        if pilot_style:
            await pilot.press("enter")
            await _until(pilot, lambda: bool(thread.stored))
            await pilot.pause()
            thread_ms = (time.perf_counter() - start) * 1000
        else:
            press = asyncio.create_task(pilot.press("enter"))  # sends the key at once
            await drawn.thread_drawn.wait()
            thread_ms = drawn.thread_ms
            await press
    return screen_ms, thread_ms, count_ms


def measure(runs: int, *, pilot: bool = True, postgres_url: str | None = None) -> dict[int, dict[str, float]]:
    """Medians per size (milliseconds: ``screen``, ``thread``, ``count``, and with ``pilot``
    ``pilot_screen``, ``pilot_thread``); the sizes take turns, so a busy moment of the
    machine hits both."""
    apps: dict[int, tuple[AppContext, int]] = {}
    samples: dict[int, list[dict[str, float]]] = {}
    try:
        for fans, messages in (SMALL, BIG):
            url = ensure_bench_db(fans, messages, postgres_url=postgres_url)
            context = AppContext(Settings(database_url=url, chatter_name="bench"))
            apps[fans] = context, bench_account_id(context.db, fans, messages)
            samples[fans] = []
            asyncio.run(one_run(*apps[fans], pilot_style=False))  # warm-up: imports, CSS
        for _ in range(runs):  # one app per figure pair, the two ways alternating
            for fans, (context, account_id) in apps.items():
                screen, thread, count = asyncio.run(one_run(context, account_id, pilot_style=False))
                sample = {"screen": screen, "thread": thread, "count": count}
                if pilot:
                    sample["pilot_screen"], sample["pilot_thread"], _ = asyncio.run(
                        one_run(context, account_id, pilot_style=True))
                samples[fans].append(sample)
    finally:
        for context, _ in apps.values():
            context.close()
    return {fans: {key: statistics.median(s[key] for s in runs_) for key in runs_[0]}
            for fans, runs_ in samples.items()}


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 20
RUNS = 5


def bench(options: Options) -> list[Result]:
    def measured(backend: str, url: str | None) -> list[Result]:
        medians = measure(options.repeat(RUNS), pilot=False, postgres_url=url)
        small, big = medians[SMALL[0]], medians[BIG[0]]
        floor = f"{SMALL[0]:,} fans"
        return [
            Result(f"inbox screen in the app, {BIG[0] // 1000}k vs {floor}", big["screen"], "ms",
                   small["screen"], floor, Target(ratio_max=1.3), backend=backend,
                   note="app start to the first refresh with the rows (160x50, headless); "
                        "mostly app start-up, which swings between two modes on a busy box"),
            Result(f"open a thread in the app, {BIG[0] // 1000}k vs {floor}", big["thread"], "ms",
                   small["thread"], floor, Target(ratio_max=1.3), backend=backend,
                   note="enter to the first refresh with the thread's newest page"),
        ]

    return per_backend(options, "inbox and thread in the app", measured)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="the accounts of bench_inbox.py --postgres URL")
    args = parser.parse_args(argv)
    results = measure(args.runs, postgres_url=args.postgres)
    for fans, messages in (SMALL, BIG):
        run = results[fans]
        print(f"{fans:>7,} fans / {messages:>9,} messages: inbox screen {run['screen']:6.1f} ms, "
              f"open thread {run['thread']:6.1f} ms (key to drawn)   as Pilot sees them: "
              f"{run['pilot_screen']:6.1f} / {run['pilot_thread']:6.1f} ms; "
              f"count in at {run['count']:6.1f} ms")
    small, big = results[SMALL[0]], results[BIG[0]]
    print(f"ratio big / small: inbox screen {big['screen'] / small['screen']:.2f} "
          f"(Pilot: {big['pilot_screen'] / small['pilot_screen']:.2f}), open thread "
          f"{big['thread'] / small['thread']:.2f} (target <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
