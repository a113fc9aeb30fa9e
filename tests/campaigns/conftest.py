"""A small account with fans of known traits, for the segment, launch and result tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import (
    Account,
    Conversation,
    Fan,
    FanTag,
    Media,
    Message,
    Tag,
    Transaction,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass
class World:
    db: Database
    account: int
    other: int
    fans: dict[str, int] = field(default_factory=dict)  # username -> local fan id
    media: tuple[int, ...] = (501, 502)  # platform media ids in the vault

    def ids(self, *usernames: str) -> set[int]:
        return {self.fans[name] for name in usernames}


def add_fan(session, account: int, username: str, pid: int | None, **columns: object) -> Fan:  # noqa: ANN001
    fan = Fan(account_id=account, platform_user_id=pid, username=username,
              created_at=NOW - 400 * DAY, updated_at=NOW, **columns)
    session.add(fan)
    session.flush()
    return fan


def _chat(session, account: int, fan: Fan, *messages: tuple[str, timedelta, int, bool]) -> None:  # noqa: ANN001
    """Messages (direction, age, price, opened) in the fan's conversation."""
    newest = min(age for _, age, _, _ in messages)
    conversation = Conversation(account_id=account, fan_id=fan.id, last_message_at=NOW - newest,
                                last_message_direction=messages[0][0])
    session.add(conversation)
    session.flush()
    for index, (direction, age, price, opened) in enumerate(messages):
        session.add(Message(
            account_id=account, conversation_id=conversation.id, fan_id=fan.id,
            platform_message_id=fan.platform_user_id * 100 + index, direction=direction,
            text="hi", price_cents=price, is_opened=opened, created_at=NOW - age,
        ))


def _buy(session, account: int, fan: Fan, pid: int, kind: str, age: timedelta) -> None:  # noqa: ANN001
    session.add(Transaction(
        account_id=account, platform_transaction_id=pid, fan_id=fan.id,
        platform_user_id=fan.platform_user_id, type=kind, amount_cents=1000, net_cents=800,
        fee_cents=200, created_at=NOW - age,
    ))


def build(db: Database) -> World:
    """Fans (username: traits):

    - ann: active, vip, spent $50, seen 1 day ago, subscribed 10 days ago, expires in 3
      days, bought a PPV 2 days ago, messaged (out) 1 day ago, name "Ann"
    - bob: active, vip+late, spent $5, seen 40 days ago, subscribed 200 days ago, expires in
      20 days, tipped 60 days ago, chatting (in) 5 minutes ago, nickname "Bobby"
    - cat: active, new, spent $0, never seen, subscribed 2 days ago, expires in 28 days,
      nothing bought, messaged (out) 30 days ago, no name
    - dan: expired, vip, spent $100, seen 100 days ago, bought a PPV 90 days ago
    - eve: active, no tags, spent $20, seen 3 days ago, bought a PPV 10 days ago,
      subscription transaction only recently (not a purchase), out 8 days ago
    - other account: zed, active, vip, spent $999
    """
    with db.write() as session:
        mine, theirs = (Account(name=n, base_url="http://x.invalid", send_limit_per_minute=10)
                        for n in ("mia", "zoe"))
        session.add_all([mine, theirs])
        session.flush()
        a = mine.id
        vip, late, new = (Tag(account_id=a, name=n) for n in ("vip", "late", "new"))
        other_vip = Tag(account_id=theirs.id, name="vip")
        session.add_all([vip, late, new, other_vip])
        session.add_all([Media(account_id=a, platform_media_id=m, type="photo", created_at=NOW)
                         for m in (501, 502)])
        session.flush()
        w = World(db, a, theirs.id)

        def fan(username: str, pid: int, tags: tuple[Tag, ...] = (), **columns: object) -> Fan:
            row = add_fan(session, a, username, pid, **columns)
            for tag in tags:
                session.add(FanTag(fan_id=row.id, tag_id=tag.id, account_id=a))
            w.fans[username] = row.id
            return row

        ann = fan("ann", 1, (vip,), name="Ann", total_spent_cents=5000, last_seen_at=NOW - DAY,
                  subscribed_at=NOW - 10 * DAY, expires_at=NOW + 3 * DAY)
        _buy(session, a, ann, 9001, "message", 2 * DAY)
        _chat(session, a, ann, ("out", DAY, 1000, True))
        bob = fan("bob", 2, (vip, late), nickname="Bobby", total_spent_cents=500,
                  last_seen_at=NOW - 40 * DAY, subscribed_at=NOW - 200 * DAY,
                  expires_at=NOW + 20 * DAY)
        _buy(session, a, bob, 9002, "tip", 60 * DAY)
        _chat(session, a, bob, ("in", timedelta(minutes=5), 0, False))
        cat = fan("cat", 3, (new,), subscribed_at=NOW - 2 * DAY, expires_at=NOW + 28 * DAY)
        _chat(session, a, cat, ("out", 30 * DAY, 0, False))
        dan = fan("dan", 4, (vip,), subscription_status="expired", total_spent_cents=10000,
                  last_seen_at=NOW - 100 * DAY, subscribed_at=NOW - 300 * DAY,
                  expires_at=NOW - 50 * DAY)
        _buy(session, a, dan, 9004, "message", 90 * DAY)
        eve = fan("eve", 5, total_spent_cents=2000, last_seen_at=NOW - 3 * DAY,
                  subscribed_at=NOW - 100 * DAY, expires_at=NOW + 10 * DAY)
        _buy(session, a, eve, 9005, "message", 10 * DAY)
        _buy(session, a, eve, 9006, "subscription", DAY)
        _chat(session, a, eve, ("out", 8 * DAY, 0, False))
        # A transaction of a fan no longer known: NOT IN must still work.
        session.add(Transaction(
            account_id=a, platform_transaction_id=9999, fan_id=None, platform_user_id=77,
            type="message", amount_cents=500, net_cents=400, fee_cents=100, created_at=NOW,
        ))
        zed = add_fan(session, theirs.id, "zed", 1, total_spent_cents=99900)
        session.add(FanTag(fan_id=zed.id, tag_id=other_vip.id, account_id=theirs.id))
        w.fans["zed"] = zed.id
    return w


@pytest.fixture
def world(db: Database) -> World:
    return build(db)
