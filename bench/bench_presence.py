"""Team mode presence: how soon another chatter's app shows what this one does, and what
the heartbeats cost the database while nobody does anything.

Two real apps (``OfcrmApp`` under ``run_test``, each with its own engine as two
processes would have, the real clock and the default presence settings) share one
database holding a small generated account:

- **seen by the other app**: chatter B opens another conversation (a key press) at a
  random moment of the heartbeat's cycle; the time until A's presence view shows B on
  that conversation. Target: p95 under 2 s.
- **queries at idle**: both apps sit on an open conversation; the statements each sends
  to the database for presence (those on the presence table, but for the queue's reads that
  look at it to hold campaign rows while a chatter types), per second (counted with SQLAlchemy's
  ``before_cursor_execute``; transaction control, BEGIN/COMMIT, is not a query). Target:
  under 1 a second per app. All statements of the app (the status bar's counts every
  2 s among them) are in the note.

    python bench/bench_presence.py                       # SQLite file
    python bench/bench_presence.py --postgres postgresql://postgres@127.0.0.1/bench
    python bench/bench_presence.py --samples 40 --idle 30

``bench(options)`` gives ``bench/run.py`` the same rows (``--runs`` sets the samples).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Options, Result, Target, per_backend, table  # noqa: E402
from sqlalchemy import create_engine, event, update  # noqa: E402

from ofcrm_tui.config import Settings  # noqa: E402
from ofcrm_tui.context import AppContext  # noqa: E402
from ofcrm_tui.core.accounts import resolve_account  # noqa: E402
from ofcrm_tui.devdata.generate import generate  # noqa: E402
from ofcrm_tui.store import migrate  # noqa: E402
from ofcrm_tui.store.database import Database, parse_url  # noqa: E402
from ofcrm_tui.store.models import Conversation  # noqa: E402
from ofcrm_tui.tui.app import OfcrmApp  # noqa: E402

SEEN_TARGET_S = 2.0
IDLE_TARGET_QPS = 1.0
SAMPLES = 30  # state changes timed
IDLE_S = 20.0  # seconds counted at idle
ACCOUNT = "generated"
SIZE = (100, 30)


@contextmanager
def _database(postgres: str | None) -> Any:
    """A fresh database URL with a generated 200-fan account (a temp SQLite file, or a
    schema of its own on ``postgres``, dropped afterwards)."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'presence.db'}"
            _fill(url)
            yield url
        return
    schema = f"bench_presence_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parse_url(postgres), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = parse_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        rendered = url.render_as_string(hide_password=False)
        _fill(rendered)
        yield rendered
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _fill(url: str) -> None:
    db = Database(url)
    migrate.upgrade(db)
    generate(db, fans=200, messages=2_000, seed=1, now=datetime.now(UTC), transactions=False)
    with db.write() as session:  # opening a chat then marks nothing on the platform
        session.execute(update(Conversation).values(unread_count=0))
    db.dispose()


class Counter:
    """Statements an app's engine runs (transaction control aside)."""

    def __init__(self, db: Database) -> None:
        self.presence = 0
        self.total = 0
        event.listen(db.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        head = statement.lstrip()[:8].upper()
        if head.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            return
        self.total += 1
        # The queue's statements read the presence table too (a campaign row waits while
        # a chatter types to its fan): they are the status bar's and the drain's, counted
        # in the total, not presence's.
        if "team_presence" in statement and "outbound_messages" not in statement:
            self.presence += 1


def _app(url: str, chatter: str) -> OfcrmApp:
    context = AppContext(Settings(database_url=url, chatter_name=chatter))
    return OfcrmApp(context, resolve_account(context.db, ACCOUNT))


async def _measure(url: str, samples: int, idle_seconds: float) -> dict[str, Any]:
    a_app, b_app = _app(url, "ana"), _app(url, "sam")
    counters = [Counter(a_app.context.db), Counter(b_app.context.db)]
    interval = a_app.context.settings.presence_interval_seconds
    rng = random.Random(7)
    delays: list[float] = []
    async with a_app.run_test(size=SIZE) as a, b_app.run_test(size=SIZE) as b:
        await a.pause(0.5)
        await a.press("enter")
        await b.press("enter")
        await asyncio.sleep(2 * interval)
        for _ in range(samples):
            await asyncio.sleep(rng.uniform(0, interval))  # any moment of A's cycle
            key = "j" if rng.random() < 0.5 else "k"
            started = time.monotonic()
            await b.press(key, "enter")
            wanted = b_app.presence.conversation_id
            while True:
                view = a_app.presence.view
                if view is not None and any(
                    p.chatter == "sam" and p.conversation_id == wanted for p in view.present
                ):
                    break
                if time.monotonic() - started > 30:
                    raise RuntimeError("the other app never saw the change")
                await asyncio.sleep(0.01)
            delays.append(time.monotonic() - started)
        await asyncio.sleep(2 * interval)  # both idle on an open conversation now
        before = [(c.presence, c.total) for c in counters]
        started = time.monotonic()
        await asyncio.sleep(idle_seconds)
        elapsed = time.monotonic() - started
        after = [(c.presence, c.total) for c in counters]
    presence = [(x[0] - y[0]) / elapsed for x, y in zip(after, before, strict=True)]
    total = [(x[1] - y[1]) / elapsed for x, y in zip(after, before, strict=True)]
    for app in (a_app, b_app):
        app.context.close()
    return {"delays": delays, "presence_qps": presence, "total_qps": total,
            "interval": interval, "idle": elapsed}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _rows(backend: str, postgres: str | None, samples: int, idle: float) -> list[Result]:
    with _database(postgres) as url:
        figures = asyncio.run(_measure(url, samples, idle))
    delays = figures["delays"]
    return [
        Result("presence seen by the other app, p95", _p95(delays), "s",
               target=Target(max=SEEN_TARGET_S), backend=backend,
               note=f"p50 {statistics.median(delays):.2f} s, max {max(delays):.2f} s over "
                    f"{len(delays)} changes; a beat every {figures['interval']:g} s"),
        Result("presence statements per app at idle", max(figures["presence_qps"]), "/s",
               target=Target(max=IDLE_TARGET_QPS), backend=backend,
               note="the busier app of two; every statement of an idle app (the status "
                    "bar's counts every 2 s among them): "
                    + ", ".join(f"{q:.1f}" for q in figures["total_qps"]) + " /s"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL database")
    parser.add_argument("--samples", type=int, default=SAMPLES, help=f"changes timed ({SAMPLES})")
    parser.add_argument("--idle", type=float, default=IDLE_S, help=f"seconds at idle ({IDLE_S:g})")
    args = parser.parse_args(argv)
    backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    found = [row for backend, url in backends
             for row in _rows(backend, url, args.samples, args.idle)]
    print(table(found))
    return 0 if all(row.passed for row in found) else 1


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 90


def bench(options: Options) -> list[Result]:
    samples = options.repeat(SAMPLES)
    return per_backend(options, "presence",
                       lambda backend, url: _rows(backend, url, samples, IDLE_S))


if __name__ == "__main__":
    sys.exit(main())
