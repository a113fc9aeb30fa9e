"""``messages.reply_seconds`` (migrations 0010 and 0026): kept by a trigger whatever order
messages arrive in, campaign messages left out, and filled in for messages already there
when the schema is upgraded."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import column, insert, select, table, text, update

from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Conversation, Fan, Message, ReplyDay
from ofcrm_tui.store.rollups import rollups_deferred

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


# With campaign messages (True: a campaign's): they get no reply time, and a reply after
# one waits since the fan's message before it (the campaign message left out).
CAMPAIGN_THREAD = [("in", 0, False), ("out", 100, True), ("out", 300, False), ("in", 1000, False),
                   ("out", 1100, True), ("in", 1200, False), ("out", 1500, False),
                   ("out", 1600, True)]
CAMPAIGN_EXPECTED = [None, None, 300.0, None, None, None, 300.0, None]
# The same messages when nothing says which are a campaign's (migration 0010's times).
AS_REPLIES = [None, 100.0, None, None, 100.0, None, 300.0, None]
# The rollup buckets a 300 s reply may be in: minute 5, or 4 for a float a hair under 300
# (a 100 s campaign "reply" would be in minute 1).
FIVE_MINUTES = {63, 64}


def _campaign_rows(account_id: int, fan_id: int, conversation_id: int, base_pmid: int) -> list[dict]:
    rows = _rows(account_id, fan_id, conversation_id, base_pmid)[:1] * len(CAMPAIGN_THREAD)
    return [
        {**row, "platform_message_id": base_pmid + i, "direction": d, "is_campaign": campaign,
         "created_at": T0 + timedelta(seconds=s), "sent_by": "ana" if d == "out" else None}
        for i, (row, (d, s, campaign)) in enumerate(zip(rows, CAMPAIGN_THREAD, strict=True))
    ]


def _account(db: Database) -> int:
    with db.write() as session:
        account = Account(name="a", base_url="http://a.invalid")
        session.add(account)
        session.flush()
        return account.id


def _assert_replies(db: Database, account_id: int, count: int) -> None:
    """ana has ``count`` replies in the reply rollup, all of 300 s."""
    with db.read() as session:
        found = session.execute(
            select(ReplyDay.bucket, ReplyDay.replies)
            .where(ReplyDay.account_id == account_id, ReplyDay.chatter == "ana",
                   ReplyDay.replies != 0)).all()
    assert sum(n for _, n in found) == count, found
    assert {bucket for bucket, _ in found} <= FIVE_MINUTES, found


def test_campaign_messages_are_not_replies_whatever_the_arrival_order(db: Database) -> None:
    account_id = _account(db)
    rng = random.Random(5)
    orders = [list(range(len(CAMPAIGN_THREAD))), list(reversed(range(len(CAMPAIGN_THREAD))))]
    orders += [rng.sample(range(len(CAMPAIGN_THREAD)), len(CAMPAIGN_THREAD)) for _ in range(6)]
    for n, order in enumerate(orders):
        with db.write() as session:
            fan_id, conversation_id = _conversation(session, account_id, n)
        rows = _campaign_rows(account_id, fan_id, conversation_id, 1000 * (n + 1))
        for index in order:
            with db.write() as session:
                session.execute(insert(Message), [rows[index]])
        assert _waits(db, conversation_id) == CAMPAIGN_EXPECTED, order
    # Two real replies of 300 s per conversation: no campaign message counted.
    _assert_replies(db, account_id, 2 * len(orders))


def test_a_message_found_later_to_be_a_campaigns_moves_the_reply_times(db: Database) -> None:
    """The sync may store a message before the sender says a campaign sent it."""
    account_id = _account(db)
    with db.write() as session:
        fan_id, conversation_id = _conversation(session, account_id, 1)
    rows = _campaign_rows(account_id, fan_id, conversation_id, 100)
    with db.write() as session:
        session.execute(insert(Message), [{**row, "is_campaign": False} for row in rows])
    assert _waits(db, conversation_id) == AS_REPLIES
    campaign_ids = [row["platform_message_id"] for row in rows if row["is_campaign"]]
    with db.write() as session:
        session.execute(update(Message).where(Message.platform_message_id.in_(campaign_ids))
                        .values(is_campaign=True))
    assert _waits(db, conversation_id) == CAMPAIGN_EXPECTED
    _assert_replies(db, account_id, 2)


def test_bulk_loads_leave_campaign_messages_out(db: Database) -> None:
    """Bulk loads (``rollups_deferred``) set the reply times and add them to the rollups
    in one statement each when the block ends, not a trigger per row as they arrive."""
    account_id = _account(db)
    with db.write() as session:
        fan_id, conversation_id = _conversation(session, account_id, 1)
        rows = _campaign_rows(account_id, fan_id, conversation_id, 100)
        with rollups_deferred(session.connection()):
            session.execute(insert(Message), list(reversed(rows)))
            assert session.scalars(select(Message.reply_seconds).where(
                Message.reply_seconds.is_not(None))).all() == []
            assert session.scalars(select(ReplyDay.replies)).all() == []
    assert _waits(db, conversation_id) == CAMPAIGN_EXPECTED
    _assert_replies(db, account_id, 2)


def test_upgrade_marks_campaign_messages_and_sets_reply_times_again(database_url: str) -> None:
    """0026: messages delivered as a campaign's outbound messages are marked, every reply
    time is set again and the reply rollups follow; conversations learn who sent their
    last message."""
    db = Database(database_url)
    try:
        migrate.upgrade(db, "0024_platform_nicknames")
        naive = db.is_sqlite
        rows = _campaign_rows(1, 1, 1, 10)
        with db.write() as session:
            session.execute(insert(Account.__table__).values(
                id=1, name="a", base_url="http://a", send_limit_per_minute=10, created_at=T0))
            session.execute(insert(Fan.__table__).values(
                id=1, account_id=1, platform_user_id=1, username="u", name="", nickname="",
                subscription_status="active", subscribe_price_cents=0, total_spent_cents=0,
                tips_cents=0, messages_cents=0, subscriptions_cents=0, posts_cents=0,
                created_at=T0, updated_at=T0))
            session.execute(insert(Conversation.__table__).values(
                id=1, account_id=1, fan_id=1, unread_count=0, last_message_preview="",
                last_platform_message_id=rows[-1]["platform_message_id"],
                last_message_direction="out"))
            old = table("messages", *(column(name) for name in rows[0] if name != "is_campaign"))
            session.execute(insert(old), [
                {k: (v.replace(tzinfo=None) if naive and k == "created_at" else
                     "[]" if naive and k == "media_ids" else v)
                 for k, v in row.items() if k != "is_campaign"} for row in rows])
            outbound = table("outbound_messages", *(column(name) for name in (
                "account_id", "fan_id", "kind", "priority", "text", "price_cents", "media_ids",
                "preview_ids", "state", "attempts", "tries", "max_attempts", "next_attempt_at",
                "created_by", "created_at", "updated_at", "platform_message_id")))
            at = T0.replace(tzinfo=None) if naive else T0
            session.execute(insert(outbound), [
                {"account_id": 1, "fan_id": 1, "kind": "campaign" if row["is_campaign"] else "reply",
                 "priority": 10, "text": "x", "price_cents": 0,
                 "media_ids": "[]" if naive else [], "preview_ids": "[]" if naive else [],
                 "state": "sent", "attempts": 1, "tries": 1, "max_attempts": 5,
                 "next_attempt_at": at, "created_by": "ana", "created_at": at, "updated_at": at,
                 "platform_message_id": row["platform_message_id"]}
                for row in rows if row["direction"] == "out"])
        assert _waits(db, 1) == AS_REPLIES
        migrate.upgrade(db)
        assert _waits(db, 1) == CAMPAIGN_EXPECTED
        _assert_replies(db, 1, 2)
        with db.read() as session:
            assert session.scalars(select(Message.is_campaign).order_by(
                Message.platform_message_id)).all() == [c for _, _, c in CAMPAIGN_THREAD]
            assert session.scalar(select(Conversation.last_message_sent_by)) == "ana"
            if not db.is_sqlite:  # the trigger still runs as the owner (team security)
                assert session.scalar(text(
                    "SELECT prosecdef FROM pg_proc WHERE proname = 'messages_reply_seconds'"))
        migrate.downgrade(db, "0024_platform_nicknames")
        assert _waits(db, 1) == CAMPAIGN_EXPECTED  # kept as they are
    finally:
        db.dispose()
