"""The inbox's windows on a hand-made world: order and ties, keyset paging, filters,
positions, the next unread, read marks, and other accounts never shown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox.drafts import save_draft
from ofcrm_tui.core.inbox import InboxError, InboxFilter
from tests.core import inbox_world
from tests.core.inbox_world import T0, World, _ids, _names, walked

world = inbox_world.world


def test_window_is_sorted_newest_first_with_id_breaking_ties(world: World) -> None:
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)
    tie_ids = sorted((world.conversations[n] for n in ("tie_a", "tie_b", "tie_c")), reverse=True)
    assert _ids(rows) == [
        world.conversations["moonlight_rider"],
        world.conversations["alex99"],
        *tie_ids,
        world.conversations["jo"],
    ]
    assert inbox.count_conversations(world.db, world.account, InboxFilter()) == 6
    top = rows[0]
    assert top.display_name == "Sam Moon" and top.unread_count == 2 and top.tags == ("vip",)
    assert top.preview == "Do you like pineapple pizza?" and top.last_direction == "in"
    assert top.last_message_at == T0 + timedelta(days=9)
    assert rows[1].display_name == "Big Al"
    assert rows[1].name == "Alex Stone" and rows[1].subscription_status == "expired"


def test_keyset_through_ties_equals_offset(world: World) -> None:
    everything = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 100)
    for size in (1, 2, 4):
        by_offset, by_keyset, anchor = [], [], None
        for offset in range(0, len(everything), size):
            by_offset += inbox.conversations_window(world.db, world.account, InboxFilter(), offset, size)
            page = inbox.conversations_window(
                world.db, world.account, InboxFilter(), offset, size, anchor=anchor
            )
            by_keyset += page
            anchor = page[-1] if page else anchor
        assert _ids(by_offset) == _ids(by_keyset) == _ids(everything)
    assert inbox.conversations_window(world.db, world.account, InboxFilter(), 6, 10) == []
    assert inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 0) == []


FILTER_CASES = [
    (InboxFilter(unread_only=True), ["moonlight_rider", "tie_a", "jo"]),
    (InboxFilter(purchased_only=True), ["moonlight_rider", "tie_b"]),
    (InboxFilter(tag="vip"), ["moonlight_rider", "tie_b"]),
    (InboxFilter(tag="late-payer"), ["tie_b"]),
    (InboxFilter(tag="no-such-tag"), []),
    (InboxFilter(status="expired"), ["alex99", "jo"]),
    (InboxFilter(status="active"), ["moonlight_rider", "tie_c", "tie_b", "tie_a"]),
    (InboxFilter(unread_only=True, status="expired"), ["jo"]),
    (InboxFilter(purchased_only=True, tag="vip", unread_only=True), ["moonlight_rider"]),
]


def test_each_filter(world: World) -> None:
    for flt, expected in FILTER_CASES:
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
        assert _names(rows) == expected, flt
        assert inbox.count_conversations(world.db, world.account, flt) == len(expected), flt
        assert walked(world.db, world.account, flt, 0, 50) == rows, flt


def test_rows_say_which_conversations_hold_a_draft(world: World) -> None:
    moon, alex = world.conversations["moonlight_rider"], world.conversations["alex99"]
    assert save_draft(world.db, world.account, moon, "see you tonight") is True
    rows = {row.conversation_id: row for row in
            inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)}
    assert rows[moon].has_draft and not rows[alex].has_draft
    assert inbox.conversation_header(world.db, world.account, moon).has_draft
    assert save_draft(world.db, world.account, moon, "  ") is False  # emptied: gone
    assert not inbox.conversation_header(world.db, world.account, moon).has_draft


def test_other_accounts_never_show(world: World) -> None:
    for flt in [InboxFilter(), InboxFilter(query="pineapple"), InboxFilter(query="Alex"),
                InboxFilter(tag="vip"), InboxFilter(purchased_only=True), InboxFilter(unread_only=True)]:
        rows = inbox.conversations_window(world.db, world.account, flt, 0, 100)
        assert {row.fan_id for row in rows} <= {v for k, v in world.fans.items() if ":" not in k}
    other_rows = inbox.conversations_window(world.db, world.other, InboxFilter(query="Alex"), 0, 50)
    assert _names(other_rows) == ["stranger"]
    foreign = world.conversations["other:moonlight_rider"]
    assert inbox.position_of(world.db, world.account, InboxFilter(), foreign) is None
    assert inbox.thread_page(world.db, world.account, foreign) == []
    assert inbox.pending_in_thread(world.db, world.account, foreign) == []
    with pytest.raises(InboxError):
        inbox.conversation_header(world.db, world.account, foreign)
    with pytest.raises(InboxError):
        inbox.mark_read_locally(world.db, world.account, foreign)
    assert inbox.tags(world.db, world.account) == ["late-payer", "vip"]


def test_position_of(world: World) -> None:
    rows = inbox.conversations_window(world.db, world.account, InboxFilter(), 0, 50)
    for index, row in enumerate(rows):
        assert inbox.position_of(world.db, world.account, InboxFilter(), row.conversation_id) == index
    unread = InboxFilter(unread_only=True)
    assert inbox.position_of(world.db, world.account, unread, world.conversations["jo"]) == 2
    assert inbox.position_of(world.db, world.account, unread, world.conversations["alex99"]) is None
    assert inbox.position_of(world.db, world.account, InboxFilter(), world.conversations["quiet"]) is None
    search = InboxFilter(query="tie")
    assert inbox.position_of(world.db, world.account, search, world.conversations["tie_a"]) == 2


def test_next_unread_walks_down_and_wraps(world: World) -> None:
    flt = InboxFilter()
    rows = inbox.conversations_window(world.db, world.account, flt, 0, 50)
    first = inbox.next_unread(world.db, world.account, flt, None)
    assert first is not None and first[0] == 0 and first[1].username == "moonlight_rider"
    second = inbox.next_unread(world.db, world.account, flt, first[1])
    assert second is not None and second[1].username == "tie_a"
    assert second[0] == _ids(rows).index(world.conversations["tie_a"])
    # From a read row in between: the next unread below it.
    below_alex = inbox.next_unread(world.db, world.account, flt, rows[1])
    assert below_alex is not None and below_alex[1].username == "tie_a"
    third = inbox.next_unread(world.db, world.account, flt, second[1])
    assert third is not None and third[1].username == "jo" and third[0] == 5
    wrapped = inbox.next_unread(world.db, world.account, flt, third[1])
    assert wrapped is not None and wrapped[0] == 0 and wrapped[1].username == "moonlight_rider"
    # Within a filter, positions are in the filtered list.
    expired = InboxFilter(status="expired")
    found = inbox.next_unread(world.db, world.account, expired, None)
    assert found is not None and found[0] == 1 and found[1].username == "jo"
    assert inbox.next_unread(world.db, world.account, InboxFilter(tag="late-payer"), None) is None


def test_mark_read_locally(world: World) -> None:
    conversation = world.conversations["moonlight_rider"]
    assert inbox.mark_read_locally(world.db, world.account, conversation) == world.platform_ids[
        "moonlight_rider"
    ]
    header = inbox.conversation_header(world.db, world.account, conversation)
    assert header.unread_count == 0
    assert inbox.count_conversations(world.db, world.account, InboxFilter(unread_only=True)) == 2
    # The other account's look-alike is untouched.
    other = inbox.conversation_header(world.db, world.other, world.conversations["other:moonlight_rider"])
    assert other.unread_count == 5
