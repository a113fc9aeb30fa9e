"""The platform client's endpoints: each request as the contract has it and its answer
read, paging through short pages, the pages that would never end refused, and the
checks made before any request."""

import json

import httpx
import pytest

from ofcrm_tui.platform.client import DEFAULT_TIMEOUT, PlatformClient
from ofcrm_tui.platform.errors import BadResponse
from tests.platform.fake_platform import (
    CREATOR_ID,
    TOKEN,
    message_json,
    transaction_json,
    user_json,
)


# -- endpoints ---------------------------------------------------------------------------


def test_me_sends_the_bearer_token_under_the_api_prefix(client, fake) -> None:
    me = client.me()
    assert (me.id, me.username) == (CREATOR_ID, "me")
    request = fake.requests[-1]
    assert request.url == "http://platform.test/api2/v2/users/me"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_subscribers_page_and_filter(client, fake) -> None:
    fake.users[2]["subscribedOnData"]["status"] = "expired"
    page = client.subscribers_page("expired", limit=10, offset=0)
    assert [user.id for user in page.items] == [4103]
    assert page.has_more is False
    assert dict(fake.requests[-1].url.params) == {"type": "expired", "limit": "10", "offset": "0"}


def test_iter_subscribers_keeps_going_through_short_pages(client, fake) -> None:
    fake.page_cap = 2  # every page is shorter than asked, hasMore stays true
    users = list(client.iter_subscribers(page_size=100))
    assert [user.id for user in users] == [u["id"] for u in fake.users]
    offsets = [r.url.params["offset"] for r in fake.requests]
    assert offsets == ["0", "2", "4", "6"]


def test_chats_are_asked_newest_first(client, fake) -> None:
    fake.messages[4102] = [message_json(999999, 4102)]
    chats = list(client.iter_chats(page_size=1))
    assert [chat.with_user.id for chat in chats] == [4102, 4101]
    assert chats[0].last_message.id == 999999
    assert {r.url.params["order"] for r in fake.requests} == {"recent"}
    assert client.chats_page(limit=5).items[0].unread_count == 1


def test_iter_messages_pages_by_id_newest_first(client, fake) -> None:
    ids = [m.id for m in client.iter_messages(4101, page_size=4)]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 11
    cursors = [r.url.params.get("id") for r in fake.requests]
    assert cursors == [None, str(ids[3]), str(ids[7])]
    assert {r.url.params["order"] for r in fake.requests} == {"desc"}


def test_iter_messages_from_a_known_id(client) -> None:
    ids = [m.id for m in client.iter_messages(4101, before_id=900005)]
    assert ids == [900004, 900003, 900002, 900001]


def test_iteration_is_lazy(client, fake) -> None:
    fake.page_cap = 2
    for _user in client.iter_subscribers():
        break
    assert len(fake.requests) == 1


def test_send_message_body(client, fake) -> None:
    message = client.send_message(4101, "hi <you>\nbye", 1999, media_ids=[71, 72], preview_ids=[71])
    body = fake.requests[-1].content.decode()
    assert '"price": 19.99' in body or '"price":19.99' in body
    assert json.loads(body) == {
        "text": "<p>hi &lt;you&gt;<br>bye</p>",
        "price": 19.99,
        "mediaFiles": [71, 72],
        "previews": [71],
    }
    assert message.price_cents == 1999
    assert message.text == "hi <you>\nbye"
    assert message.from_user.id == CREATOR_ID


@pytest.mark.parametrize(
    ("cents", "wire_price"),
    [(0, "0"), (10, "0.1"), (300, "3"), (1999, "19.99"), (20000, "200")],
)
def test_send_prices_are_exact_json_numbers(client, fake, cents: int, wire_price: str) -> None:
    message = client.send_message(4101, "x", cents, media_ids=[71] if cents else ())
    sent = json.loads(fake.requests[-1].content, parse_float=str)
    assert str(sent["price"]) == wire_price
    assert message.price_cents == cents


@pytest.mark.parametrize(
    "text",
    ["<b>hi</b>", "&amp;", "😀 emoji", "مرحبا RTL", "[bold red]x[/]", "\x1b[31mred\x1b[0m",
     "a\nb\n\nc"],
)
def test_hostile_text_round_trips_through_the_server(client, text: str) -> None:
    sent = client.send_message(4101, text)
    (read,) = client.messages_page(4101, limit=1).items
    assert read.id == sent.id
    assert read.text == sent.text == text


def test_mark_as_read(client, fake) -> None:
    assert client.mark_as_read(4101) is None
    assert fake.requests[-1].method == "POST"
    assert fake.requests[-1].url.path == "/api2/v2/chats/4101/mark-as-read"


def test_transactions_follow_next_marker(client, fake) -> None:
    ids = [t.id for t in client.iter_transactions(page_size=4)]
    assert ids == [str(t["id"]) for t in fake.transactions]  # ids are text (gateways use hex)
    assert [r.url.params.get("marker") for r in fake.requests] == [None, "4", "8"]
    page = client.transactions_page(limit=2, marker="2")
    assert page.next_marker == "4"
    assert page.items[0].amount_cents == 2500


def test_transactions_with_short_pages(client, fake) -> None:
    fake.page_cap = 2
    assert len(list(client.iter_transactions(page_size=100))) == len(fake.transactions)
    assert len(fake.requests) == 5


def test_empty_transaction_page_with_has_more_is_an_error(client, fake) -> None:
    pages = iter([
        {"list": [transaction_json(9)], "hasMore": True, "nextMarker": "a"},
        {"list": [], "hasMore": True, "nextMarker": "b"},
    ])
    fake.override("GET", "/payouts/transactions", lambda r: httpx.Response(200, json=next(pages)))
    with pytest.raises(BadResponse, match="nothing new"):
        list(client.iter_transactions())


def test_media(client, fake) -> None:
    fake.page_cap = 3
    media = list(client.iter_media(page_size=50))
    assert [m.id for m in media] == [71, 72, 73, 74, 75]
    assert client.media_page(limit=1, offset=4).items[0].id == 75


def test_arguments_are_checked_before_any_request(client, fake) -> None:
    with pytest.raises(ValueError):
        client.chats_page(limit=0)
    with pytest.raises(ValueError):
        client.messages_page(4101, limit=101)
    with pytest.raises(ValueError):
        client.mark_as_read("1/../../users/me")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.messages_page(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.send_message(4101, "x", 19.99)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.send_message(4101, "x", 500, media_ids=["71"])  # type: ignore[list-item]
    assert fake.requests == []


# -- paging that would never end ---------------------------------------------------------


def test_has_more_with_an_empty_page_is_an_error(client, fake) -> None:
    fake.override("GET", "/chats", httpx.Response(200, json={"list": [], "hasMore": True}))
    with pytest.raises(BadResponse, match="GET /chats: hasMore is true but .* nothing new"):
        list(client.iter_chats())


def test_server_ignoring_offset_is_an_error(client, fake) -> None:
    page = {"list": [user_json(5)], "hasMore": True}
    fake.override("GET", "/subscriptions/subscribers", httpx.Response(200, json=page))
    with pytest.raises(BadResponse):
        list(client.iter_subscribers())
    assert len(fake.requests) == 2


def test_server_ignoring_the_message_cursor_is_an_error(client, fake) -> None:
    newer_ids = iter(range(10**6, 10**7))

    def ignore_cursor(request):  # `id` ignored, and a new message on every read
        page = [message_json(next(newer_ids), 4101), message_json(5, 4101)]
        return httpx.Response(200, json={"list": page, "hasMore": True})

    fake.override("GET", r"/chats/\d+/messages", ignore_cursor)
    with pytest.raises(BadResponse, match="no older messages"):
        list(client.iter_messages(4101))


def test_repeated_marker_is_an_error(client, fake) -> None:
    page = {"list": [transaction_json(3)], "hasMore": True, "nextMarker": "same"}
    fake.override("GET", "/payouts/transactions", httpx.Response(200, json=page))
    with pytest.raises(BadResponse):
        list(client.iter_transactions())


def test_items_shifted_onto_the_next_page_are_yielded_once(client, fake) -> None:
    pages = iter([
        {"list": [user_json(1), user_json(2)], "hasMore": True},
        {"list": [user_json(2), user_json(3)], "hasMore": False},
    ])
    fake.override(
        "GET", "/subscriptions/subscribers", lambda r: httpx.Response(200, json=next(pages))
    )
    assert [u.id for u in client.iter_subscribers()] == [1, 2, 3]


# -- the client made ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://h", "h:80", "http://user:pw@h"])
def test_unusable_base_urls(url) -> None:
    with pytest.raises(ValueError) as caught:
        PlatformClient(url, "t")
    assert "pw" not in str(caught.value)


def test_default_timeout() -> None:
    assert DEFAULT_TIMEOUT.connect == 5
    assert DEFAULT_TIMEOUT.read == 15
