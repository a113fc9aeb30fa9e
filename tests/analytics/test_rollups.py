"""The rollups of migration 0016 give what the rows give: revenue series, chatter
figures (medians and p90 exact), top fans and fan counts against the same figures worked out in Python from the
rows, after inserts, updates and deletes, for zones whose midnights are whole UTC hours,
half hours and neither, and when the schema is upgraded over existing rows."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from ofcrm_tui.core.analytics import figures
from ofcrm_tui.core.analytics import period as periods
from ofcrm_tui.core.analytics.chatters import REPLY_WINDOW, chatter_stats
from ofcrm_tui.core.analytics.fans import fan_counts
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, revenue_series
from ofcrm_tui.devdata import bulk
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Fan, Message, Transaction
from ofcrm_tui.store.rollups import ROLLUPS
from tests.analytics.data import Builder
from tests.support.databases import (
    NO_POSTGRES,
    postgres_schema,
    postgres_template,
    postgres_url,
    sqlite_url,
)

START = datetime(2026, 3, 26, tzinfo=UTC)
CHATTERS = ["anna", "ben", None]
ZONES = ["UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"]


def _random_data(db: Database, seed: int) -> int:
    rng = random.Random(seed)
    with db.write() as session:
        account = Account(name=f"r{seed}", base_url="http://r.invalid")
        session.add(account)
        session.flush()
        b = Builder(session, account.id)
        fans = [b.fan(f"fan{i}", subscribed=START) for i in range(12)]
        for fan in fans:
            at = START + timedelta(seconds=rng.uniform(0, 86_400))
            for _ in range(rng.randrange(10, 30)):
                # Fractional seconds, answers from seconds to past a day, some negative.
                at += timedelta(seconds=rng.choice([rng.uniform(-5, 59), rng.uniform(60, 3_600),
                                                    rng.uniform(3_600, 90_000)]))
                direction = rng.choice(["in", "in", "out"])
                price = rng.choice([0, 0, 500, 1_999]) if direction == "out" else 0
                b.msg(fan, direction, at, by=rng.choice(CHATTERS) if direction == "out" else None,
                      price=price, bought=price > 0 and rng.random() < 0.5)
            for _ in range(rng.randrange(3, 10)):
                b.tx(fan, rng.choice(REVENUE_TYPES), rng.randrange(100, 5_000),
                     START + timedelta(seconds=rng.uniform(0, 6 * 86_400)))
        session.flush()
        # Changes after the fact: PPV bought later, a chatter renamed, rows deleted, times moved.
        ids = session.scalars(select(Message.id).where(Message.account_id == account.id)).all()
        for message_id in rng.sample(ids, 15):
            session.execute(update(Message).where(Message.id == message_id)
                            .values(is_opened=True, sent_by=rng.choice(CHATTERS)))
        session.execute(delete(Message).where(Message.id.in_(rng.sample(ids, 10))))
        tids = session.scalars(select(Transaction.id).where(Transaction.account_id == account.id)).all()
        session.execute(delete(Transaction).where(Transaction.id.in_(rng.sample(tids, 5))))
        for tid in rng.sample(tids, 5):
            session.execute(update(Transaction).where(Transaction.id == tid).values(
                created_at=START + timedelta(seconds=rng.uniform(0, 6 * 86_400)), amount_cents=777))
        return account.id


def _expected(db: Database, account_id: int, period: periods.Period) -> tuple[list, dict]:
    """Series gross per bucket and type, and per chatter (sent, ppv, bought, cents, replies,
    median, p90), from the rows."""
    with db.read() as session:
        transactions = session.execute(select(Transaction.created_at, Transaction.type,
                                              Transaction.amount_cents)
                                       .where(Transaction.account_id == account_id)).all()
        messages = session.execute(select(Message).where(Message.account_id == account_id,
                                                         Message.direction == "out")).scalars().all()
        rows = [(m.created_at, m.sent_by, m.price_cents, m.is_opened, m.reply_seconds)
                for m in messages]
    series = []
    for bucket in period.buckets():
        gross = [0] * len(REVENUE_TYPES)
        for at, kind, cents in transactions:
            if bucket.start <= at < bucket.end:
                gross[REVENUE_TYPES.index(kind)] += cents
        series.append(tuple(gross))
    chatters: dict = defaultdict(lambda: [0, 0, 0, 0, []])
    for at, by, price, opened, wait in rows:
        if not period.start <= at < period.end:
            continue
        figures = chatters[by]
        figures[0] += 1
        figures[1] += price > 0
        figures[2] += price > 0 and opened
        figures[3] += price if price > 0 and opened else 0
        if wait is not None and wait <= REPLY_WINDOW.total_seconds():
            figures[4].append(wait)
    result = {}
    for by, (sent, ppv, bought, cents, waits) in chatters.items():
        waits.sort()
        median = round(statistics.median(waits), 3) if waits else None
        p90 = round(waits[-(-len(waits) * 90 // 100) - 1], 3) if waits else None
        result[by] = (sent, ppv, bought, cents, len(waits), median, p90)
    return series, result


def _check(db: Database, account_id: int) -> None:
    checked_replies = 0
    for zone in ZONES:
        for first, days in ((date(2026, 3, 26), 7), (date(2026, 3, 28), 1), (date(2026, 3, 27), 3)):
            period = periods.between(first, first + timedelta(days=days - 1), tz=ZoneInfo(zone))
            series, chatters = _expected(db, account_id, period)
            with db.read() as session:
                got = revenue_series(session, account_id, period)
                _median, stats = chatter_stats(session, account_id, period)
            assert [point.by_type for point in got] == series, (zone, first, days)
            assert {
                s.chatter: (s.messages_sent, s.ppv_sent, s.ppv_bought, s.ppv_revenue_cents,
                            s.replies, s.median_reply_seconds, s.p90_reply_seconds)
                for s in stats
            } == chatters, (zone, first, days)
            checked_replies += sum(figures[4] for figures in chatters.values())
    assert checked_replies > 100  # the data has replies to rank


@pytest.mark.parametrize("seed", [1, 2])
def test_rollups_match_the_rows(db: Database, seed: int) -> None:
    _check(db, _random_data(db, seed))


def test_everyones_median_matches_the_rows(db: Database) -> None:
    account_id = _random_data(db, 3)
    period = periods.between(date(2026, 3, 26), date(2026, 4, 1), tz=ZoneInfo("Asia/Kolkata"))
    with db.read() as session:
        waits = sorted(
            w for at, w in session.execute(
                select(Message.created_at, Message.reply_seconds).where(
                    Message.account_id == account_id, Message.direction == "out",
                    Message.reply_seconds <= REPLY_WINDOW.total_seconds()))
            if period.start <= at < period.end
        )
        median, _stats = chatter_stats(session, account_id, period)
    assert len(waits) > 30
    assert median == round(statistics.median(waits), 3)


def test_upgrade_fills_the_rollups_from_existing_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        migrate.upgrade(db, "0014_fan_sorts")  # the revision before 0016
        account_id = _random_data(db, 4)
        migrate.upgrade(db)
        _check(db, account_id)
    finally:
        db.dispose()


@pytest.mark.parametrize("biggest", [0, 3, 1_000])
@pytest.mark.parametrize("limit", [1, 3, 10])
def test_top_fans_match_the_rows(db: Database, monkeypatch, biggest: int, limit: int) -> None:  # noqa: ANN001
    """Among the biggest spenders first (stopping early or not), or by grouping the
    period's transactions: the same fans either way."""
    monkeypatch.setattr(figures, "_BIGGEST_SPENDERS", biggest)
    monkeypatch.setattr(figures, "_FIRST_BATCH", 1)  # batches of 1, 2, 4...: stops early
    account_id = _random_data(db, 5)
    period = periods.between(date(2026, 3, 28), date(2026, 3, 29), tz=ZoneInfo("UTC"))
    with db.read() as session:
        spend: dict = defaultdict(lambda: [0, 0])
        for fan_id, cents, at in session.execute(
            select(Transaction.fan_id, Transaction.amount_cents, Transaction.created_at)
            .where(Transaction.account_id == account_id)
        ):
            if period.start <= at < period.end:
                spend[fan_id][0] += cents
                spend[fan_id][1] += 1
        got = figures.top_fans(session, account_id, period, limit)
    expected = sorted(spend.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    assert [(f.fan_id, f.revenue_cents, f.transactions) for f in got] == [
        (fan_id, cents, n) for fan_id, (cents, n) in expected
    ]


def test_fan_counts_match_the_rows(db: Database) -> None:
    rng = random.Random(6)
    with db.write() as session:
        account = Account(name="fans", base_url="http://f.invalid")
        session.add(account)
        session.flush()
        b = Builder(session, account.id)

        def moment() -> datetime:
            return START + timedelta(seconds=rng.uniform(-3 * 86_400, 8 * 86_400))

        for i in range(60):  # names of different lengths: Builder numbers fans by them
            b.fan("f" * (i + 1), subscribed=rng.choice([None, moment()]), created=moment(),
                  status=rng.choice(["active", "expired"]),
                  expires=rng.choice([None, moment()]), spent=rng.randrange(0, 9_000),
                  by_hand=rng.random() < 0.3)
        session.flush()
        ids = session.scalars(select(Fan.id).where(Fan.account_id == account.id)).all()
        for fan_id in rng.sample(ids, 10):
            session.execute(update(Fan).where(Fan.id == fan_id).values(
                subscribed_at=moment(), subscription_status="expired", total_spent_cents=123))
        # A sync finds fans made by hand on the platform; one goes off it again.
        for fan_id in session.scalars(select(Fan.id).where(
                Fan.account_id == account.id, ~Fan.on_platform).limit(4)):
            session.execute(update(Fan).where(Fan.id == fan_id).values(
                platform_user_id=900_000 + fan_id))
        session.execute(update(Fan).where(Fan.id == ids[0]).values(platform_user_id=None))
        session.execute(delete(Fan).where(Fan.id.in_(rng.sample(ids, 5))))
        account_id = account.id
    with db.read() as session:
        fans = session.execute(select(Fan).where(Fan.account_id == account_id)).scalars().all()
        rows = [(f.subscribed_at or f.created_at, f.subscription_status, f.expires_at,
                 f.total_spent_cents, f.platform_user_id is not None) for f in fans]
        assert 5 < sum(not on for *_, on in rows) < len(rows) - 5
        for zone in ZONES:
            for first, days in ((date(2026, 3, 26), 7), (date(2026, 3, 28), 1), (date(2026, 3, 20), 90)):
                period = periods.between(first, first + timedelta(days=days - 1), tz=ZoneInfo(zone))
                known = [r for r in rows if r[0] < period.end]
                subscribers = [r for r in known if r[4]]  # with subscription data
                expected = {
                    "total": len(known),
                    "subscribers": len(subscribers),
                    "active": sum(s == "active" or (e is not None and e >= period.end)
                                  for _, s, e, _, _ in subscribers),
                    "new": sum(k >= period.start for k, *_ in subscribers),
                    "churned": sum(s == "expired" and e is not None and period.start <= e < period.end
                                   for _, s, e, _, _ in subscribers),
                    "spent": sum(spent for _, _, _, spent, _ in subscribers),
                }
                assert fan_counts(session, account_id, period) == expected, (zone, first, days)


def _rollup_state(db: Database) -> dict:
    """Every rollup row (zero sums left out), every message's reply time, every fan's
    facts (``store/fan_facts``) and every conversation's summary."""
    with db.engine.connect() as connection:
        state = {
            rollup.table: sorted(
                row for row in connection.exec_driver_sql(f"SELECT * FROM {rollup.table}")
                if any(row[1 + len(rollup.keys):])
            )
            for rollup in ROLLUPS
        }
        state["reply_seconds"] = connection.exec_driver_sql(
            "SELECT id, reply_seconds FROM messages ORDER BY id").all()
        state["fan_facts"] = connection.exec_driver_sql(
            "SELECT id, ppv_purchases, last_outbound_at, last_chat_at FROM fans ORDER BY id").all()
        state["conversations"] = connection.exec_driver_sql(
            "SELECT * FROM conversations ORDER BY id").all()
    return state


@contextmanager
def _fresh_database(backend: str, directory: Path, shared: Path) -> Iterator[Database]:
    """A new database at the current schema: a SQLite file in ``directory``, or a
    PostgreSQL schema of its own (from the template made in ``shared``)."""
    if backend == "sqlite":
        url = nullcontext(sqlite_url(directory, migrated=True))
    else:
        base = postgres_url()
        if base is None:
            pytest.skip(NO_POSTGRES)
        url = postgres_schema(base, template=postgres_template(base, shared))
    with url as found:
        db = Database(found)
        try:
            yield db
        finally:
            db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_bulk_load_fills_the_rollups_as_the_triggers_do(  # noqa: ANN001
    backend, tmp_path, monkeypatch, run_directory,
) -> None:
    """``generate`` turns the triggers off for its batches and adds its rows after: the
    same rollups, reply times, fan facts and summaries as row-by-row triggers, also for a
    second account, on each backend."""
    now = datetime(2026, 5, 1, tzinfo=UTC)
    states = []
    for deferred in (True, False):
        if not deferred:
            monkeypatch.setattr(bulk, "rollups_deferred", lambda connection: nullcontext())
        directory = tmp_path / str(deferred)
        directory.mkdir()
        with _fresh_database(backend, directory, run_directory) as db:
            for name in ("first", "second"):
                generate(db, account=name, fans=40, messages=600, seed=3, now=now)
            states.append(_rollup_state(db))
    assert states[0] == states[1]
    assert len(states[0]["analytics_reply_days"]) > 20
    assert sum(wait is not None for _, wait in states[0]["reply_seconds"]) > 100
    facts = states[0]["fan_facts"]
    assert sum(ppv > 0 for _, ppv, _, _ in facts) > 0
    assert sum(out is not None for _, _, out, _ in facts) > 10


def test_deleting_an_account_takes_its_rollups(db: Database) -> None:
    account_id = _random_data(db, 7)
    with db.write() as session:
        session.delete(session.get(Account, account_id))
    with db.engine.connect() as connection:
        for rollup in ROLLUPS:
            assert connection.exec_driver_sql(f"SELECT count(*) FROM {rollup.table}").scalar() == 0
