"""Analytics at scale: each period's dashboard against the same aggregates in plain SQL.

Data: 100k fans / 1M messages from ``ofcrm_tui.core.generate`` (seed 1, the inbox
bench's fixed "now"), with its transactions (~252k), topped up here to 300k with
stream transactions (a type the generator does not make) spread over the year, and 5
campaigns delivering 2,000 of the PPV messages (the generator makes no campaigns).
Cached under ``bench/.data/``.

For each period (today, 7, 30, 90 days and a year in UTC, and 90 days in Paris and
Kolkata, ending at the data's "now"), it times ``analytics.figures.dashboard`` (every
query of a screen refresh, one unit of work, reading the rollups of migration 0016) and
the same aggregates written by hand as plain SQL over the rows on the driver connection,
in the same process, checks both give the same figures, and prints medians and the
ratio (targets: dashboard < 300 ms, ratio <= 1.5).

Usage::

    python bench/bench_analytics.py              # SQLite, cached file
    python bench/bench_analytics.py --runs 7

In ``bench/run.py`` it gives one row per period (``--runs 3``); SQLite only (the plain
SQL is SQLite's).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_inbox import NOW, SEED, cached_sqlite  # noqa: E402
from harness import Options, Result, Target, timed  # noqa: E402

from ofcrm_tui.core.analytics import period as periods  # noqa: E402
from ofcrm_tui.core.analytics.chatters import REPLY_WINDOW, mean_cents  # noqa: E402
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, dashboard  # noqa: E402
from ofcrm_tui.devdata.generate import generate  # noqa: E402
from ofcrm_tui.store.database import Database  # noqa: E402
from ofcrm_tui.store.models import (  # noqa: E402
    Account,
    Campaign,
    Fan,
    Message,
    OutboundMessage,
    Transaction,
)

FANS, MESSAGES, TRANSACTIONS = 100_000, 1_000_000, 300_000
CAMPAIGNS, CAMPAIGN_MESSAGES = 5, 2_000
DATA_VERSION = 2  # 2: one campaign message per fan (the unique index of 0013)
PERIODS = {"today": 1, "7 days": 7, "30 days": 30, "90 days": 90, "365 days (weekly)": 365}
# The same 90 days where midnight is not a UTC midnight (Paris) or not even a UTC hour
# (India): the edges the rollups do not cover are read from the rows.
ZONED = {"90 days, Paris": "Europe/Paris", "90 days, Kolkata": "Asia/Kolkata"}


# -- data ------------------------------------------------------------------------------


def ensure_data() -> str:
    """URL of the cached analytics file (built the first time: ~3 minutes)."""
    return cached_sqlite(
        f"analytics-f{FANS}-m{MESSAGES}-t{TRANSACTIONS}-s{SEED}-v{DATA_VERSION}.db", _build)


def _build(db: Database) -> None:
    print(f"generating {FANS:,} fans / {MESSAGES:,} messages ...", flush=True)
    report = generate(db, account="bench", fans=FANS, messages=MESSAGES, seed=SEED,
                      now=NOW, transactions=True)
    _top_up(db, report.account_id)
    with db.engine.begin() as connection:  # statistics for the planner
        connection.exec_driver_sql("ANALYZE")


def _top_up(db: Database, account_id: int) -> None:
    rng = random.Random(SEED)
    with db.write() as session:
        have = session.scalar(select(func.count()).select_from(Transaction))
        fans = session.execute(select(Fan.id, Fan.platform_user_id)).all()
        rows = []
        for index in range(TRANSACTIONS - have):
            fan_id, user_id = rng.choice(fans)
            amount = rng.randrange(500, 5_000)
            rows.append({
                "account_id": account_id, "platform_transaction_id": 990_000_000 + index,
                "fan_id": fan_id, "platform_user_id": user_id, "type": "stream",
                "amount_cents": amount, "net_cents": amount - amount // 5, "fee_cents": amount // 5,
                "currency": "USD", "description": "stream", "status": "done",
                "created_at": NOW - timedelta(seconds=rng.randrange(365 * 86_400)),
            })
        session.execute(insert(Transaction), rows)
        # One PPV message per fan: a campaign reaches a fan once (unique per campaign).
        ppv: dict[int, tuple[int, int, int]] = {}
        for fan_id, pmid, price in session.execute(
            select(Message.fan_id, Message.platform_message_id, Message.price_cents)
            .where(Message.account_id == account_id, Message.direction == "out",
                   Message.price_cents > 0)
            .order_by(Message.id)
        ):
            ppv.setdefault(fan_id, (fan_id, pmid, price))
        campaigns = [Campaign(account_id=account_id, name=f"campaign {i}", text="x", created_by="anna")
                     for i in range(CAMPAIGNS)]
        session.add_all(campaigns)
        session.flush()
        session.execute(insert(OutboundMessage), [
            {"account_id": account_id, "fan_id": fan_id, "campaign_id": rng.choice(campaigns).id,
             "kind": "campaign", "priority": 30, "text": "x", "price_cents": price, "state": "sent",
             "platform_message_id": pmid, "created_by": "anna", "created_at": NOW, "updated_at": NOW,
             "next_attempt_at": NOW, "media_ids": [], "preview_ids": []}
            for fan_id, pmid, price in rng.sample(list(ppv.values()), CAMPAIGN_MESSAGES)
        ])


# -- plain SQL (SQLite) ------------------------------------------------------------------

PLAIN = {
    "series": """SELECT date(created_at), type, sum(amount_cents), sum(net_cents) FROM transactions
        WHERE account_id = :a AND created_at >= :start AND created_at < :end GROUP BY 1, 2""",
    "top": """SELECT f.id, f.username, s.c, s.n FROM (SELECT fan_id, sum(amount_cents) AS c, count(*) AS n
        FROM transactions WHERE account_id = :a AND created_at >= :start AND created_at < :end
        AND fan_id IS NOT NULL GROUP BY fan_id ORDER BY c DESC, fan_id LIMIT 10) AS s
        JOIN fans AS f ON f.id = s.fan_id WHERE f.account_id = :a ORDER BY s.c DESC, f.id""",
    "fans": """SELECT count(*), sum(subscription_status = 'active' OR expires_at >= :end),
        sum(coalesce(subscribed_at, created_at) >= :start),
        sum(subscription_status = 'expired' AND expires_at >= :start AND expires_at < :end),
        sum(total_spent_cents) FROM fans
        WHERE account_id = :a AND coalesce(subscribed_at, created_at) < :end""",
    "chatters": """SELECT sent_by, count(*), sum(price_cents > 0), sum(price_cents > 0 AND is_opened),
        sum(CASE WHEN price_cents > 0 AND is_opened THEN price_cents ELSE 0 END) FROM messages
        WHERE account_id = :a AND direction = 'out' AND created_at >= :start AND created_at < :end
        GROUP BY sent_by""",
    "replies": """WITH replies AS (SELECT sent_by AS chatter, reply_seconds AS wait FROM messages
          WHERE account_id = :a AND direction = 'out' AND created_at >= :start AND created_at < :end
          AND reply_seconds <= :window),
        scoped AS (SELECT 0 AS scope, NULL AS chatter, wait FROM replies
          UNION ALL SELECT 1, chatter, wait FROM replies),
        ranked AS (SELECT scope, chatter, wait,
          row_number() OVER (PARTITION BY scope, chatter ORDER BY wait) AS rn,
          count(*) OVER (PARTITION BY scope, chatter) AS n FROM scoped)
        SELECT scope, chatter, max(n), avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN wait END),
          max(CASE WHEN rn = (n * 90 + 99) / 100 THEN wait END) FROM ranked GROUP BY scope, chatter""",
    "campaigns": """SELECT c.id, c.name, count(m.id), sum(m.price_cents > 0 AND m.is_opened),
        sum(CASE WHEN m.price_cents > 0 AND m.is_opened THEN m.price_cents ELSE 0 END)
        FROM campaigns AS c JOIN outbound_messages AS o ON o.campaign_id = c.id AND o.account_id = :a
        JOIN messages AS m ON m.account_id = :a AND m.platform_message_id = o.platform_message_id
        WHERE c.account_id = :a AND m.created_at >= :start AND m.created_at < :end GROUP BY c.id, c.name""",
}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def plain_sql(db: Database, account_id: int, period: periods.Period) -> dict[str, list[Any]]:
    params = {"a": account_id, "start": _stamp(period.start), "end": _stamp(period.end),
              "window": REPLY_WINDOW.total_seconds()}
    with db.engine.connect() as connection:
        cursor = connection.connection.driver_connection
        return {name: cursor.execute(sql, params).fetchall() for name, sql in PLAIN.items()}


# -- run --------------------------------------------------------------------------------


def _check(board: Any, plain: dict[str, list[Any]], by_week_or_zone: bool) -> None:
    """Both ways give the same figures (daily UTC periods: the series day by day too)."""
    revenue = sum(row[2] for row in plain["series"])
    assert board.kpis.revenue_cents == revenue, (board.kpis.revenue_cents, revenue)
    if not by_week_or_zone:
        by_day: dict[str, int] = {}
        for day, _kind, amount, _net in plain["series"]:
            by_day[day] = by_day.get(day, 0) + amount
        ours: dict[str, int] = {}  # a day's hours (a one-day period) add up to it
        for point in board.series:
            day = point.first_day.isoformat()
            ours[day] = ours.get(day, 0) + point.revenue_cents
        assert {day: cents for day, cents in ours.items() if cents} == by_day
    assert [(f.fan_id, f.revenue_cents) for f in board.top_fans] == [
        (row[0], row[2]) for row in plain["top"]]
    k = board.kpis
    total, active, new, churned, spent = plain["fans"][0]
    assert (k.total_fans, k.active_fans, k.new_fans, k.churned_fans) == (total, active, new, churned)
    assert k.avg_lifetime_value_cents == mean_cents(spent, total)
    assert {c.chatter: (c.messages_sent, c.ppv_sent, c.ppv_bought, c.ppv_revenue_cents)
            for c in board.chatters} == {row[0]: tuple(row[1:]) for row in plain["chatters"]}
    everyone = next(row for row in plain["replies"] if row[0] == 0)
    assert board.kpis.median_reply_seconds == round(everyone[3], 3)
    assert {c.chatter: (c.replies, c.median_reply_seconds, c.p90_reply_seconds)
            for c in board.chatters if c.replies} == {
        row[1]: (row[2], round(row[3], 3), round(row[4], 3)) for row in plain["replies"] if row[0]}
    assert sum(c.revenue_cents for c in board.campaigns) == sum(row[4] for row in plain["campaigns"])


def measure(runs: int) -> list[tuple[str, float, float]]:
    """(period, dashboard ms, plain SQL ms) for each period, medians of ``runs`` warm runs;
    raises if the two ways disagree on a figure."""
    db = Database(ensure_data())
    try:
        with db.read() as session:
            account_id = session.scalar(select(Account.id).where(Account.name == "bench"))
            counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                      for m in (Fan, Message, Transaction)}
        print(f"{db.url_for_display}: {counts}; revenue types {', '.join(REVENUE_TYPES)}")
        now = NOW - timedelta(microseconds=1)
        print(f"{'period':<20}{'dashboard':>12}{'plain SQL':>12}{'ratio':>8}")
        runs_ = [(label, periods.last_days(days, tz=UTC, now=now)) for label, days in PERIODS.items()]
        runs_ += [(label, periods.last_days(90, tz=ZoneInfo(zone), now=now))
                  for label, zone in ZONED.items()]
        figures = []
        for label, period in runs_:
            ours = timed(lambda p=period: dashboard(db, account_id, p), runs)
            plain = timed(lambda p=period: plain_sql(db, account_id, p), runs)
            _check(ours.result, plain.result, period.weekly or period.tz is not UTC)
            print(f"{label:<20}{ours.median_ms:>10.0f} ms{plain.median_ms:>9.0f} ms"
                  f"{ours.median_ms / plain.median_ms:>8.2f}", flush=True)
            figures.append((label, ours.median_ms, plain.median_ms))
        return figures
    finally:
        db.dispose()


# -- the runner's rows (bench/run.py) ---------------------------------------------------

ORDER = 60
RUNS = 3


def prepare(options: Options) -> None:
    ensure_data()


def bench(options: Options) -> list[Result]:
    return [
        Result(f"analytics {label}: every query of a refresh", ours, "ms", plain, "plain SQL",
               Target(max=300, ratio_max=1.5),
               note="" if index else "100k fans / 1M messages / 300k transactions; the plain SQL "
                    "reads the rows, the dashboard the rollups of migration 0016 (both checked equal)")
        for index, (label, ours, plain) in enumerate(measure(options.repeat(RUNS)))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    measure(parser.parse_args().runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
