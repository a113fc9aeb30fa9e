"""``messages.reply_seconds`` (migration 0010): kept by a trigger whatever order messages
arrive in, and filled in for messages already there when the schema is upgraded."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import column, insert, select, table

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Conversation, Fan, Message

T0 = datetime(2026, 5, 1, 12, tzinfo=UTC)
# (direction, seconds after T0) of one conversation, in platform id order, and the reply
# time each should get: after the last fan message before it, only when right after one.
THREAD = [("in", 0), ("in", 60), ("out", 300), ("out", 400), ("in", 1000), ("out", 1600), ("in", 1700)]
EXPECTED = [None, None, 240.0, None, None, 600.0, None]


def _conversation(session, account_id: int, n: int) -> tuple[int, int]:  # noqa: ANN001
    fan = Fan(account_id=account_id, platform_user_id=n, username=f"u{n}")
    session.add(fan)
    session.flush()
    conversation = Conversation(account_id=account_id, fan_id=fan.id)
    session.add(conversation)
    session.flush()
    return fan.id, conversation.id


def _rows(account_id: int, fan_id: int, conversation_id: int, base_pmid: int) -> list[dict]:
    return [
        {"account_id": account_id, "conversation_id": conversation_id, "fan_id": fan_id,
         "platform_message_id": base_pmid + i, "direction": d, "text": "x", "price_cents": 0,
         "is_opened": False, "is_tip": False, "tip_cents": 0, "media_count": 0, "media_ids": [],
         "created_at": T0 + timedelta(seconds=s)}
        for i, (d, s) in enumerate(THREAD)
    ]


def _waits(db: Database, conversation_id: int) -> list[float | None]:
    with db.read() as session:
        values = session.scalars(
            select(Message.reply_seconds)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.platform_message_id)
        ).all()
    return [None if v is None else round(v, 3) for v in values]


def test_reply_seconds_whatever_the_arrival_order(db: Database) -> None:
    with db.write() as session:
        account = Account(name="a", base_url="http://a.invalid")
        session.add(account)
        session.flush()
        account_id = account.id
    orders = [list(range(len(THREAD))), list(reversed(range(len(THREAD))))]
    rng = random.Random(4)
    orders += [rng.sample(range(len(THREAD)), len(THREAD)) for _ in range(6)]
    for n, order in enumerate(orders):
        with db.write() as session:
            fan_id, conversation_id = _conversation(session, account_id, n)
        rows = _rows(account_id, fan_id, conversation_id, 1000 * (n + 1))
        for index in order:  # one message per unit of work, as a poll would bring them
            with db.write() as session:
                session.execute(insert(Message), [rows[index]])
        assert _waits(db, conversation_id) == EXPECTED, order
    # A whole page in one statement (newest first, as the platform pages them).
    with db.write() as session:
        fan_id, conversation_id = _conversation(session, account_id, 99)
        session.execute(insert(Message), list(reversed(_rows(account_id, fan_id, conversation_id, 500_000))))
    assert _waits(db, conversation_id) == EXPECTED


def test_upgrade_fills_in_messages_already_there(database_url: str) -> None:
    db = Database(database_url)
    try:
        migrate.upgrade(db, "0009_gateways")  # the revision before 0010
        old_messages = table("messages", *(column(name) for name in _rows(0, 0, 0, 0)[0]))
        with db.write() as session:
            session.execute(insert(Account.__table__).values(id=1, name="a", base_url="http://a", send_limit_per_minute=10, created_at=T0))
            session.execute(insert(Fan.__table__).values(
                id=1, account_id=1, platform_user_id=1, username="u", name="", nickname="",
                subscription_status="active", subscribe_price_cents=0, total_spent_cents=0,
                tips_cents=0, messages_cents=0, subscriptions_cents=0, posts_cents=0,
                created_at=T0, updated_at=T0))
            session.execute(insert(Conversation.__table__).values(
                id=1, account_id=1, fan_id=1, unread_count=0, last_message_preview=""))
            rows = _rows(1, 1, 1, 10)
            for row in rows:
                row["media_ids"] = "[]" if db.is_sqlite else row["media_ids"]
                row["created_at"] = row["created_at"].replace(tzinfo=None) if db.is_sqlite else row["created_at"]
            session.execute(insert(old_messages), rows)
        migrate.upgrade(db)
        assert _waits(db, 1) == EXPECTED
    finally:
        db.dispose()


def test_thread_shape_is_what_the_expectations_say() -> None:
    """The expectations above, derived the slow way (a guard on the test's own data)."""
    derived = []
    for (prev, at_prev), (direction, at) in itertools.pairwise([(None, 0), *THREAD]):
        derived.append(float(at - at_prev) if direction == "out" and prev == "in" else None)
    assert derived == EXPECTED
