"""``fans.ppv_purchases``, ``last_outbound_at`` and ``last_chat_at`` (0021): filled in
from the rows there at the upgrade, then kept by triggers through inserts, updates and
deletes, and by the bulk loads that drop the triggers (SQLite)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, text, update

from ofcrm_tui.devdata import generate
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Message, Transaction
from tests.support.fan_facts import assert_facts_right

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
_M, _T, _C = Message.__table__, Transaction.__table__, Conversation.__table__
_PLATFORM_IDS = itertools.count(1)


def _fans(connection: Connection) -> None:
    """Accounts 1 and 2, fans 1-3 of account 1 and fan 4 of account 2, in plain SQL."""
    now = {"now": T0.replace(tzinfo=None)}
    for account in (1, 2):
        connection.execute(text(
            "INSERT INTO accounts (id, name, base_url, send_limit_per_minute, created_at) "
            f"VALUES ({account}, 'a{account}', 'http://x', 10, :now)"), now)
    for fan, account in ((1, 1), (2, 1), (3, 1), (4, 2)):
        connection.execute(text(
            "INSERT INTO fans (id, account_id, platform_user_id, username, name, nickname,"
            " subscription_status, subscribe_price_cents, total_spent_cents, tips_cents,"
            " messages_cents, subscriptions_cents, posts_cents, created_at, updated_at)"
            f" VALUES ({fan}, {account}, {100 + fan}, 'u{fan}', '', '', 'active',"
            " 0, 0, 0, 0, 0, 0, :now, :now)"), now)


def _conversation(connection: Connection, fan: int, account: int, minutes: int | None) -> int:
    at = None if minutes is None else T0 + timedelta(minutes=minutes)
    return connection.execute(insert(_C).values(
        account_id=account, fan_id=fan, last_message_at=at).returning(_C.c.id)).scalar_one()


def _message(connection: Connection, conversation: int, fan: int, account: int,
             direction: str, minutes: int) -> int:
    return connection.execute(insert(_M).values(
        account_id=account, conversation_id=conversation, fan_id=fan,
        platform_message_id=next(_PLATFORM_IDS), direction=direction,
        created_at=T0 + timedelta(minutes=minutes),
    ).returning(_M.c.id)).scalar_one()


def _transaction(connection: Connection, fan: int | None, account: int, kind: str) -> int:
    return connection.execute(insert(_T).values(
        account_id=account, platform_transaction_id=f"t{next(_PLATFORM_IDS)}",
        fan_id=fan, type=kind, amount_cents=500, net_cents=400, fee_cents=100,
        created_at=T0,
    ).returning(_T.c.id)).scalar_one()


def _rows(connection: Connection) -> dict[str, int]:
    """Some of everything: fan 1 bought two PPVs and was written to, fan 2 only wrote,
    fan 3 never chatted, fan 4 (another account) bought one."""
    c1, c2, c4 = (_conversation(connection, f, a, 30) for f, a in ((1, 1), (2, 1), (4, 2)))
    ids = {
        "out1": _message(connection, c1, 1, 1, "out", 10),
        "out1_newest": _message(connection, c1, 1, 1, "out", 20),
        "in2": _message(connection, c2, 2, 1, "in", 15),
        "out4": _message(connection, c4, 4, 2, "out", 5),
        "ppv1": _transaction(connection, 1, 1, "message"),
        "tip1": _transaction(connection, 1, 1, "tip"),
        "ppv4": _transaction(connection, 4, 2, "message"),
        "unknown": _transaction(connection, None, 1, "message"),
        "c1": c1, "c2": c2,
    }
    _transaction(connection, 1, 1, "message")
    return ids


def test_the_upgrade_fills_the_facts_in_and_triggers_keep_them(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0020_team_security")
    with db.engine.begin() as connection:
        _fans(connection)
        ids = _rows(connection)
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        facts = assert_facts_right(connection)
        assert [facts[f][0] for f in (1, 2, 3, 4)] == [2, 0, 0, 1]
        assert [facts[f][1] is None for f in (1, 2, 3, 4)] == [False, True, True, False]
        assert [facts[f][2] is None for f in (1, 2, 3, 4)] == [False, False, True, False]
        edits = [
            insert(_M).values(account_id=1, conversation_id=ids["c2"], fan_id=2,
                              platform_message_id=999, direction="out", created_at=T0),
            delete(_M).where(_M.c.id == ids["out1_newest"]),  # the newest goes: the one before
            update(_M).where(_M.c.id == ids["out1"]).values(direction="in"),
            update(_M).where(_M.c.id == ids["in2"]).values(fan_id=1, conversation_id=ids["c1"]),
            update(_T).where(_T.c.id == ids["ppv1"]).values(fan_id=3),
            update(_T).where(_T.c.id == ids["tip1"]).values(type="message"),
            update(_T).where(_T.c.id == ids["unknown"]).values(fan_id=2),
            delete(_T).where(_T.c.id == ids["ppv4"]),
            update(_C).where(_C.c.id == ids["c1"]).values(last_message_at=T0 - timedelta(days=1)),
            update(_C).where(_C.c.id == ids["c2"]).values(last_message_at=None),
            update(_C).where(_C.c.id == ids["c2"]).values(fan_id=3),
            delete(_C).where(_C.c.id == ids["c1"]),
        ]
        for edit in edits:
            connection.execute(edit)
            assert_facts_right(connection)
        connection.execute(text("DELETE FROM accounts WHERE id = 1"))
        assert_facts_right(connection)
    migrate.downgrade(db, "0020_team_security")
    migrate.upgrade(db)
    db.dispose()


def test_generated_data_has_the_facts_the_triggers_would_keep(db: Database) -> None:
    """The generator's batches (triggers dropped on SQLite, added after in bulk)."""
    for name in ("first", "second"):
        generate.generate(db, account=name, fans=40, messages=600, seed=3, now=T0)
    with db.engine.begin() as connection:
        facts = assert_facts_right(connection)
    assert sum(ppv for ppv, _, _ in facts.values()) > 0
    assert sum(out is not None for _, out, _ in facts.values()) > 10
    assert sum(chat is not None for _, _, chat in facts.values()) > 10
