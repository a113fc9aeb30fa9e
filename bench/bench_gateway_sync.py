"""A full sync through the OFAuth skin: never a 429 from its bucket, and how close to its floor?

Serves a simulator with the ``ofauth`` skin in this process (a token bucket of
``--rate`` requests a minute with bursts of ``--burst``), adds an account with the
``ofauth`` gateway to a fresh SQLite database and runs one full sync through the real
adapter, whose budget starts at OFAuth's 60/min and follows the bucket's
``X-RateLimit-*`` headers. Reported: requests used, 429s seen, time taken, and the
bucket's floor for that many requests: ``(requests - burst) / rate``.

The real gateway refills 60 a minute; at that rate a 5,000-fan sync would take the better
part of two hours of waiting, so the default runs the bucket 20 times faster (1,200/min,
same burst): the pacing is the same arithmetic, scaled.

Usage::

    python bench/bench_gateway_sync.py                      # 5,000 fans, 1,200/min, burst 90
    python bench/bench_gateway_sync.py --fans 500 --rate 60 # the real rate, a smaller world
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ofcrm_tui import secrets  # noqa: E402
from ofcrm_tui.core.accounts import add_account  # noqa: E402
from ofcrm_tui.core.sync import InboundSync  # noqa: E402
from ofcrm_tui.platform.clients import client_for  # noqa: E402
from ofcrm_tui.store import migrate  # noqa: E402
from ofcrm_tui.store.database import Database  # noqa: E402
from ofcrm_tui.simulator import Simulator, SimulatorConfig  # noqa: E402

TOKEN = "bench-key"
CONNECTION = "conn_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fans", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=1200, help="bucket refill a minute")
    parser.add_argument("--burst", type=int, default=90, help="bucket size")
    args = parser.parse_args()

    sim = Simulator(
        SimulatorConfig(
            fans=args.fans,
            seed=1,
            token=TOKEN,
            skin="ofauth",
            gateway_account=CONNECTION,
            gateway_rate_per_minute=args.rate,
            gateway_burst=args.burst,
        )
    )
    os.environ[secrets.env_var_name("bench")] = TOKEN
    statuses: list[int] = []
    waits: list[float] = []
    with tempfile.TemporaryDirectory() as folder, sim.serve() as base_url:
        db = Database(f"sqlite:///{folder}/bench.db")
        migrate.upgrade(db)
        account = add_account(
            db, "bench", base_url, TOKEN, send_limit_per_minute=10, timeout_seconds=30,
            gateway="ofauth", gateway_account=CONNECTION,
        )
        with client_for(account, TOKEN, timeout=30) as client:
            client._http.event_hooks["response"].append(lambda r: statuses.append(r.status_code))
            started = time.monotonic()
            progress = lambda stage, count: waits.append(count) if stage.startswith("pacing") else None  # noqa: E731
            report = InboundSync(db, account.id, client, progress=progress).full()
            took = time.monotonic() - started
        db.dispose()
    requests = len(statuses)
    floor = max(0, requests - args.burst) / args.rate * 60
    print(f"fans {args.fans}, bucket {args.rate}/min burst {args.burst}")
    print(f"synced: {report.fans} fans, {report.chats} chats, {report.messages} messages, "
          f"{report.transactions} transactions, {report.media} media")
    print(f"requests {requests}, 429s {statuses.count(429)}, other errors "
          f"{sum(1 for s in statuses if s >= 400 and s != 429)}")
    print(f"time {took:.1f} s, bucket floor {floor:.1f} s ({took / floor:.2f}x)" if floor else
          f"time {took:.1f} s (within the burst)")
    print(f"pacing waits reported to progress: {len(waits)}")
    return 0 if statuses.count(429) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
