import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ofcrm_tui.platform.money import dollars_json
from ofcrm_tui.platform.text import html_to_text, text_to_html
from ofcrm_tui.platform.wire import (
    Cents,
    Chat,
    Me,
    Media,
    Message,
    Page,
    SendMessageRequest,
    Success,
    Transaction,
    TransactionPage,
    User,
)
from tests.platform.fake_platform import message_json, transaction_json, user_json

HOSTILE_TEXTS = [
    "<b>hi</b>",
    "&amp; is not &",
    "a & b < c > d \"q\" 'q'",
    "emoji 😀👩‍👩‍👧 and flags 🇫🇷",
    "RTL: مرحبا بك שלום",
    "\u202eevil override\u202c",
    "[bold red]x[/]",
    "[link=https://evil.example]click[/link]",
    "\x1b[31mred\x1b[0m and \x1b]0;title\x07",
    "two\nlines\n\nand a gap",
    "  leading and trailing spaces  ",
    "<p>not a paragraph</p><br>",
    "x" * 10_000,
]


def wire(text: str) -> Any:
    """What the client does with an answer body."""
    return json.loads(text, parse_float=Decimal)


def test_user_from_the_contract_example() -> None:
    user = User.model_validate(wire(json.dumps(user_json(4101))))
    assert user.id == 4101
    assert user.display_name == ""
    assert user.last_seen == datetime(2026, 11, 20, 10, tzinfo=UTC)
    sub = user.subscription
    assert sub.status == "active"
    assert sub.renewed_at is None
    assert (sub.subscribe_price_cents, sub.total_cents, sub.tips_cents) == (999, 12345, 4000)
    assert (sub.messages_cents, sub.subscribes_cents, sub.posts_cents) == (6000, 2345, 0)


@pytest.mark.parametrize(
    ("dollars", "cents"),
    [("19.99", 1999), ("0.1", 10), ("0.29", 29), ("9.99", 999), ("123.45", 12345),
     ("1.005e2", 10050), ("200", 20000), ("40.0", 4000), ("0", 0), ("-5.5", -550)],
)
def test_money_is_exact_cents(dollars: str, cents: int) -> None:
    body = f'{{"id": 1, "amount": {dollars}, "net": {dollars}, "fee": 0, "currency": "USD",'
    body += ' "type": "tip", "description": "", "status": "done",'
    body += ' "createdAt": "2026-11-20T10:00:00Z", "user": {"id": 2, "username": "", "name": ""}}'
    transaction = Transaction.model_validate(wire(body))
    assert transaction.amount_cents == transaction.net_cents == cents
    assert transaction.fee_cents == 0


def test_every_amount_survives_the_wire_both_ways() -> None:
    cents_type = TypeAdapter(Cents)
    for cents in range(0, 20_001):
        assert cents_type.validate_python(wire(json.dumps(dollars_json(cents)))) == cents


@settings(deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_any_amount_survives_the_wire_both_ways(cents: int) -> None:
    assert TypeAdapter(Cents).validate_python(wire(json.dumps(dollars_json(cents)))) == cents


@pytest.mark.parametrize("price", ["1.999", '"9.99"', "true", "NaN", "Infinity", "null"])
def test_bad_amounts_are_refused(price: str) -> None:
    body = json.dumps(message_json(1, 2)).replace('"price": 0', f'"price": {price}')
    with pytest.raises(ValidationError, match="price"):
        Message.model_validate(wire(body))


def test_times_become_utc() -> None:
    data = message_json(1, 2, createdAt="2026-11-20T12:30:00+02:30")
    message = Message.model_validate(data)
    assert message.created_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert message.created_at.tzinfo is UTC


def test_times_without_offset_are_refused() -> None:
    with pytest.raises(ValidationError, match="createdAt"):
        Message.model_validate(message_json(1, 2, createdAt="2026-11-20T10:00:00"))


@pytest.mark.parametrize("bad_id", [0, -3, "5", 5.0, True, None])
def test_ids_are_positive_integers(bad_id: Any) -> None:
    with pytest.raises(ValidationError):
        Message.model_validate(message_json(1, 2, id=bad_id))


def test_extra_fields_are_ignored_and_needed_ones_required() -> None:
    data = message_json(7, 2, somethingNew={"x": 1}, lockedText=True)
    assert Message.model_validate(data).id == 7
    del data["isTip"]
    with pytest.raises(ValidationError, match="isTip"):
        Message.model_validate(data)


def test_unknown_enum_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Transaction.model_validate(transaction_json(1, type="refund"))
    with pytest.raises(ValidationError):
        Media.model_validate({"id": 1, "type": "gif", "createdAt": "2026-11-20T10:00:00Z"})


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_message_text_round_trips(text: str) -> None:
    message = Message.model_validate(message_json(1, 2, text_to_html(text)))
    assert message.html == text_to_html(text)
    assert message.text == text


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_any_typed_text_round_trips(text: str) -> None:
    """Whatever a person types comes back as typed (line ends as newlines)."""
    typed = text.replace("\r\n", "\n").replace("\r", "\n")
    assert html_to_text(text_to_html(text)) == typed
    assert Message.model_validate(message_json(1, 2, text_to_html(text))).text == typed


def test_fan_typed_markup_arrives_escaped_and_shows_literally() -> None:
    message = Message.model_validate(message_json(1, 2, "&lt;b&gt;hi&lt;/b&gt;"))
    assert message.text == "<b>hi</b>"


def test_tip_and_ppv_fields() -> None:
    tip = Message.model_validate(message_json(1, 2, isTip=True, tipAmount=Decimal("5.5")))
    assert (tip.is_tip, tip.tip_cents) == (True, 550)
    ppv = Message.model_validate(
        message_json(
            2, 1, price=Decimal("12.5"), isFree=False, isOpened=True, mediaCount=1,
            media=[{"id": 77, "type": "video"}],
        )
    )
    assert (ppv.price_cents, ppv.is_free, ppv.is_opened) == (1250, False, True)
    assert ppv.media[0].type == "video"


def test_models_are_frozen() -> None:
    message = Message.model_validate(message_json(1, 2))
    with pytest.raises(ValidationError):
        message.id = 5  # type: ignore[misc]


def test_chat_may_have_no_last_message() -> None:
    chat = Chat.model_validate(
        {"withUser": {"id": 3, "username": "u3", "name": "C"}, "lastMessage": None,
         "unreadMessagesCount": 0, "lastReadMessageId": None}
    )
    assert chat.last_message is None
    assert chat.with_user.id == 3


def test_pages() -> None:
    page = Page[Me].model_validate(
        {"list": [{"id": 1, "username": "a", "name": "A"}], "hasMore": False}
    )
    assert page.items[0].username == "a"
    assert page.has_more is False
    with pytest.raises(ValidationError):
        Page[Me].model_validate({"list": [], "hasMore": "yes"})


def test_transaction_page_needs_a_marker_to_go_on() -> None:
    done = TransactionPage.model_validate({"list": [], "hasMore": False})
    assert done.next_marker is None
    more = TransactionPage.model_validate({"list": [], "hasMore": True, "nextMarker": 9})
    assert more.next_marker == 9
    with pytest.raises(ValidationError, match="nextMarker"):
        TransactionPage.model_validate({"list": [], "hasMore": True, "nextMarker": None})


def test_success_must_be_true() -> None:
    assert Success.model_validate({"success": True}).success is True
    with pytest.raises(ValidationError):
        Success.model_validate({"success": False})


def test_send_request_uses_wire_names() -> None:
    request = SendMessageRequest(text="<p>x</p>", price=19.99, media_files=[1], previews=[])
    assert request.model_dump(by_alias=True) == {
        "text": "<p>x</p>", "price": 19.99, "mediaFiles": [1], "previews": [],
    }
