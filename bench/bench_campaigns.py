"""Campaign speed at scale: the live count and the launch, against hand-written SQL.

Generates an account with ``--fans`` fans (default 100,000) in a fresh database, then:

- **count**: for several segments, the composer's exact count (``campaigns.count``),
  median of 7 runs, against the same count written by hand in SQL (target: < 100 ms and
  within 2x);
- **launch**: a campaign to every active fan (freeze and enqueue, placeholders filled),
  against a bare ``INSERT … SELECT`` of the same rows with a fixed text (target: < 5 s
  for 100k and within 3x).

Usage::

    python bench/bench_campaigns.py                       # SQLite in a temp dir
    python bench/bench_campaigns.py --db postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.devdata.generate import default_now, generate
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database

SEGMENTS = {
    "all active": (Segment(), "subscription_status = 'active'"),
    "spent >= $20, not seen 7 d": (
        Segment(min_spent_cents=2000, inactive_days=7),
        "subscription_status = 'active' AND total_spent_cents >= 2000 "
        "AND (last_seen_at IS NULL OR last_seen_at < :d7)",
    ),
    "bought something in 30 d": (
        Segment(purchased_days=30),
        "subscription_status = 'active' "
        "AND id IN (SELECT fan_id FROM transactions WHERE account_id = :a AND created_at >= :d30 AND type != 'subscription' AND fan_id IS NOT NULL)",
    ),
    "never bought a PPV, not messaged 7 d, no live chat 30 min": (
        Segment(bought_ppv=False, not_messaged_days=7, skip_live_minutes=30),
        "subscription_status = 'active' "
        "AND id NOT IN (SELECT fan_id FROM transactions WHERE account_id = :a AND type = 'message' AND fan_id IS NOT NULL) "
        "AND id NOT IN (SELECT fan_id FROM messages WHERE account_id = :a AND created_at >= :d7 AND direction = 'out') "
        "AND id NOT IN (SELECT fan_id FROM conversations WHERE account_id = :a AND last_message_at >= :m30)",
    ),
}


def median_ms(run: Callable[[], object], times: int = 7) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--fans", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=300_000)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    db = Database(url)
    migrate.upgrade(db)
    now = default_now()
    started = time.perf_counter()
    generate(db, account="bench", fans=args.fans, messages=args.messages, now=now)
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
    print(f"{db.engine.dialect.name}: generated {args.fans:,} fans, {args.messages:,} messages "
          f"in {time.perf_counter() - started:.1f} s")
    account = get_account(db, "bench").id
    from datetime import timedelta

    binds = {"a": account, "d30": now - timedelta(days=30), "d7": now - timedelta(days=7),
             "m30": now - timedelta(minutes=30)}
    print(f"\n{'count (median of 7)':<60} ours      by hand   ratio")
    for name, (segment, where) in SEGMENTS.items():
        found = campaigns.count(db, account, segment, now).recipients
        sql = text(f"SELECT count(*) FROM fans WHERE account_id = :a AND {where}")
        with db.read() as session:
            by_hand = session.execute(sql, binds).scalar()
        assert found == by_hand, (name, found, by_hand)

        def hand() -> None:
            with db.read() as session:
                session.execute(sql, binds).scalar()

        ours = median_ms(lambda s=segment: campaigns.count(db, account, s, now))
        theirs = median_ms(hand)
        print(f"  {name:<56} {ours:6.1f} ms {theirs:6.1f} ms  {ours / theirs:4.2f}x  ({found:,})")

    spec = CampaignSpec("bench", "Hey {nickname|babe}, {name|you}!")
    start = time.perf_counter()
    created = campaigns.create(db, account, spec, created_by="bench", now=now)
    ours = time.perf_counter() - start
    bare = text(
        "INSERT INTO outbound_messages (account_id, fan_id, campaign_id, kind, priority, text, "
        "price_cents, media_ids, preview_ids, state, attempts, max_attempts, next_attempt_at, "
        "created_by, created_at, updated_at) SELECT account_id, id, NULL, 'campaign', 30, 'Hey', "
        "0, '[]', '[]', 'queued', 0, 5, :now, 'bench', :now, :now FROM fans "
        "WHERE account_id = :a AND subscription_status = 'active'"
    )
    start = time.perf_counter()
    with db.write() as session:
        session.execute(bare, {"a": account, "now": now})
    theirs = time.perf_counter() - start
    print(f"\nlaunch of {created.recipients:,} recipients (check, freeze, enqueue, placeholders): "
          f"{ours:.2f} s; bare INSERT … SELECT: {theirs:.2f} s; ratio {ours / theirs:.2f}x")
    print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
    db.dispose()


if __name__ == "__main__":
    main()
