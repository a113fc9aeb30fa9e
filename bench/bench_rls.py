"""Row-level security: the inbox as a chatter's role costs what it costs the owner.

On PostgreSQL only (SQLite has no roles). On the 100k-fan / 1M-message account of
``bench_inbox.py`` (generated once into the given database), a throw-away team is set
up (group roles and a chatter granted that account, all named for this run and dropped
afterwards), then the same queries are timed as the owner (who bypasses row-level
security) and as the chatter, taking turns run by run so a busy moment of a shared
machine hits both alike:

- the first inbox screen (the window of 100 rows and the top thread's page);
- search, first window, for a username, part of one, a first name, a rare, a common
  and a very common word, two words, and two letters: each, and all together.

Targets: chatter / owner within 1.2x for the first screen and for search (the sum of
the searches' medians). The chatter's plans are printed: the grants are read once per
statement (an InitPlan) and the account's indexes still drive every query.

    python bench/bench_rls.py --postgres postgresql://postgres@127.0.0.1/bench
    python bench/bench_rls.py --postgres URL --runs 31

``bench(options)`` gives ``bench/run.py`` its rows (skipped without ``--postgres``);
``main()`` prints the same table on its own.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inbox import (  # noqa: E402
    BIG,
    WINDOW,
    InboxFilter,
    bench_account_id,
    ensure_bench_db,
    first_screen,
)

from harness import NO_TARGET, Options, Result, Target, skipped, table  # noqa: E402

from ofcrm_tui.core import access, inbox  # noqa: E402
from ofcrm_tui.core.accounts import list_accounts  # noqa: E402
from ofcrm_tui.store import diagnostics  # noqa: E402
from ofcrm_tui.store.database import Database, parse_url  # noqa: E402
from ofcrm_tui.store.enums import TeamKind  # noqa: E402

TARGET_RATIO = 1.2
RUNS = 21
# (needle, what): the searches of bench_inbox.py; the username ones are filled in.
SEARCHES = [
    (None, "a username"),
    (None, "part of a username"),
    ("Mark", "a first name"),
    ("Reykjavik", "a rare word"),
    ("tokyo", "a common word"),
    ("pizza", "a very common word"),
    ("pineapple piz", "two words, the last a prefix"),
    ("jo", "two letters"),
]


@contextmanager
def chatter_of(owner: Database, account_id: int) -> Iterator[Database]:
    """A database logged in as a chatter granted ``account_id`` only (roles of this run,
    dropped afterwards, with their privileges)."""
    run = uuid.uuid4().hex[:8]
    groups = access.TeamGroups.named(f"ofcrm_bench_{run}")
    role = f"bench_chatter_{run}"
    name = next(a.name for a in list_accounts(owner) if a.id == account_id)
    access.init_team(owner, groups)
    try:
        access.add_chatter(owner, role, [name], groups=groups)
        chatter = Database(make_url(owner.url).set(username=role))
        try:
            yield chatter
        finally:
            chatter.dispose()
            access.remove_member(owner, role, TeamKind.CHATTER, groups)
    finally:
        _drop_roles(owner, [role, groups.chatter, groups.worker])


def _drop_roles(owner: Database, roles: list[str]) -> None:
    admin = create_engine(parse_url(owner.url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for role in roles:
                exists = connection.exec_driver_sql(
                    "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).first()
                if exists:
                    connection.exec_driver_sql(f'DROP OWNED BY "{role}"')
                    connection.exec_driver_sql(f'DROP ROLE "{role}"')
    finally:
        admin.dispose()


def alternating(owner: Callable[[], Any], chatter: Callable[[], Any],
                runs: int) -> tuple[float, float]:
    """Medians (ms) of ``owner`` and ``chatter``, run in turns after one warm-up each;
    the results must agree (the same rows for both)."""
    assert owner() == chatter(), "the owner and the chatter see different rows"
    times: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = ((0, owner), (1, chatter)) if run % 2 == 0 else ((1, chatter), (0, owner))
        for slot, call in order:
            start = time.perf_counter()
            call()
            times[slot].append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def _row(name: str, owner_ms: float, chatter_ms: float, *, target: bool) -> Result:
    """The chatter's median against the owner's, measured in turns, as the floor."""
    return Result(name, chatter_ms, "ms", floor=owner_ms, floor_name="the owner",
                  target=Target(ratio_max=TARGET_RATIO) if target else NO_TARGET,
                  backend="postgresql")


def measure(url: str, fans: int, messages: int, runs: int) -> list[Result]:
    """The figures on the PostgreSQL database at ``url`` (the dataset built once)."""
    url = ensure_bench_db(fans, messages, postgres_url=url)
    owner = Database(url)
    found: list[Result] = []
    try:
        account = bench_account_id(owner, fans, messages)
        top = inbox.conversations_window(owner, account, InboxFilter(), 0, 1)[0]
        needles = [(needle or (top.username if i == 0 else top.username[2:7]), what)
                   for i, (needle, what) in enumerate(SEARCHES)]
        with chatter_of(owner, account) as chatter:
            print(f"\n{owner.url_for_display}: account {account}, {fans:,} fans, "
                  f"{messages:,} messages; {runs} runs each, in turns")
            screen = alternating(lambda: first_screen(owner, account),
                                 lambda: first_screen(chatter, account), runs)
            found.append(_row("inbox first screen as a chatter's role (RLS)", *screen,
                              target=True))
            totals = [0.0, 0.0]
            for needle, what in needles:
                flt = InboxFilter(query=needle)
                medians = alternating(
                    lambda flt=flt: inbox.conversations_window(owner, account, flt, 0, WINDOW),
                    lambda flt=flt: inbox.conversations_window(chatter, account, flt, 0, WINDOW),
                    runs,
                )
                totals = [totals[0] + medians[0], totals[1] + medians[1]]
                print(f"  search {what} ({needle!r}): chatter {medians[1]:.2f} ms, "
                      f"owner {medians[0]:.2f} ms")
            found.append(_row(f"search first windows as a chatter's role, {len(needles)} "
                              "searches together", *totals, target=True))
            _print_plans(chatter, account)
    finally:
        owner.dispose()
    return found


def _print_plans(chatter: Database, account: int) -> None:
    print("\nthe chatter's plans:")
    for label, call in (
        ("first window", lambda: inbox.conversations_window(chatter, account, InboxFilter(),
                                                            0, WINDOW)),
        ("search 'Reykjavik'", lambda: inbox.conversations_window(
            chatter, account, InboxFilter(query="Reykjavik"), 0, WINDOW)),
    ):
        with diagnostics.captured_sql(chatter) as statements:
            call()
        print(f"  {label}:")
        for statement in statements:
            if "conversations.id" in statement[0]:
                for line in diagnostics.query_plan(chatter, *statement):
                    print(f"      {line}")


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    found.add_argument("--postgres", metavar="URL", help="the PostgreSQL database (required)")
    found.add_argument("--fans", type=int, default=BIG[0], help="fans (default 100,000)")
    found.add_argument("--messages", type=int, default=BIG[1],
                       help="messages (default 1,000,000)")
    found.add_argument("--runs", type=int, default=RUNS,
                       help=f"timed runs of each, as each role (default {RUNS})")
    return found


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not args.postgres:
        print("row-level security is PostgreSQL's: give --postgres URL", file=sys.stderr)
        return 2
    print(table(measure(args.postgres, args.fans, args.messages, args.runs)))
    return 0


# -- the runner's rows (bench/run.py) ---------------------------------------------------


def bench(options: Options) -> list[Result]:
    if not options.postgres:
        return [skipped("inbox and search as a chatter's role (RLS)", "needs --postgres URL",
                        backend="postgresql")]
    return measure(options.postgres, *BIG, options.repeat(RUNS))


if __name__ == "__main__":
    sys.exit(main())
