"""The analytics screen's period switch at scale: how soon it shows, and the new figures.

Runs the real app headless (``App.run_test``, 160x45) on the analytics bench's data
(100k fans / 1M messages / 300k transactions, ``bench_analytics.py``, cached under
``bench/.data/``), the app's clock frozen at the data's "now", and times each switch
(today -> 30 days -> 90 days -> today -> 7 days) from the key's action to the end of
the first screen refresh after:

- the switch shows (the loading mark over the previous figures, or the kept figures);
- the new period's figures are drawn.

Twice: *cold*, nothing read ahead (each period read when asked: the dashboard query is
the wait), and *warm*, once the screen has read the presets ahead in the background
(what a chatter gets a few seconds after opening the screen). End points are taken
inside the app (``call_after_refresh``), polled every 5 ms.

    python bench/bench_analytics_screen.py          # --runs 3 by default

In ``bench/run.py`` (``--runs 2``): a row per switch, read when asked, against the same
switch with the presets read ahead.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analytics import ensure_data  # noqa: E402
from bench_inbox import NOW  # noqa: E402
from harness import Options, Result, Target  # noqa: E402

from ofcrm_tui.config import Settings  # noqa: E402
from ofcrm_tui.context import AppContext  # noqa: E402
from ofcrm_tui.core.accounts import list_accounts  # noqa: E402
from ofcrm_tui.tui.app import OfcrmApp  # noqa: E402
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen  # noqa: E402

SIZE = (160, 45)
SWITCHES = (30, 90, 1, 7)
NAMES = {1: "today", 7: "7 days", 30: "30 days", 90: "90 days"}


async def _refreshed(app: OfcrmApp, condition: Callable[[], bool], start: float) -> float:
    """Milliseconds from ``start`` to the end of the first refresh once ``condition``."""
    while not condition():
        await asyncio.sleep(0.005)
    done = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: done.set_result(time.perf_counter()))
    return (await done - start) * 1000


async def _switch(app: OfcrmApp, screen: AnalyticsScreen, days: int) -> tuple[float, float]:
    start = time.perf_counter()
    screen.action_preset(days)
    shown = await _refreshed(app, lambda: screen.loading or _drawn(screen, days), start)
    drawn = await _refreshed(app, lambda: _drawn(screen, days), start)
    return shown, drawn


def _drawn(screen: AnalyticsScreen, days: int) -> bool:
    return (not screen.loading and screen.shown is not None
            and screen.shown.period.days == days)


async def _run(context: AppContext, *, ahead: bool) -> dict[int, tuple[float, float]]:
    account = list_accounts(context.db)[0]
    app = OfcrmApp(context, account, clock=lambda: NOW)
    results = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        screen = app.screen
        assert isinstance(screen, AnalyticsScreen)
        if not ahead:
            screen._read_ahead = lambda *args: None  # type: ignore[method-assign]
        await _refreshed(app, lambda: _drawn(screen, 7), time.perf_counter())
        if ahead:
            await app.workers.wait_for_complete()
            await pilot.pause()
        for days in SWITCHES:
            results[days] = await _switch(app, screen, days)
    return results


def measure(runs: int) -> dict[bool, dict[int, tuple[float, float]]]:
    """{read ahead: {days: (shown ms, drawn ms)}}, medians of ``runs`` app runs each."""
    url = ensure_data()
    context = AppContext(Settings(database_url=url, chatter_name="bench"))
    try:
        print(f"{url}, {SIZE[0]}x{SIZE[1]}, medians of {runs} runs (ms)")
        print(f"{'switch to':<10}{'cold: shown':>13}{'cold: drawn':>13}"
              f"{'warm: shown':>13}{'warm: drawn':>13}")
        samples = {ahead: [asyncio.run(_run(context, ahead=ahead)) for _ in range(runs)]
                   for ahead in (False, True)}
    finally:
        context.close()
    medians = {
        ahead: {days: (statistics.median(run[days][0] for run in samples[ahead]),
                       statistics.median(run[days][1] for run in samples[ahead]))
                for days in SWITCHES}
        for ahead in (False, True)
    }
    for days in SWITCHES:
        cells = [medians[ahead][days][part] for ahead in (False, True) for part in (0, 1)]
        print(f"{NAMES[days]:<10}" + "".join(f"{cell:>13.0f}" for cell in cells), flush=True)
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    measure(parser.parse_args().runs)
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 65
RUNS = 2


def prepare(options: Options) -> None:
    ensure_data()


def bench(options: Options) -> list[Result]:
    medians = measure(options.repeat(RUNS))
    cold, warm = medians[False], medians[True]
    return [
        Result(f"analytics switch to {NAMES[days]}, drawn", cold[days][1], "ms",
               warm[days][1], "figures read ahead", Target(max=500),
               note="" if index else "key to the refresh with the new period's figures drawn "
                    "(160x45), read when asked; the floor is the same switch once the screen has "
                    "read the presets ahead: the drawing alone")
        for index, days in enumerate(SWITCHES)
    ]


if __name__ == "__main__":
    sys.exit(main())
