"""Event-loop stalls in the app while its background jobs poll and drain (none over 50 ms).

The real app runs headless (``App.run_test``, 160x45) on the inbox of a simulated
account (synced first, not timed), with its background jobs started as ``run_app``
starts them, both intervals long so that only the bench triggers them. The simulator
runs as its own process (``ofcrm simulate``), as the platform would be: serving it in
this process would take the interpreter from the app while it answers. A probe task
on the app's event loop sleeps 5 ms at a time and records how late it wakes: a late
wake is a stall, time in which no key, timer or refresh could run. Three phases:

- **idle** (the floor): the app open, nothing new, for a few seconds;
- **poll**: the simulated fans write ``--inbound`` new messages across ``--chats``
  conversations, then a poll; the phase ends once the app has handled the poll's
  report, published what it held back of it (``OfcrmApp.jobs_refresh_pending``) and
  every worker that started (list, thread and status reloads) is done;
- **drain**: a campaign's worth of rows (``--sends``, at a limit of 600 a minute) is
  queued, then a drain; the phase ends once the app has handled the reports of every
  send and the reloads they started, likewise.

Usage::

    python bench/bench_stalls.py                  # 1,000 fans, 2,000 new messages, 597 sends
    python bench/bench_stalls.py --inbound 5000 --chats 800
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from harness import Options, Result, Target  # noqa: E402
from sqlalchemy import select  # noqa: E402

from ofcrm_tui import secrets  # noqa: E402
from ofcrm_tui.config import Settings  # noqa: E402
from ofcrm_tui.context import AppContext  # noqa: E402
from ofcrm_tui.core import outbox  # noqa: E402
from ofcrm_tui.core.accounts import AccountInfo, add_account  # noqa: E402
from ofcrm_tui.core.sync import InboundSync  # noqa: E402
from ofcrm_tui.jobs import events  # noqa: E402
from ofcrm_tui.jobs.scheduler import BackgroundJobs  # noqa: E402
from ofcrm_tui.platform.client import PlatformClient  # noqa: E402
from ofcrm_tui.store.models import Fan  # noqa: E402
from ofcrm_tui.tui.app import OfcrmApp  # noqa: E402
from ofcrm_tui.tui.widgets.conversation_list import ConversationList  # noqa: E402

SIZE = (160, 45)
OFCRM = str(Path(sys.executable).with_name("ofcrm"))
ACCOUNT = "bench"
TOKEN = "bench-token"
LIMIT = 600
TICK = 0.005
STALL_MS = 50


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    worst_ms: float
    over: int  # stalls over STALL_MS
    p99_ms: float

    def line(self) -> str:
        return (f"{self.name:<8} {self.seconds:6.1f} s  longest stall {self.worst_ms:6.1f} ms  "
                f"p99 {self.p99_ms:5.1f} ms  over {STALL_MS} ms: {self.over}")


class Probe:
    """Wakes every ``TICK`` on the loop it runs on and keeps how late each wake was."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(TICK)
            self.lags.append((loop.time() - asked - TICK) * 1000)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def phase(self, name: str, work: Callable[[], object], done: Callable[[], bool],
                    timeout: float) -> Phase:
        """Lags from ``work()`` until ``done()`` holds (checked every 20 ms)."""
        first = len(self.lags)
        started = time.perf_counter()
        work()
        while not done():
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{name}: not done within {timeout} s")
            await asyncio.sleep(0.02)
        lags = sorted(self.lags[first:]) or [0.0]
        return Phase(name, time.perf_counter() - started, lags[-1],
                     sum(lag > STALL_MS for lag in lags),
                     lags[min(len(lags) - 1, int(len(lags) * 0.99))])

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


class Reports:
    """The job reports the app has handled (a ``message_hook``): polls, and sends."""

    def __init__(self) -> None:
        self.polls = 0
        self.sent = 0

    def hook(self, message: object) -> None:
        if isinstance(message, OfcrmApp.JobHappened):
            if isinstance(message.event, events.PollCompleted):
                self.polls += 1
            elif isinstance(message.event, events.MessagesSent):
                self.sent += len(message.event.outbound_ids)


@contextmanager
def simulator(fans: int) -> Iterator[str]:
    """``ofcrm simulate`` in its own process; yields its base URL."""
    command = [OFCRM, "simulate", "--port", "0", "--fans", str(fans), "--seed", "7",
               "--token", TOKEN, "--send-limit", str(LIMIT), "--request-limit", "1000000",
               "--activity", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("base URL:"):
                yield line.split(": ", 1)[1].strip()
                break
        else:
            raise RuntimeError(f"ofcrm simulate exited {process.wait()}")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _synced(context: AppContext, base_url: str) -> tuple[AccountInfo, list[tuple[int, int]]]:
    """The simulator's account added and synced; (fan id, platform user id) of its active fans."""
    os.environ[secrets.env_var_name(ACCOUNT)] = TOKEN
    account = add_account(context.db, ACCOUNT, base_url, TOKEN, send_limit_per_minute=LIMIT,
                          timeout_seconds=15)
    with PlatformClient(base_url, TOKEN) as client:
        InboundSync(context.db, account.id, client).full()
    with context.db.read() as session:
        fans = session.execute(
            select(Fan.id, Fan.platform_user_id)
            .where(Fan.account_id == account.id, Fan.subscription_status == "active")
            .order_by(Fan.id)
        ).tuples().all()
    return account, list(fans)


async def _measure(context: AppContext, account: AccountInfo, fans: list[tuple[int, int]],
                   admin: httpx.Client, args: argparse.Namespace) -> list[Phase]:
    app = OfcrmApp(context, account)
    jobs = BackgroundJobs(context, on_event=app.job_event)
    app.jobs = jobs
    reports = Reports()
    probe = Probe()
    phases = []

    def settled() -> bool:
        """Nothing held back to publish, no worker (reload) running."""
        return not app.jobs_refresh_pending and not any(w.is_running for w in app.workers)

    try:
        async with app.run_test(size=SIZE, message_hook=reports.hook) as pilot:
            rows = app.screen.query_one(ConversationList)
            while not (rows.loaded and rows.counted):
                await pilot.pause(0.01)
            await app.workers.wait_for_complete()
            await pilot.press("enter")  # a thread open, as a chatter has
            await asyncio.sleep(1)
            probe.start()

            until = time.perf_counter() + args.idle
            phases.append(await probe.phase("idle", lambda: None,
                                            lambda: time.perf_counter() > until, args.idle + 5))

            # What the jobs will find is set up first, off the clock (it blocks the loop).
            chats = [user_id for _, user_id in fans[: args.chats]]
            for i in range(args.inbound):
                admin.post("/_sim/inbound", json={"user_id": chats[i % len(chats)],
                                                  "text": f"bench message {i}: are you there?"})
            await asyncio.sleep(0.1)
            polls = reports.polls
            phases.append(await probe.phase(
                "poll", jobs.poll_now, lambda: reports.polls > polls and settled(), 300))

            queued = outbox.enqueue_many(context.db, account.id,
                                         [fan_id for fan_id, _ in fans[: args.sends]],
                                         "bench campaign", created_by="bench", campaign_id=None)
            await asyncio.sleep(0.1)
            sent = reports.sent
            phases.append(await probe.phase(
                "drain", jobs.drain_now, lambda: reports.sent >= sent + queued and settled(), 300))
            probe.stop()
    finally:
        jobs.shutdown(wait=True)
    for phase in phases:
        print(phase.line())
    return phases


def measure(folder: Path, args: argparse.Namespace) -> list[Phase]:
    settings = Settings(database_url=f"sqlite:///{folder / 'stalls.db'}", chatter_name="bench",
                        poll_interval_seconds=3600, drain_interval_seconds=3600)
    context = AppContext(settings)
    try:
        with simulator(args.fans) as base_url, httpx.Client(base_url=base_url) as admin:
            started = time.perf_counter()
            account, fans = _synced(context, base_url)
            print(f"synced {args.fans:,} fans in {time.perf_counter() - started:.1f} s")
            return asyncio.run(_measure(context, account, fans, admin, args))
    finally:
        context.close()


DEFAULTS = argparse.Namespace(fans=1000, inbound=2000, chats=400, sends=590, idle=3.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in vars(DEFAULTS).items():
        parser.add_argument(f"--{name}", type=type(value), default=value)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ofcrm-bench-stalls-") as folder:
        measure(Path(folder), args)
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 80


def bench(options: Options) -> list[Result]:
    folder = options.scratch / "stalls"
    folder.mkdir()
    idle, poll, drain = measure(folder, DEFAULTS)
    floor = "app idle"
    return [
        Result(f"event loop, longest stall during a poll of {DEFAULTS.inbound:,} new messages",
               poll.worst_ms, "ms", idle.worst_ms, floor, Target(max=STALL_MS), backend="sqlite",
               note=f"{DEFAULTS.chats} chats; {poll.over} stalls over {STALL_MS} ms, p99 "
                    f"{poll.p99_ms:.1f} ms; until the app handled the report and its reloads "
                    f"({poll.seconds:.1f} s)"),
        Result(f"event loop, longest stall during a drain of {DEFAULTS.sends} sends",
               drain.worst_ms, "ms", idle.worst_ms, floor, Target(max=STALL_MS),
               note=f"{drain.over} stalls over {STALL_MS} ms, p99 {drain.p99_ms:.1f} ms; "
                    f"{drain.seconds:.1f} s at {LIMIT}/min"),
    ]


if __name__ == "__main__":
    sys.exit(main())
