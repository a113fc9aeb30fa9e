"""A search read by walking the inbox: the same windows, pages and positions as the set
of matches, and dense prefixes probed message by message on SQLite."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter, walk
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from tests.core import inbox_world
from tests.core.inbox_world import FILTERS, NOW, _ids, _reference, walked, walking

generated = inbox_world.generated


@pytest.mark.parametrize("span", [1, 4, 25, 1000])
def test_search_walk_matches_the_set(db: Database, generated: int, span: int) -> None:
    """A search read by walking the inbox (forced here, over spans short and long, so
    the walk, its bound and its fallback to the set all run) lists what the set lists."""
    with db.write() as session:  # ties on the sort key, and conversations not listed
        ids = session.scalars(
            select(Conversation.id).where(Conversation.account_id == generated)
            .order_by(Conversation.id)
        ).all()
        for index, conversation_id in enumerate(ids[:60]):
            session.execute(
                update(Conversation).where(Conversation.id == conversation_id)
                .values(last_message_at=NOW - timedelta(hours=index % 4),
                        last_fan_message_at=NOW - timedelta(hours=index % 3))
            )
        session.execute(
            update(Conversation).where(Conversation.id.in_(ids[60:66])).values(last_message_at=None)
        )
    searches = [flt for flt in FILTERS if flt.query] + [
        InboxFilter(query="pizza", purchased_only=True),
        InboxFilter(query="pizza", status="expired"),
        InboxFilter(query="pizza", tag="vip"),
    ]
    for flt in searches + [replace(flt, order="fan") for flt in searches]:
        expected = _reference(db, generated, flt)
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(expected) + 9, 9):
            by_offset += walked(db, generated, flt, offset, 9, span=span)
            page = walked(db, generated, flt, offset, 9, anchor=anchor, span=span)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, (flt, span)
        with walking(span):
            for index in {0, len(expected) // 2, len(expected) - 1} if expected else ():
                assert inbox.position_of(db, generated, flt, expected[index]) == index, flt
            outside = set(_ids(inbox.conversations_window(db, generated, InboxFilter(), 0, 500)))
            for conversation_id in sorted(outside - set(expected))[:3]:
                assert inbox.position_of(db, generated, flt, conversation_id) is None, flt


def test_a_common_word_is_read_by_walking(
    db: Database, generated: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With many matches (the threshold lowered to this small data), the first page of a
    search comes from the walk, not from the whole set of matches."""
    monkeypatch.setattr(walk, "WALK_MIN_MATCHES", 20)
    results = []
    walk_window = walk.walk_window

    def spy(*args: object, **kwargs: object) -> object:
        results.append(walk_window(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(walk, "walk_window", spy)
    flt = InboxFilter(query="pizza")
    rows = inbox.conversations_window(db, generated, flt, 0, 5)
    assert _ids(rows) == _reference(db, generated, flt)[:5]
    assert results and results[-1] is not None
    results.clear()
    inbox.conversations_window(db, generated, InboxFilter(query="Lisbon"), 0, 5)
    assert results == [None]  # few matches: the set answers


def _walk_probes(db: Database, account: int, flt: InboxFilter) -> bool:
    """Whether the walk for ``flt`` tests messages by FTS5 probes (SQLite), not a list."""
    with db.read() as session:
        plan = walk.walk_plan(session, db, account, flt)
    assert plan is not None, flt
    sql = str(plan.test.compile(db.engine))
    assert sql.count("messages_fts MATCH") == 1, sql
    listed = "messages.id IN (SELECT rowid FROM messages_fts" in sql
    assert listed != ("messages.id = messages_fts.rowid" in sql), sql
    return not listed


@pytest.mark.parametrize("order", ["activity", "fan"])
def test_dense_prefixes_are_probed_and_list_what_the_set_lists(
    db: Database, generated: int, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in a large share of messages whose prefix FTS5 keeps a doclist for (two or
    three letters, migration 0023) is tested message by message on SQLite: the walk's
    plan seeks each message's rowid in FTS5 and lists no matches first. Its windows,
    pages and positions are the set's."""
    monkeypatch.setattr(walk, "WALK_MIN_MATCHES", 1)
    dense = [InboxFilter(query=needle, order=order) for needle in ("you", "yo", "YOU")]
    sparse = [InboxFilter(query=needle, order=order) for needle in ("Lis", "pizza", "you're")]
    if db.is_sqlite:
        assert all(_walk_probes(db, generated, flt) for flt in dense)
        assert not any(_walk_probes(db, generated, flt) for flt in sparse)
        with diagnostics.captured_sql(db) as statements:
            inbox.conversations_window(db, generated, dense[0], 0, 9)
        rows_sql = next(s for s in statements if "messages_fts" in str(s[0]) and "JOIN" in str(s[0]))
        plan = diagnostics.query_plan(db, *rows_sql)
        fts = [line for line in plan if "messages_fts" in line]
        # Probed by rowid (idxStr "=M..."), not scanned whole for a list ("M...").
        assert fts and all(":=M" in line for line in fts), plan
    for flt in dense + sparse:
        with monkeypatch.context() as patch:
            patch.setattr(walk, "walk_window", lambda *args, **kwargs: None)
            expected = _ids(inbox.conversations_window(db, generated, flt, 0, 1000))
        assert expected, flt
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(expected) + 9, 9):
            by_offset += walked(db, generated, flt, offset, 9, span=40)
            page = walked(db, generated, flt, offset, 9, anchor=anchor, span=40)
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == expected, flt
        with walking(40):
            for index in (0, len(expected) // 2, len(expected) - 1):
                assert inbox.position_of(db, generated, flt, expected[index]) == index, flt
