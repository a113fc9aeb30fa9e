"""Matching unsettled sends to chat messages (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ofcrm_tui.core.outbox.reconcile import CLOCK_TOLERANCE, Unsettled, match, same_text
from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.platform.wire import Message

CREATOR = 7
FAN = 4101
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def wire(id: int, text: str, *, at: datetime, price: float = 0, sender: int = CREATOR) -> Message:
    return Message.model_validate(
        {
            "id": id,
            "text": text_to_html(text),
            "price": price,
            "isFree": price == 0,
            "mediaCount": 0,
            "media": [],
            "fromUser": {"id": sender},
            "createdAt": at.isoformat(),
            "isOpened": False,
            "isTip": False,
            "tipAmount": 0,
        }
    )


def row(id: int, text: str, *, at: datetime = T0, price_cents: int = 0) -> Unsettled:
    return Unsettled(id, text, price_cents, at)


def test_found_when_text_and_price_match_after_the_first_attempt() -> None:
    chat = [
        wire(105, "hello <b>there</b>\nbye", at=T0 + timedelta(seconds=1), price=9.99),
        wire(104, "hello <b>there</b>\nbye", at=T0 + timedelta(seconds=1)),  # free: not it
        wire(103, "hello <b>there</b>\nbye", at=T0 + timedelta(seconds=1), price=9.99, sender=FAN),
    ]
    found = match([row(1, "hello <b>there</b>\nbye", price_cents=999)], chat, creator_id=CREATOR, taken=set())
    assert {k: v.id for k, v in found.items()} == {1: 105}


def test_older_messages_and_taken_ones_do_not_count() -> None:
    old = wire(100, "same", at=T0 - CLOCK_TOLERANCE - timedelta(seconds=1))
    taken = wire(101, "same", at=T0 + timedelta(seconds=2))
    assert match([row(1, "same")], [taken, old], creator_id=CREATOR, taken={101}) == {}
    skewed = wire(102, "same", at=T0 - CLOCK_TOLERANCE + timedelta(seconds=1))
    assert match([row(1, "same")], [skewed], creator_id=CREATOR, taken=set())[1].id == 102


def test_two_rows_with_the_same_text_get_two_messages_oldest_first() -> None:
    chat = [wire(201, "hi", at=T0 + timedelta(seconds=5)), wire(200, "hi", at=T0 + timedelta(seconds=1))]
    rows = [row(2, "hi", at=T0 + timedelta(seconds=4)), row(1, "hi", at=T0)]
    found = match(rows, chat, creator_id=CREATOR, taken=set())
    assert {k: v.id for k, v in found.items()} == {1: 200, 2: 201}
    only_one = match(rows, chat[:1], creator_id=CREATOR, taken=set())
    assert {k: v.id for k, v in only_one.items()} == {1: 201}


def test_whitespace_reflowed_by_a_server_still_matches() -> None:
    assert same_text("a  b\nc", "a b c")
    assert not same_text("a b c", "a b d")
