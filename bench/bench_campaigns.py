"""Campaign speed at scale: the live count and the launch, against hand-written SQL.

On a generated account of 100,000 fans / 300,000 messages with transactions (cached
under ``bench/.data/``; on PostgreSQL an account named after the sizes), measures:

- **count**: for several segments, the composer's exact count (``campaigns.count``),
  median of 7 runs, against the same count written by hand in SQL (target: < 100 ms and
  within 2x); a campaign goes to fans on the platform only (``Fan.on_platform``, 0029),
  so the hand-written SQL says so too (``ON_PLATFORM``);
- **launch**: a campaign to every active fan (freeze and enqueue, placeholders filled),
  against a bare ``INSERT … SELECT`` of the same rows with a fixed text (target: < 5 s
  for 100k and within 3x). Both are deleted again afterwards, so the cached account
  stays as generated.

Usage::

    python bench/bench_campaigns.py                       # SQLite, cached file
    python bench/bench_campaigns.py --postgres postgresql://postgres@127.0.0.1/bench

In ``bench/run.py`` it gives a row per segment count and one for the launch.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inbox import NOW, bench_account_id, ensure_bench_db  # noqa: E402
from harness import Options, Result, Target, per_backend, timed  # noqa: E402

from ofcrm_tui.core import campaigns  # noqa: E402
from ofcrm_tui.core.campaigns import CampaignSpec, Segment  # noqa: E402
from ofcrm_tui.store.database import Database  # noqa: E402
from ofcrm_tui.store.models import Campaign, OutboundMessage  # noqa: E402

FANS, MESSAGES = 100_000, 300_000
# Recipients are active fans on the platform: the rule every hand-written count states.
ON_PLATFORM = "platform_user_id IS NOT NULL"
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
        "subscription_status = 'active' AND ppv_purchases <= 0 "
        "AND (last_outbound_at IS NULL OR last_outbound_at < :d7) "
        "AND (last_chat_at IS NULL OR last_chat_at < :m30)",
    ),
}
THREE_CONDITIONS = "never bought a PPV, not messaged 7 d, no live chat 30 min"
# The facts the three conditions read on the fan row (0021), checked once against
# the rows they are kept from (the SQL of before 0021; ~70-110 ms on PostgreSQL).
FROM_SOURCES = {
    THREE_CONDITIONS: "subscription_status = 'active' "
    "AND id NOT IN (SELECT fan_id FROM transactions WHERE account_id = :a AND type = 'message' AND fan_id IS NOT NULL) "
    "AND id NOT IN (SELECT fan_id FROM messages WHERE account_id = :a AND created_at >= :d7 AND direction = 'out') "
    "AND id NOT IN (SELECT fan_id FROM conversations WHERE account_id = :a AND last_message_at >= :m30)",
}
BARE_LAUNCH = text(
    "INSERT INTO outbound_messages (account_id, fan_id, campaign_id, kind, priority, text, "
    "price_cents, media_ids, preview_ids, state, attempts, tries, max_attempts, next_attempt_at, "
    "created_by, created_at, updated_at) SELECT account_id, id, NULL, 'campaign', 30, 'Hey', "
    "0, '[]', '[]', 'queued', 0, 0, 5, :now, 'bench', :now, :now FROM fans "
    f"WHERE account_id = :a AND subscription_status = 'active' AND {ON_PLATFORM}"
)


@dataclass(frozen=True)
class Count:
    segment: str
    ours_ms: float
    by_hand_ms: float
    recipients: int


@dataclass(frozen=True)
class Launch:
    ours_s: float
    bare_s: float
    recipients: int


def data_url(postgres_url: str | None = None) -> str:
    return ensure_bench_db(FANS, MESSAGES, transactions=True, postgres_url=postgres_url)


def counts(db: Database, account: int, runs: int) -> list[Count]:
    """Each segment's count both ways (checked equal), medians of ``runs``."""
    binds = {"a": account, "d30": NOW - timedelta(days=30), "d7": NOW - timedelta(days=7),
             "m30": NOW - timedelta(minutes=30)}
    found = []
    for name, (segment, where) in SEGMENTS.items():
        sql = text(f"SELECT count(*) FROM fans WHERE account_id = :a AND {ON_PLATFORM} AND {where}")

        def by_hand(sql=sql) -> int:  # noqa: ANN001 - the statement of this segment
            with db.read() as session:
                return int(session.execute(sql, binds).scalar_one())

        ours = timed(lambda s=segment: campaigns.count(db, account, s, NOW).recipients, runs)
        theirs = timed(by_hand, runs)
        assert ours.result == theirs.result, (name, ours.result, theirs.result)
        if name in FROM_SOURCES:
            with db.read() as session:
                sources = session.execute(
                    text(f"SELECT count(*) FROM fans WHERE account_id = :a AND {FROM_SOURCES[name]}"),
                    binds,
                ).scalar_one()
            assert ours.result == sources, (name, ours.result, sources)
        found.append(Count(name, ours.median_ms, theirs.median_ms, ours.result))
        print(f"  {name:<58} {ours.median_ms:6.1f} ms {theirs.median_ms:6.1f} ms  "
              f"{ours.median_ms / theirs.median_ms:4.2f}x  ({ours.result:,})", flush=True)
    return found


def _clear(db: Database, account: int) -> None:
    """Remove every campaign and queued row of the bench account (it has none of its own)."""
    with db.write() as session:
        session.execute(delete(OutboundMessage).where(OutboundMessage.account_id == account))
        session.execute(delete(Campaign).where(Campaign.account_id == account))


def launch(db: Database, account: int) -> Launch:
    """A campaign to every active fan against a bare ``INSERT … SELECT``, each committed."""
    _clear(db, account)
    try:
        spec = CampaignSpec("bench", "Hey {name|babe}, {username}!")
        start = time.perf_counter()
        created = campaigns.create(db, account, spec, created_by="bench", now=NOW)
        ours = time.perf_counter() - start
        _clear(db, account)
        start = time.perf_counter()
        with db.write() as session:
            session.execute(BARE_LAUNCH, {"a": account, "now": NOW})
        bare = time.perf_counter() - start
    finally:
        _clear(db, account)
    print(f"\nlaunch of {created.recipients:,} recipients (check, freeze, enqueue, placeholders): "
          f"{ours:.2f} s; bare INSERT … SELECT: {bare:.2f} s; ratio {ours / bare:.2f}x")
    return Launch(ours, bare, created.recipients)


def measure(postgres_url: str | None, runs: int) -> tuple[list[Count], Launch]:
    db = Database(data_url(postgres_url))
    try:
        account = bench_account_id(db, FANS, MESSAGES, transactions=True)
        print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
        print(f"{db.engine.dialect.name}: {FANS:,} fans, {MESSAGES:,} messages")
        print(f"\n{'count (median of ' + str(runs) + ')':<60} ours      by hand   ratio")
        found = counts(db, account, runs)
        launched = launch(db, account)
        print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
        return found, launched
    finally:
        db.dispose()


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 50
RUNS = 7


def prepare(options: Options) -> None:
    for url in {None, options.postgres}:
        data_url(url)


def rows(found: list[Count], launched: Launch, backend: str) -> list[Result]:
    result = [
        Result(f"segment count: {count.segment} ({count.recipients:,})", count.ours_ms, "ms",
               count.by_hand_ms, "by hand", Target(max=100, ratio_max=2), backend=backend,
               note="tests of the fan row's facts (0021), checked equal to the count from "
                    "transactions, messages and conversations" if count.segment in FROM_SOURCES
                    else "")
        for count in found
    ]
    result.append(Result(
        f"campaign launch, {launched.recipients:,} recipients", launched.ours_s, "s",
        launched.bare_s, "bare INSERT … SELECT", Target(max=5, ratio_max=3), backend=backend))
    return result


def bench(options: Options) -> list[Result]:
    return per_backend(options, "segment counts and launch",
                       lambda backend, url: rows(*measure(url, options.repeat(RUNS)), backend))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="an account in this PostgreSQL database")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    measure(args.postgres, args.runs)


if __name__ == "__main__":
    main()
