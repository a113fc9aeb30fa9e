"""The inbox's windows and counts on generated accounts: the same as the filter done in
Python, the plans the indexes drive, counts with one account and several."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from ofcrm_tui.core import inbox
from ofcrm_tui.devdata.generate import generate
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan
from tests.core import inbox_world
from tests.core.inbox_world import FILTERS, NOW, _ids, _reference

generated = inbox_world.generated


def test_windows_match_a_plain_reference(db: Database, generated: int) -> None:
    """Offset and keyset paging give the same list as the filter done in Python, in
    either order."""
    for flt in FILTERS + [replace(flt, order="fan") for flt in FILTERS]:
        expected = _reference(db, generated, flt)
        count = inbox.count_conversations(db, generated, flt)
        assert count == len(expected), flt
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, count + 9, 9):
            by_offset += inbox.conversations_window(db, generated, flt, offset, 9)
            page = inbox.conversations_window(db, generated, flt, offset, 9, anchor=anchor)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, flt
        if expected:
            middle = expected[len(expected) // 2]
            assert inbox.position_of(db, generated, flt, middle) == len(expected) // 2, flt


def test_unfiltered_list_and_count_use_the_inbox_index(db: Database, generated: int) -> None:
    """EXPLAIN QUERY PLAN: the index drives, nothing sorts the whole list."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans depend on statistics; bench/bench_inbox.py prints them")
    for call, index in [
        (lambda: inbox.conversations_window(db, generated, InboxFilter(), 0, 50), "ix_conversations_inbox"),
        (
            lambda: inbox.conversations_window(db, generated, InboxFilter(unread_only=True), 0, 50),
            "ix_conversations_unread",
        ),
        (
            lambda: inbox.count_conversations(db, generated, InboxFilter(unread_only=True)),
            "ix_conversations_unread",
        ),
        (
            lambda: inbox.count_conversations(db, generated, InboxFilter(purchased_only=True)),
            "ix_conversations_account_fan",
        ),
    ]:
        with diagnostics.captured_sql(db) as statements:
            call()
        plan = diagnostics.query_plan(db, *statements[0])
        assert index in plan[0], plan
        assert not any("TEMP B-TREE" in line for line in plan), plan
        assert not any(line.startswith("SCAN") for line in plan), plan


def test_unfiltered_count_with_one_account_and_several(db: Database) -> None:
    """The SQLite fast path (a bare count when the account is alone) stays exact."""
    first = generate(db, account="first", fans=30, messages=90, seed=1, now=NOW)
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 30
    if db.is_sqlite:
        with diagnostics.captured_sql(db) as statements:
            inbox.count_conversations(db, first.account_id, InboxFilter())
        plan = diagnostics.query_plan(db, *statements[0])
        assert not any("TEMP B-TREE" in line or "SCAN conversations" == line for line in plan), plan
    with db.write() as session:  # a conversation without messages is not listed
        fan = session.scalars(select(Fan).where(Fan.account_id == first.account_id)).first()
        session.execute(update(Conversation).where(Conversation.fan_id == fan.id).values(last_message_at=None))
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 29
    second = generate(db, account="second", fans=12, messages=40, seed=2, now=NOW)
    third = generate(db, account="third", fans=5, messages=10, seed=3, now=NOW)
    assert inbox.count_conversations(db, first.account_id, InboxFilter()) == 29
    assert inbox.count_conversations(db, second.account_id, InboxFilter()) == 12
    assert inbox.count_conversations(db, third.account_id, InboxFilter()) == 5
    assert inbox.count_conversations(db, third.account_id + 1, InboxFilter()) == 0
    for account in (first.account_id, second.account_id, third.account_id):
        assert inbox.count_conversations(db, account, InboxFilter()) == len(
            inbox.conversations_window(db, account, InboxFilter(), 0, 100)
        )


def test_unread_filter_follows_changes(db: Database, generated: int) -> None:
    flt = InboxFilter(unread_only=True)
    before = inbox.count_conversations(db, generated, flt)
    rows = inbox.conversations_window(db, generated, flt, 0, 3)
    inbox.mark_read_locally(db, generated, rows[0].conversation_id)
    assert inbox.count_conversations(db, generated, flt) == before - 1
    with db.write() as session:
        session.execute(
            update(Conversation).where(Conversation.id == rows[0].conversation_id).values(unread_count=4)
        )
    assert inbox.conversations_window(db, generated, flt, 0, 3) == [
        inbox.conversation_header(db, generated, rows[0].conversation_id),
        *rows[1:],
    ]
