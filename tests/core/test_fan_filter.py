"""The fan filter: each field's condition, their combination, and the inbox built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import FanError, FanFilter, fan_ids, resolve_fan, row_conditions
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Conversation, Fan, FanTag, Message, Tag

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    db: Database
    account: int
    other: int
    fans: dict[str, int] = field(default_factory=dict)  # username -> fan id (this account)


def _fan(
    session,  # noqa: ANN001
    account: int,
    username: str,
    platform_user_id: int,
    *,
    name: str = "",
    spent: int = 0,
    status: str = "active",
    seen: datetime | None = None,
    tags: tuple[Tag, ...] = (),
    texts: tuple[str, ...] = (),
) -> int:
    fan = Fan(
        account_id=account, platform_user_id=platform_user_id, username=username, name=name,
        subscription_status=status, total_spent_cents=spent, last_seen_at=seen,
        created_at=T0, updated_at=T0,
    )
    session.add(fan)
    session.flush()
    for tag in tags:
        session.add(FanTag(fan_id=fan.id, tag_id=tag.id, account_id=account))
    if texts:
        conversation = Conversation(
            account_id=account, fan_id=fan.id, last_message_at=T0, last_message_preview=texts[-1],
            last_message_direction="in",
        )
        session.add(conversation)
        session.flush()
        for index, body in enumerate(texts):
            session.add(Message(
                account_id=account, conversation_id=conversation.id, fan_id=fan.id,
                platform_message_id=platform_user_id * 100 + index, direction="in", text=body,
                created_at=T0 - timedelta(minutes=index),
            ))
    return fan.id


@pytest.fixture
def world(db: Database) -> World:
    with db.write() as session:
        accounts = [Account(name=name, base_url="http://x.invalid", created_at=T0) for name in ("mia", "zoe")]
        session.add_all(accounts)
        session.flush()
        account, other = accounts[0].id, accounts[1].id
        vip, new, late = (Tag(account_id=account, name=name) for name in ("vip", "new", "late"))
        other_vip = Tag(account_id=other, name="vip")
        session.add_all([vip, new, late, other_vip])
        session.flush()
        w = World(db, account, other)
        add = lambda username, pid, **kw: w.fans.__setitem__(  # noqa: E731
            username, _fan(session, account, username, pid, **kw)
        )
        add("whale", 1, name="Big Spender", spent=50_000, seen=T0, tags=(vip,),
            texts=("pineapple pizza tonight",))
        add("fresh", 2, name="New Face", seen=T0 - timedelta(days=2), tags=(new,))
        add("lapsed", 3, name="Gone Away", spent=900, status="expired",
            seen=T0 - timedelta(days=40), tags=(vip, late))
        add("ghost", 4, name="Never Seen", spent=100)
        add("middle", 5, name="Mid Pizza", spent=1_000, seen=T0 - timedelta(days=10),
            texts=("hello there",))
        # Another account with look-alike fans: never in this account's results.
        _fan(session, other, "whale", 1, name="Big Spender", spent=90_000, seen=T0,
             tags=(other_vip,), texts=("pineapple pizza tonight",))
        _fan(session, other, "stray", 9, name="Pizza Stray", status="expired")
    return w


def _found(world: World, flt: FanFilter) -> set[str]:
    with world.db.read() as session:
        ids = set(session.scalars(fan_ids(world.db, world.account, flt)))
        counted = session.scalar(select(func.count()).select_from(fan_ids(world.db, world.account, flt).subquery()))
    assert counted == len(ids), flt  # usable as a count
    return {username for username, fan in world.fans.items() if fan in ids}


ALL = {"whale", "fresh", "lapsed", "ghost", "middle"}


@pytest.mark.parametrize(("flt", "expected"), [
    (FanFilter(), ALL),
    (FanFilter(tags_in=("vip",)), {"whale", "lapsed"}),
    (FanFilter(tags_in=("new", "late")), {"fresh", "lapsed"}),
    (FanFilter(tags_in=("nobody-has-it",)), set()),
    (FanFilter(tags_out=("vip",)), {"fresh", "ghost", "middle"}),
    (FanFilter(tags_out=("vip", "new")), {"ghost", "middle"}),
    (FanFilter(status="active"), ALL - {"lapsed"}),
    (FanFilter(status="expired"), {"lapsed"}),
    (FanFilter(min_spent_cents=900), {"whale", "lapsed", "middle"}),
    (FanFilter(max_spent_cents=900), {"fresh", "lapsed", "ghost"}),
    (FanFilter(min_spent_cents=100, max_spent_cents=1_000), {"lapsed", "ghost", "middle"}),
    (FanFilter(active_before=T0 - timedelta(days=7)), {"lapsed", "ghost", "middle"}),
    (FanFilter(active_after=T0 - timedelta(days=7)), {"whale", "fresh"}),
    (FanFilter(active_after=T0), {"whale"}),
    (FanFilter(active_before=T0, active_after=T0 - timedelta(days=30)), {"fresh", "middle"}),
    (FanFilter(purchased=True), {"whale", "lapsed", "ghost", "middle"}),
    (FanFilter(purchased=False), {"fresh"}),
    (FanFilter(search="pizza"), {"whale", "middle"}),  # a message, a name
    (FanFilter(search="spender"), {"whale"}),
    (FanFilter(search="fa"), {"fresh"}),  # two letters: names by LIKE ("New Face")
    (FanFilter(search="   "), ALL),  # nothing left to search: no condition
    (FanFilter(tags_in=("vip",), status="active", purchased=True, search="pizza"), {"whale"}),
    (FanFilter(tags_out=("new",), purchased=True, max_spent_cents=1_000, active_before=T0), {"lapsed", "ghost", "middle"}),
])
def test_each_condition(world: World, flt: FanFilter, expected: set[str]) -> None:
    assert _found(world, flt) == expected


def test_a_status_matches_no_fan_without_subscription_data(world: World) -> None:
    """A fan made by hand or imported without a platform id has a status by default
    only: neither "active" nor "expired" picks them (analytics counts them in neither),
    and the status is still read from ``ix_fans_segment`` alone (SQLite's plan)."""
    with world.db.write() as session:
        for username, status in (("handmade", "active"), ("imported", "expired")):
            fan = Fan(account_id=world.account, platform_user_id=None, username=username,
                      subscription_status=status, created_at=T0, updated_at=T0)
            session.add(fan)
            session.flush()
            world.fans[username] = fan.id
    assert _found(world, FanFilter(status="active")) == ALL - {"lapsed"}
    assert _found(world, FanFilter(status="expired")) == {"lapsed"}
    assert _found(world, FanFilter()) == ALL | {"handmade", "imported"}
    listed = inbox.conversations_window(world.db, world.account, InboxFilter(status="active"), 0, 10)
    assert {row.username for row in listed} == {"whale", "middle"}
    if world.db.is_sqlite:
        with diagnostics.captured_sql(world.db) as statements:
            _found(world, FanFilter(status="active"))
        plan = diagnostics.query_plan(world.db, *statements[-1])
        assert not any(line.startswith("SCAN") for line in plan), plan
        assert any("COVERING INDEX ix_fans_segment" in line for line in plan), plan
        assert not any("LIST SUBQUERY" in line for line in plan), plan  # no set probed per fan


def test_conditions_on_a_joined_fan_row(world: World) -> None:
    """``row_conditions`` on the fans joined to another table (probe-only on SQLite)
    select the same fans as ``fan_ids``."""
    flt = FanFilter(status="active", min_spent_cents=100, active_before=T0)
    f, c = Fan.__table__, Conversation.__table__
    for probe_only in (False, True):
        statement = (
            select(c.c.fan_id).join(f, f.c.id == c.c.fan_id)
            .where(c.c.account_id == world.account, *row_conditions(flt, f, probe_only=probe_only))
        )
        with world.db.read() as session:
            assert set(session.scalars(statement)) == {world.fans["middle"]}
        assert ("+fans.total_spent_cents" in str(statement.compile(world.db.engine))) == (
            probe_only and world.db.is_sqlite
        )


def test_the_inbox_filter_is_the_fan_filter_plus_unread(world: World) -> None:
    flt = InboxFilter(unread_only=True, purchased_only=True, tag="vip", status="expired", query="x y")
    assert flt.fans == FanFilter(tags_in=("vip",), status="expired", purchased=True, search="x y")
    assert InboxFilter().fans == FanFilter()
    listed = inbox.conversations_window(world.db, world.account, InboxFilter(query="pizza"), 0, 10)
    assert {row.username for row in listed} == _found(world, FanFilter(search="pizza"))


def test_resolve_fan_by_platform_id_or_username(world: World) -> None:
    fan = world.fans["middle"]
    assert resolve_fan(world.db, world.account, "5").id == fan
    assert resolve_fan(world.db, world.account, 5).username == "middle"
    assert resolve_fan(world.db, world.account, "@middle").id == fan
    assert resolve_fan(world.db, world.account, " middle ").platform_user_id == 5
    with pytest.raises(FanError, match="no fan 'stray'"):
        resolve_fan(world.db, world.account, "stray")  # the other account's
    with pytest.raises(FanError, match="no fan given"):
        resolve_fan(world.db, world.account, " @")
