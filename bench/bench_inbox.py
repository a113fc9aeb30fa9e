"""Inbox data at scale: does the first screen cost the same at 100 fans and at 100k?

Generates (once, cached under ``bench/.data/``) a 100-fan account and a
100k-conversation / 1M-message account with ``ofcrm_tui.devdata.generate``, then measures
on each, in one run:

- the first inbox screen's data: the first window of 100 rows (the app's page) + the
  top thread's newest page, and the ratio big / small (target <= 1.3); the count the
  app fills in after drawing them, and the screen with it;
- opening a thread (``thread_page``) and paging back in it;
- search (the first window, what the app draws first; the count, which follows) for
  names, rare and common words (target < 50 ms);
- a window deep in the list, by keyset from an anchor and by plain offset;
- every filter's count and first window;
- the query plans of the unfiltered window and count.

Usage::

    python bench/bench_inbox.py                      # SQLite, cached files
    python bench/bench_inbox.py --postgres postgresql://postgres@127.0.0.1/test
    python bench/bench_inbox.py --fans 20000 --messages 200000 --runs 20

Reusable pieces for other benchmarks: ``ensure_bench_db(fans, messages) -> url``,
``cached_sqlite(file_name, build) -> url``, ``bench_account_id(db, fans, messages)``,
``first_screen(db, account_id)``; ``timed(fn, runs)`` (from ``harness``). In
``bench/run.py`` it gives the first screen, thread page and search rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import Options, Result, Target, Timing, per_backend, timed
from sqlalchemy import func, select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter as _Filter
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store import diagnostics, migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Message

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
SEED = 1
# A fixed "now", so a cached file and a fresh one hold the same rows.
NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Bump when the generator's output changes, so cached files are made again.
DATA_VERSION = 2
ACCOUNT = "bench"
SMALL = (100, 1_000)
BIG = (100_000, 1_000_000)
WINDOW = 100  # the conversation list's page

# -- data ------------------------------------------------------------------------------


def _account_name(fans: int, messages: int, seed: int, transactions: bool = False) -> str:
    return f"bench-f{fans}-m{messages}-s{seed}-v{DATA_VERSION}" + ("-tx" if transactions else "")


def cached_sqlite(name: str, build: Callable[[Database], None]) -> str:
    """URL of ``bench/.data/<name>``, built by ``build`` (given the database at the
    current schema) the first time, and upgraded in place when the schema moved on.

    The file is built under another name and renamed when complete, so an interrupted
    build is never taken for a cached one.
    """
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / name
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        db = Database(f"sqlite:///{partial}")
        try:
            migrate.upgrade(db)
            build(db)
            with db.engine.connect() as connection:  # fold the WAL into the file first
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.dispose()
        os.replace(partial, path)
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    db = Database(url)
    try:
        migrate.upgrade(db)  # a file from an older schema upgrades in place
    finally:
        db.dispose()
    return url


def ensure_bench_db(
    fans: int,
    messages: int,
    *,
    seed: int = SEED,
    transactions: bool = False,
    postgres_url: str | None = None,
) -> str:
    """URL of a database at the current schema holding the generated bench account
    (``transactions``: with the generator's transactions, as analytics and segments
    need).

    SQLite: one file per parameter set under ``bench/.data/``, generated once and
    reused. PostgreSQL: an account named after the parameters in the given database,
    generated if missing.
    """
    name = _account_name(fans, messages, seed, transactions)
    if postgres_url:
        db = Database(postgres_url)
        try:
            migrate.upgrade(db)
            with db.read() as session:
                exists = session.scalar(select(Account.id).where(Account.name == name))
            if exists is None:
                _generate(db, name, fans, messages, seed, transactions)
        finally:
            db.dispose()
        return postgres_url
    file = f"inbox-f{fans}-m{messages}-s{seed}-v{DATA_VERSION}{'-tx' if transactions else ''}.db"
    return cached_sqlite(file, lambda db: _generate(db, ACCOUNT, fans, messages, seed, transactions))


def _generate(db: Database, name: str, fans: int, messages: int, seed: int, transactions: bool) -> None:
    print(f"generating {fans:,} fans / {messages:,} messages into {db.url_for_display} ...", flush=True)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  {stage} {done:,}/{total:,}", flush=True)

    report = generate(
        db, account=name, fans=fans, messages=messages, seed=seed, transactions=transactions,
        now=NOW, progress=progress,
    )
    print(f"  done in {report.seconds:.1f} s", flush=True)


def bench_account_id(
    db: Database, fans: int, messages: int, seed: int = SEED, *, transactions: bool = False
) -> int:
    exact = _account_name(fans, messages, seed, transactions)
    with db.read() as session:  # the account named after the sizes first (PostgreSQL)
        found = session.scalars(
            select(Account.id).where(Account.name.in_((exact, ACCOUNT)))
            .order_by((Account.name == exact).desc())
        ).first()
    if found is None:
        raise SystemExit(f"no bench account in {db.url_for_display}")
    return found


ORDER = "fan"  # the app's default; --order activity measures the other


def InboxFilter(**fields: object) -> _Filter:  # noqa: N802 - stands for the class
    """The filter in the order measured."""
    return _Filter(order=ORDER, **fields)  # type: ignore[arg-type]


def first_screen(db: Database, account_id: int, flt: _Filter | None = None) -> int:
    """What the inbox draws first: the first window and the top thread's page."""
    flt = flt or InboxFilter()
    rows = inbox.conversations_window(db, account_id, flt, 0, WINDOW)
    return len(inbox.thread_page(db, account_id, rows[0].conversation_id)) if rows else 0


def counted_screen(db: Database, account_id: int) -> int:
    """The first screen and the count the list fills in after it."""
    first_screen(db, account_id)
    return inbox.count_conversations(db, account_id, InboxFilter())


# -- the run ---------------------------------------------------------------------------


def _plans(db: Database, call: Callable[[], Any]) -> list[str]:
    with diagnostics.captured_sql(db) as statements:
        call()
    return diagnostics.query_plan(db, *statements[0])


def _line(label: str, timing: Timing, extra: str = "") -> None:
    print(f"  {label:<44} {timing}{('  ' + extra) if extra else ''}")


def run(small_url: str, big_url: str, runs: int, sizes: tuple[tuple[int, int], tuple[int, int]]) -> dict[str, Any]:
    (small_fans, small_messages), (big_fans, big_messages) = sizes
    small = Database(small_url)
    big = Database(big_url)
    figures: dict[str, Any] = {}
    try:
        small_id = bench_account_id(small, small_fans, small_messages)
        big_id = bench_account_id(big, big_fans, big_messages)
        print(f"\nbackend: {big.engine.dialect.name}; runs per figure: {runs} (median, p90, first call)")

        print(f"\n== first inbox screen: window of {WINDOW} + top thread page (the count follows)")
        screens = {}
        for label, db, account in (("small", small, small_id), ("big", big, big_id)):
            screens[label] = timed(lambda db=db, account=account: first_screen(db, account), runs)
            _line(label, screens[label])
        ratio = screens["big"].median_ms / screens["small"].median_ms
        figures["first_screen_small_ms"] = screens["small"].median_ms
        figures["first_screen_big_ms"] = screens["big"].median_ms
        figures["first_screen_ratio"] = ratio
        print(f"  ratio big/small: {ratio:.2f}  (target <= 1.3)")
        counted = {}
        for label, db, account in (("small", small, small_id), ("big", big, big_id)):
            counted[label] = timed(lambda db=db, account=account: counted_screen(db, account), runs)
            _line(f"{label}, with the count ({counted[label].result:,})", counted[label])
        figures["counted_screen_ratio"] = counted["big"].median_ms / counted["small"].median_ms
        print(f"  ratio big/small with the count: {figures['counted_screen_ratio']:.2f}")
        count_only = timed(lambda: inbox.count_conversations(big, big_id, InboxFilter()), runs)
        _line("big: the count alone", count_only)
        figures["count_big_ms"] = count_only.median_ms
        cold_db = Database(big_url)
        try:
            cold = timed(lambda: first_screen(cold_db, big_id), 0)
        finally:
            cold_db.dispose()
        print(f"  big, new Database object (connect + first queries): {cold.first_ms:.2f} ms")

        small_top = inbox.conversations_window(small, small_id, InboxFilter(), 0, 1)[0]
        timing = timed(lambda: inbox.thread_page(small, small_id, small_top.conversation_id), runs)
        _line("small: the top thread's newest page", timing)
        figures["thread_small_ms"] = timing.median_ms

        print("\n== thread open at the big size")
        with big.read() as session:
            sizes_by_thread = session.execute(
                select(Message.conversation_id, func.count())
                .where(Message.account_id == big_id)
                .group_by(Message.conversation_id)
                .order_by(func.count().desc())
            ).all()
        biggest, biggest_size = sizes_by_thread[0]
        typical, typical_size = sizes_by_thread[len(sizes_by_thread) // 2]
        for label, conversation in ((f"typical thread ({typical_size} messages)", typical),
                                    (f"biggest thread ({biggest_size:,} messages)", biggest)):
            timing = timed(lambda c=conversation: inbox.thread_page(big, big_id, c), runs)
            _line(label, timing)
            figures[f"thread_{'typical' if conversation == typical else 'biggest'}_ms"] = timing.median_ms
        figures["thread_biggest_messages"] = biggest_size
        deep = inbox.thread_page(big, big_id, biggest, limit=biggest_size // 2)[-1].platform_message_id
        timing = timed(lambda: inbox.thread_page(big, big_id, biggest, before_platform_id=deep), runs)
        _line("older page, half-way back in the biggest", timing)
        timing = timed(lambda: inbox.pending_in_thread(big, big_id, biggest), runs)
        _line("pending outbound rows of a thread", timing)
        timing = timed(lambda: inbox.conversation_header(big, big_id, biggest), runs)
        _line("conversation header", timing)

        print(f"\n== search at the big size: first window of {WINDOW} (drawn first) | the count (follows)")
        top = inbox.conversations_window(big, big_id, InboxFilter(), 0, 1)[0]
        needles = [
            (top.username, "a username"),
            (top.username[2:7], "part of a username"),
            ("Mark", "a first name"),
            ("Reykjavik", "a rare word (~0.1% of messages)"),
            ("tokyo", "a common word (~1.5%)"),
            ("pizza", "a very common word (~3%)"),
            ("pineapple piz", "two common words, last a prefix"),
            ("you", "a word in ~45% of messages"),
            ("jo", "two letters (names by LIKE on SQLite)"),
            ('"(NEAR*) -x', "hostile"),
        ]
        worst = worst_count = 0.0
        for needle, what in needles:
            flt = InboxFilter(query=needle)
            window = timed(lambda flt=flt: inbox.conversations_window(big, big_id, flt, 0, WINDOW), runs)
            count = timed(lambda flt=flt: inbox.count_conversations(big, big_id, flt), runs)
            print(f"  {f'{needle!r} ({what})':<54} {window.median_ms:6.2f} | {count.median_ms:6.2f} ms"
                  f"   ({count.result:,} conversations)")
            figures[f"search_{what}_ms"] = window.median_ms
            figures[f"search_{what}_count_ms"] = count.median_ms
            if window.median_ms > worst:
                worst, figures["search_worst_needle"] = window.median_ms, needle
            if count.median_ms > worst_count:
                worst_count, figures["search_worst_count_needle"] = count.median_ms, needle
        figures["search_worst_ms"] = worst
        figures["search_worst_count_ms"] = worst_count
        figures["search_needles"] = len(needles)
        print(f"  slowest search, first window: {worst:.1f} ms (target < 50)")
        pizza = InboxFilter(query="pizza")
        middle = inbox.conversations_window(big, big_id, pizza, 0, WINDOW)[WINDOW // 2]
        timing = timed(lambda: inbox.position_of(big, big_id, pizza, middle.conversation_id), runs)
        _line("'pizza': position of row 50 (a live reload)", timing)
        timing = timed(lambda: inbox.conversations_window(big, big_id, pizza, WINDOW, WINDOW, anchor=middle), runs)
        _line("'pizza': the next page by keyset", timing)

        print("\n== a window deep in the list (big)")
        total = inbox.count_conversations(big, big_id, InboxFilter())
        for offset in (5_000, total // 2, max(0, total - WINDOW)):
            anchor = inbox.conversations_window(big, big_id, InboxFilter(), offset - 1, 1)[0]
            by_keyset = timed(
                lambda o=offset, a=anchor: inbox.conversations_window(big, big_id, InboxFilter(), o, WINDOW, anchor=a),
                runs,
            )
            by_offset = timed(
                lambda o=offset: inbox.conversations_window(big, big_id, InboxFilter(), o, WINDOW), runs
            )
            assert by_keyset.result == by_offset.result
            _line(f"offset {offset:,}, keyset from the anchor", by_keyset)
            _line(f"offset {offset:,}, OFFSET (index-only skip)", by_offset)
            if offset == total // 2:
                figures["keyset_deep_ms"] = by_keyset.median_ms
                figures["offset_deep_ms"] = by_offset.median_ms

        print("\n== filters at the big size: count | first window | window at offset 5,000")
        for flt in (
            InboxFilter(unread_only=True),
            InboxFilter(purchased_only=True),
            InboxFilter(tag="vip"),
            InboxFilter(tag="whale"),
            InboxFilter(status="expired"),
            InboxFilter(status="active"),
            InboxFilter(unread_only=True, purchased_only=True),
        ):
            label = ", ".join(f"{k}={v!r}" for k, v in vars(flt).items() if v not in (None, False))
            count = timed(lambda flt=flt: inbox.count_conversations(big, big_id, flt), runs)
            window = timed(lambda flt=flt: inbox.conversations_window(big, big_id, flt, 0, WINDOW), runs)
            jump = timed(lambda flt=flt: inbox.conversations_window(big, big_id, flt, 5_000, WINDOW), max(3, runs // 3))
            print(f"  {label:<36} {count.median_ms:7.2f} | {window.median_ms:6.2f} | {jump.median_ms:7.2f} ms"
                  f"   ({count.result:,} rows)")
            figures[f"filter_{label}_count_ms"] = count.median_ms
            figures[f"filter_{label}_window_ms"] = window.median_ms

        print("\n== query plans (big)")
        for label, call in (
            ("window, unfiltered", lambda: inbox.conversations_window(big, big_id, InboxFilter(), 0, WINDOW)),
            ("count, unfiltered", lambda: inbox.count_conversations(big, big_id, InboxFilter())),
            ("window, unread only", lambda: inbox.conversations_window(big, big_id, InboxFilter(unread_only=True), 0, WINDOW)),
            ("count, purchased", lambda: inbox.count_conversations(big, big_id, InboxFilter(purchased_only=True))),
            ("keyset window", lambda: inbox.conversations_window(big, big_id, InboxFilter(), 1, WINDOW, anchor=top)),
            ("thread page", lambda: inbox.thread_page(big, big_id, biggest)),
        ):
            print(f"  {label}:")
            for line in _plans(big, call):
                print(f"      {line}")
    finally:
        small.dispose()
        big.dispose()
    return figures


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 10
RUNS = 7


def prepare(options: Options) -> None:
    """The two accounts, on SQLite and with ``--postgres`` on PostgreSQL."""
    for url in {None, options.postgres}:
        for fans, messages in (SMALL, BIG):
            ensure_bench_db(fans, messages, postgres_url=url)


def rows(figures: dict[str, Any], backend: str) -> list[Result]:
    """The figures the issues set targets for (the rest are in the log)."""
    small, big = f"{SMALL[0]:,} fans", f"{BIG[0] // 1000}k"
    window = figures["first_screen_big_ms"]
    return [
        Result(f"inbox first screen data, {big} vs {small}", window, "ms",
               figures["first_screen_small_ms"], small, Target(ratio_max=1.3), backend=backend,
               note="first window of 100 rows + the top thread's newest page; the count follows"),
        Result(f"thread page, biggest thread ({figures['thread_biggest_messages']:,} msgs)",
               figures["thread_biggest_ms"], "ms", figures["thread_small_ms"], small,
               Target(ratio_max=1.3), backend=backend),
        Result(f"search first window, slowest of {figures['search_needles']} "
               f"({figures['search_worst_needle']!r})", figures["search_worst_ms"], "ms",
               window, "no search", Target(max=50), backend=backend),
        Result(f"search exact count, slowest ({figures['search_worst_count_needle']!r})",
               figures["search_worst_count_ms"], "ms", window, "no search", backend=backend,
               note="drawn after the rows: the list never waits for it"),
    ]


def bench(options: Options) -> list[Result]:
    def measure(backend: str, url: str | None) -> list[Result]:
        small, big = ensure_bench_db(*SMALL, postgres_url=url), ensure_bench_db(*BIG, postgres_url=url)
        return rows(run(small, big, options.repeat(RUNS), (SMALL, BIG)), backend)

    return per_backend(options, "inbox data", measure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="run on this PostgreSQL database instead of SQLite files")
    parser.add_argument("--fans", type=int, default=BIG[0], help="fans of the big account (default 100,000)")
    parser.add_argument("--messages", type=int, default=BIG[1], help="messages of the big account (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per figure (default 15)")
    parser.add_argument("--order", choices=("fan", "activity"), default="fan",
                        help="the inbox order measured (default: fan, the app's default)")
    args = parser.parse_args(argv)
    global ORDER
    ORDER = args.order
    sizes = (SMALL, (args.fans, args.messages))
    small_url = ensure_bench_db(*SMALL, postgres_url=args.postgres)
    big_url = ensure_bench_db(args.fans, args.messages, postgres_url=args.postgres)
    run(small_url, big_url, args.runs, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
