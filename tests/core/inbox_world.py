"""The inbox tests' data: a hand-made world of two accounts with look-alike fans, generated
accounts, and the helpers that list, search and walk them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.core import inbox
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter, walk
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Conversation, Fan, FanTag, Message, Tag


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

FILTERS = [
    InboxFilter(),
    InboxFilter(unread_only=True),
    InboxFilter(purchased_only=True),
    InboxFilter(tag="vip"),
    InboxFilter(tag="new"),
    InboxFilter(status="expired"),
    InboxFilter(status="active"),
    InboxFilter(unread_only=True, purchased_only=True, status="active"),
    InboxFilter(query="pizza"),
    InboxFilter(query="lisb"),
    InboxFilter(query="hey", unread_only=True),
    InboxFilter(query="Mark"),
]


# -- a hand-made world -------------------------------------------------------------------


@dataclass
class World:
    db: Database
    account: int
    other: int
    fans: dict[str, int] = field(default_factory=dict)  # username -> fan id
    conversations: dict[str, int] = field(default_factory=dict)  # username -> conversation id
    platform_ids: dict[str, int] = field(default_factory=dict)


def _account(session, name: str) -> int:  # noqa: ANN001
    account = Account(name=name, base_url="http://x.invalid", created_at=T0)
    session.add(account)
    session.flush()
    return account.id


def _fan(
    world: World,
    session,  # noqa: ANN001
    account: int,
    username: str,
    *,
    name: str = "",
    nickname: str = "",
    spent: int = 0,
    status: str = "active",
    last_at: datetime | None,
    unread: int = 0,
    texts: tuple[str, ...] = ("hello",),
    tags: tuple[int, ...] = (),
) -> None:
    platform_user_id = 5000 + len(world.platform_ids) + (0 if account == world.account else 90_000)
    fan = Fan(
        account_id=account,
        platform_user_id=platform_user_id,
        username=username,
        name=name,
        nickname=nickname,
        subscription_status=status,
        total_spent_cents=spent,
        created_at=T0,
        updated_at=T0,
    )
    session.add(fan)
    session.flush()
    conversation = Conversation(
        account_id=account,
        fan_id=fan.id,
        unread_count=unread,
        last_message_at=last_at,
        last_message_preview=texts[-1] if texts else "",
        last_message_direction="in",
    )
    session.add(conversation)
    session.flush()
    base = last_at or T0
    for index, body in enumerate(texts):
        session.add(
            Message(
                account_id=account,
                conversation_id=conversation.id,
                fan_id=fan.id,
                platform_message_id=platform_user_id * 1000 + index,
                direction="in" if index % 2 == 0 else "out",
                text=body,
                created_at=base - timedelta(minutes=len(texts) - index),
            )
        )
    for tag_id in tags:
        session.add(FanTag(fan_id=fan.id, tag_id=tag_id, account_id=account))
    key = username if account == world.account else f"other:{username}"
    world.fans[key] = fan.id
    world.conversations[key] = conversation.id
    world.platform_ids[key] = platform_user_id


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        account = _account(session, "mia")
        other = _account(session, "zoe")
        w = World(db, account, other)
        vip = Tag(account_id=account, name="vip")
        late = Tag(account_id=account, name="late-payer")
        other_vip = Tag(account_id=other, name="vip")
        session.add_all([vip, late, other_vip])
        session.flush()
        tie = T0 + timedelta(days=3)
        _fan(w, session, account, "moonlight_rider", name="Sam Moon", last_at=T0 + timedelta(days=9),
             unread=2, spent=500, texts=("hey there", "Do you like pineapple pizza?"), tags=(vip.id,))
        _fan(w, session, account, "alex99", name="Alex Stone", nickname="Big Al",
             last_at=T0 + timedelta(days=8), texts=("bonjour café",), status="expired")
        _fan(w, session, account, "tie_a", name="Tie A", last_at=tie, unread=1, texts=("one",))
        _fan(w, session, account, "tie_b", name="Tie B", last_at=tie, spent=100, texts=("two",),
             tags=(vip.id, late.id))
        _fan(w, session, account, "tie_c", name="Tie C", last_at=tie, texts=("three",))
        _fan(w, session, account, "quiet", name="Quiet One", last_at=None, texts=())
        _fan(w, session, account, "jo", name="Jo", last_at=T0 + timedelta(days=1), unread=3,
             texts=("(NEAR) * \"quoted\" -minus",), status="expired")
        # Another account with look-alike data that must never show up.
        _fan(w, session, other, "moonlight_rider", name="Sam Moon", last_at=T0 + timedelta(days=20),
             unread=5, spent=9999, texts=("pineapple pizza forever",), tags=(other_vip.id,))
        _fan(w, session, other, "stranger", name="Alex Other", last_at=T0 + timedelta(days=20),
             texts=("hey there",))
    return w


def _ids(rows: list[ConversationRow]) -> list[int]:
    return [row.conversation_id for row in rows]


def _names(rows: list[ConversationRow]) -> list[str]:
    return [row.username for row in rows]


def searched(world: World, needle: str, expected: list[str]) -> None:
    """``needle`` lists, counts and walks to the conversations of ``expected``, in order."""
    flt = InboxFilter(query=needle)
    rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
    assert _names(rows) == expected, needle
    assert inbox.count_conversations(world.db, world.account, flt) == len(expected), needle
    assert walked(world.db, world.account, flt, 0, 50) == rows, needle


# -- on generated data -----------------------------------------------------------------


def _reference(db: Database, account_id: int, flt: InboxFilter) -> list[int]:
    """The filter, done the slow obvious way in Python."""
    with db.read() as session:
        rows = session.execute(
            select(Conversation, Fan).join(Fan, Fan.id == Conversation.fan_id).where(
                Conversation.account_id == account_id, Conversation.last_message_at.is_not(None)
            )
        ).all()
        tags = {
            (fan_id, name)
            for fan_id, name in session.execute(
                select(FanTag.fan_id, Tag.name).join(Tag, Tag.id == FanTag.tag_id)
            )
        }
        texts: dict[int, list[str]] = {}
        for fan_id, body in session.execute(
            select(Message.fan_id, Message.text).where(Message.account_id == account_id)
        ):
            texts.setdefault(fan_id, []).append(body.casefold())
    kept = []
    for conversation, fan in rows:
        if flt.unread_only and conversation.unread_count <= 0:
            continue
        if flt.purchased_only and fan.total_spent_cents <= 0:
            continue
        if flt.status and fan.subscription_status != flt.status:
            continue
        if flt.tag and (fan.id, flt.tag) not in tags:
            continue
        if flt.query:
            needle = flt.query.casefold()
            names = f"{fan.username} {fan.name} {fan.nickname}".casefold()
            words = [w for body in texts.get(fan.id, []) for w in body.replace("?", " ").split()]
            if needle not in names and not any(w.startswith(needle) for w in words):
                continue
        at = conversation.last_fan_message_at if flt.order == "fan" else conversation.last_message_at
        kept.append((at, conversation.id))
    return [conversation_id for _, conversation_id in sorted(kept, reverse=True)]


@contextmanager
def walking(span: int) -> Iterator[None]:
    """Searches walk the inbox however few their matches, over spans of ``span``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(walk, "WALK_MIN_MATCHES", 1)
        patch.setattr(walk, "WALK_SPAN", span)
        yield


def walked(
    db: Database, account: int, flt: InboxFilter, offset: int, limit: int,
    anchor: ConversationRow | None = None, span: int = 1000,
) -> list[ConversationRow]:
    with walking(span):
        return inbox.conversations_window(db, account, flt, offset, limit, anchor=anchor)


@pytest.fixture
def generated(db: Database) -> int:
    report = generate(db, account="gen", fans=120, messages=900, seed=11, now=NOW)
    generate(db, account="noise", fans=40, messages=300, seed=12, now=NOW)
    return report.account_id
