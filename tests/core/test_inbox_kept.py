"""Unread only, the open conversation kept listed once read (``InboxFilter.keep``): the
windows, counts, positions and the search walk list "unread, or that one", on the
indexes of the unread list."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from tests.core import inbox_world
from tests.core.inbox_world import FILTERS, _ids, _reference, walking

generated = inbox_world.generated

UNREAD = [flt for flt in FILTERS if flt.unread_only]


def _kept_reference(db: Database, account_id: int, flt: InboxFilter) -> list[int]:
    unread = set(_reference(db, account_id, replace(flt, keep=None)))
    return [conversation_id
            for conversation_id in _reference(db, account_id, replace(flt, unread_only=False))
            if conversation_id in unread or conversation_id == flt.keep]


def _agree(db: Database, account_id: int, flt: InboxFilter) -> list[int]:
    """The list by offset and by keyset, its count and positions, as the reference."""
    expected = _kept_reference(db, account_id, flt)
    assert inbox.count_conversations(db, account_id, flt) == len(expected), flt
    by_offset, by_keyset, anchor = [], [], None
    for offset in range(0, len(expected) + 4, 4):
        by_offset += inbox.conversations_window(db, account_id, flt, offset, 4)
        page = inbox.conversations_window(db, account_id, flt, offset, 4, anchor=anchor)
        by_keyset += page
        anchor = page[-1] if page else anchor
    assert _ids(by_offset) == _ids(by_keyset) == expected, flt
    for index, conversation_id in enumerate(expected):
        assert inbox.position_of(db, account_id, flt, conversation_id) == index, flt
    return expected


def _read_ones(db: Database, account_id: int, flt: InboxFilter) -> tuple[int, int]:
    """A read conversation the rest of ``flt`` lists, and one it does not (another
    account's, when it lists them all)."""
    unread = set(_reference(db, account_id, flt))
    passing = [i for i in _reference(db, account_id, replace(flt, unread_only=False))
               if i not in unread]
    everyone = _reference(db, account_id, InboxFilter())
    failing = [i for i in everyone if i not in passing and i not in unread]
    others = _reference(db, account_id + 1, InboxFilter())  # the generated "noise"
    return passing[len(passing) // 2], (failing + others)[0]


@pytest.mark.parametrize("walked", [False, True])
def test_the_kept_conversation_is_listed_read_in_its_place(
    db: Database, generated: int, walked: bool
) -> None:
    """Kept and read: listed in its place and counted; kept and unread: listed once;
    kept but left out by another filter (or by another account's): not listed."""
    for flt in UNREAD + [replace(flt, order="fan") for flt in UNREAD]:
        with walking(4) if walked else walking(10**6):
            read, other = _read_ones(db, generated, flt)
            unread = _reference(db, generated, flt)
            listed = _agree(db, generated, replace(flt, keep=read))
            assert read in listed and len(listed) == len(unread) + 1, flt
            assert _agree(db, generated, replace(flt, keep=unread[0])) == unread, flt
            assert _agree(db, generated, replace(flt, keep=other)) == unread, flt
            assert inbox.position_of(db, generated, replace(flt, keep=read), other) is None


def test_next_unread_passes_over_the_kept_conversation(db: Database, generated: int) -> None:
    flt = InboxFilter(unread_only=True)
    read, _ = _read_ones(db, generated, flt)
    kept = replace(flt, keep=read)
    listed = _kept_reference(db, generated, kept)
    above = inbox.conversations_window(db, generated, kept, listed.index(read) - 1, 1)[0]
    position, row = inbox.next_unread(db, generated, kept, above)
    assert (position, row.conversation_id) == (listed.index(read) + 1, listed[position])


def test_the_kept_list_reads_the_unread_index(db: Database, generated: int) -> None:
    """EXPLAIN: the unread arm walks the partial unread index in order (windows merge
    the arms, no sort), the kept one is read by primary key; nothing scans
    conversations."""
    if not db.is_sqlite:
        pytest.skip("PostgreSQL plans depend on statistics; bench/bench_inbox.py prints them")
    read, _ = _read_ones(db, generated, InboxFilter(unread_only=True))
    for order, index in [("activity", "ix_conversations_unread"),
                         ("fan", "ix_conversations_fan_unread")]:
        flt = InboxFilter(unread_only=True, keep=read, order=order)
        first = inbox.conversations_window(db, generated, flt, 0, 3)
        for call, used in [  # (a count reads the activity order's index, either order)
            (lambda: inbox.conversations_window(db, generated, flt, 0, 50), index),
            (lambda: inbox.conversations_window(db, generated, flt, 0, 50, anchor=first[1]),
             index),
            (lambda: inbox.conversations_window(db, generated, flt, 7, 50), index),
            (lambda: inbox.count_conversations(db, generated, flt), "ix_conversations_unread"),
        ]:
            with diagnostics.captured_sql(db) as statements:
                call()
            plan = diagnostics.query_plan(db, *statements[0])
            text = "\n".join(plan)
            assert used in text and "INTEGER PRIMARY KEY (rowid=?)" in text, plan
            assert not any(line.startswith("SCAN conversations") for line in plan), plan
            assert "TEMP B-TREE" not in text, plan
