import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ofcrm_tui.platform.client import DEFAULT_TIMEOUT, PlatformClient
from ofcrm_tui.platform.errors import (
    Ambiguous,
    BadResponse,
    ErrorKind,
    Forbidden,
    InvalidRequest,
    NotFound,
    PlatformError,
    RateLimited,
    Transient,
    Unauthorized,
    Unreachable,
)
from tests.platform.fake_platform import (
    BASE_URL,
    CREATOR_ID,
    TOKEN,
    error,
    message_json,
    raw,
    transaction_json,
    user_json,
)

SEND = "POST /chats/{userId}/messages"


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


# -- status errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (400, InvalidRequest, ErrorKind.PERMANENT),
        (422, InvalidRequest, ErrorKind.PERMANENT),
        (409, InvalidRequest, ErrorKind.PERMANENT),
        (401, Unauthorized, ErrorKind.UNAUTHORIZED),
        (403, Unauthorized, ErrorKind.UNAUTHORIZED),
        (404, NotFound, ErrorKind.PERMANENT),
        (408, Transient, ErrorKind.CLEAR),
        (429, RateLimited, ErrorKind.RATE_LIMITED),
        (500, Transient, ErrorKind.CLEAR),
        (502, Transient, ErrorKind.CLEAR),
        (503, Transient, ErrorKind.CLEAR),
        (302, BadResponse, ErrorKind.CLEAR),
    ],
)
def test_status_errors_on_a_read(client, fake, status, error_type, kind) -> None:
    fake.override("GET", "/users/me", error(status, "the server says no"))
    with pytest.raises(error_type) as caught:
        client.me()
    assert type(caught.value) is error_type
    assert caught.value.kind is kind
    assert caught.value.status == status
    assert str(caught.value).startswith("GET /users/me: ")
    if status != 302:
        assert f"HTTP {status}: the server says no" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "message", "error_type", "kind"),
    [
        (422, "price must be 0 or between 3 and 200", InvalidRequest, ErrorKind.PERMANENT),
        (403, "User has no active subscription", Forbidden, ErrorKind.PERMANENT),
        (403, "token revoked", Unauthorized, ErrorKind.UNAUTHORIZED),
        (401, "token revoked", Unauthorized, ErrorKind.UNAUTHORIZED),
        (404, "no such user", NotFound, ErrorKind.PERMANENT),
        (429, "slow down", RateLimited, ErrorKind.RATE_LIMITED),
        (500, "oops", Ambiguous, ErrorKind.AMBIGUOUS),
        (504, "gateway timeout", Ambiguous, ErrorKind.AMBIGUOUS),
    ],
)
def test_status_errors_on_a_send(client, fake, status, message, error_type, kind) -> None:
    fake.override("POST", r"/chats/\d+/messages", error(status, message))
    with pytest.raises(error_type) as caught:
        client.send_message(4101, "hello")
    assert type(caught.value) is error_type
    assert caught.value.kind is kind
    assert str(caught.value).startswith(f"{SEND}: HTTP {status}: {message}")


def test_forbidden_only_on_sends(client, fake) -> None:
    fake.override("GET", "/chats", error(403, "subscription required"))
    with pytest.raises(Unauthorized):
        client.chats_page()


def test_mark_as_read_is_idempotent_so_5xx_is_transient(client, fake) -> None:
    fake.override("POST", r"/chats/\d+/mark-as-read", error(503, "busy"))
    with pytest.raises(Transient):
        client.mark_as_read(4101)


def test_unknown_user_is_not_found(client) -> None:
    with pytest.raises(NotFound, match="no such user"):
        client.messages_page(1234)


def test_wrong_token_is_unauthorized(fake) -> None:
    with PlatformClient(BASE_URL, "wrong", transport=fake.transport()) as client:
        with pytest.raises(Unauthorized) as caught:
            client.me()
    assert caught.value.kind is ErrorKind.UNAUTHORIZED


def test_error_body_that_is_not_json(client, fake) -> None:
    fake.override("GET", "/chats", httpx.Response(502, text="<html>Bad Gateway</html>\n"))
    with pytest.raises(Transient, match=r"HTTP 502: <html>Bad Gateway</html>"):
        client.chats_page()
    fake.override("GET", "/chats", httpx.Response(500))
    with pytest.raises(Transient, match="HTTP 500: Internal Server Error"):
        client.chats_page()


def test_server_messages_cannot_break_the_line(client, fake) -> None:
    fake.override("GET", "/users/me", error(400, "bad\n\x1b[2J\x1b[31mred[/]"))
    with pytest.raises(InvalidRequest) as caught:
        client.me()
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


# -- Retry-After -------------------------------------------------------------------------


def test_retry_after_seconds(client, fake) -> None:
    fake.override("GET", "/chats", error(429, "slow", **{"Retry-After": "17"}))
    with pytest.raises(RateLimited) as caught:
        client.chats_page()
    assert caught.value.retry_after == 17
    assert "retry after 17 s" in str(caught.value)


def test_retry_after_date(client, fake) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    fake.override("POST", r"/chats/\d+/messages", error(429, "slow", **{"Retry-After": later}))
    with pytest.raises(RateLimited) as caught:
        client.send_message(4101, "x")
    assert 115 <= caught.value.retry_after <= 120


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "later please"}])
def test_retry_after_missing_or_garbage(client, fake, headers) -> None:
    fake.override("GET", "/chats", error(429, "slow", **headers))
    with pytest.raises(RateLimited) as caught:
        client.chats_page()
    assert caught.value.retry_after == 60


# -- transport failures ------------------------------------------------------------------


def raising(exc_type: type[httpx.TransportError]):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("boom", request=request)

    return handler


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ConnectTimeout])
@pytest.mark.parametrize("send", [False, True])
def test_not_connected_is_unreachable_even_for_sends(exc_type, send) -> None:
    transport = httpx.MockTransport(raising(exc_type))
    with PlatformClient("http://10.1.2.3:8765", TOKEN, transport=transport) as client:
        with pytest.raises(Unreachable) as caught:
            client.send_message(4101, "x") if send else client.me()
    assert caught.value.kind is ErrorKind.CLEAR
    assert "server unreachable at http://10.1.2.3:8765 (boom)" in str(caught.value)


@pytest.mark.parametrize(
    "exc_type", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError,
                 httpx.RemoteProtocolError]
)
def test_broken_exchange_is_ambiguous_for_a_send_and_transient_for_a_read(fake, exc_type) -> None:
    fake.override("POST", r"/chats/\d+/messages", raising(exc_type))
    fake.override("GET", r"/chats/\d+/messages", raising(exc_type))
    with PlatformClient(BASE_URL, TOKEN, transport=fake.transport()) as client:
        with pytest.raises(Ambiguous) as caught:
            client.send_message(4101, "x")
        assert caught.value.kind is ErrorKind.AMBIGUOUS
        with pytest.raises(Transient) as caught_read:
            client.messages_page(4101)
        assert type(caught_read.value) is Transient


def test_pool_timeout_is_transient_for_a_send(fake) -> None:
    fake.override("POST", r"/chats/\d+/messages", raising(httpx.PoolTimeout))
    with PlatformClient(BASE_URL, TOKEN, transport=fake.transport()) as client:
        with pytest.raises(Transient):
            client.send_message(4101, "x")


# -- malformed answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("<html>hello</html>", "answer is not JSON"),
        ("", "answer is not JSON"),
        (b"\xff\xfe\x00garbage", "answer is not JSON"),
        ('{"id": 1, "username": "me"', "answer is not JSON"),
        ("[]", "unexpected answer"),
        ('{"id": "1", "username": "me", "name": "Me"}', r"unexpected answer \(id: "),
        ('{"id": 1, "username": "me"}', r"unexpected answer \(name: Field required\)"),
    ],
)
def test_malformed_answers_to_a_read(client, fake, body, match) -> None:
    fake.override("GET", "/users/me", raw(200, body))
    with pytest.raises(BadResponse, match=match) as caught:
        client.me()
    assert str(caught.value).startswith("GET /users/me: ")
    assert caught.value.kind is ErrorKind.CLEAR


def test_malformed_page_names_the_bad_field(client, fake) -> None:
    page = json.dumps({"list": [message_json(1, 2)], "hasMore": False})
    bad = page.replace('"price": 0', '"price": 1.999')
    fake.override("GET", r"/chats/\d+/messages", raw(200, bad))
    with pytest.raises(BadResponse, match=r"list\.0\.price"):
        client.messages_page(4101)


def test_malformed_answer_to_a_send_is_ambiguous(client, fake) -> None:
    fake.override("POST", r"/chats/\d+/messages", raw(200, "OK"))
    with pytest.raises(BadResponse) as caught:
        client.send_message(4101, "x")
    assert caught.value.kind is ErrorKind.AMBIGUOUS
    assert not caught.value.retryable


def test_garbled_compression(client, fake) -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        body = httpx.ByteStream(b"not gzip")
        return httpx.Response(200, stream=body, headers={"content-encoding": "gzip"})

    fake.override("GET", "/users/me", garbled)
    fake.override("POST", r"/chats/\d+/messages", garbled)
    with pytest.raises(BadResponse, match="unreadable answer") as caught:
        client.me()
    assert caught.value.kind is ErrorKind.CLEAR
    with pytest.raises(BadResponse) as caught:
        client.send_message(4101, "x")
    assert caught.value.kind is ErrorKind.AMBIGUOUS


def test_mark_as_read_must_succeed(client, fake) -> None:
    fake.override("POST", r"/chats/\d+/mark-as-read", raw(200, '{"success": false}'))
    with pytest.raises(BadResponse):
        client.mark_as_read(4101)


# -- the token never leaks ---------------------------------------------------------------


def test_token_stays_out_of_reprs(fake) -> None:
    client = PlatformClient(BASE_URL, TOKEN, transport=fake.transport())
    assert TOKEN not in repr(client)
    assert repr(client) == "PlatformClient('http://platform.test')"
    assert TOKEN not in repr(client._http.headers)


def leak_surface(exc: BaseException | None) -> str:
    """Everything a logged traceback of the error would print, and its repr."""
    parts = []
    while exc is not None:
        parts += [str(exc), repr(exc), repr(exc.args)]
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n".join(parts)


def every_failure():
    yield lambda c: c.me(), error(401, "bad token")
    yield lambda c: c.me(), error(401, f"token {TOKEN} is revoked")  # echoed back
    yield lambda c: c.me(), error(400, "x" * 290 + TOKEN)  # where the message is cut
    yield lambda c: c.me(), raw(200, f"<{TOKEN}>")
    yield lambda c: c.me(), raw(200, json.dumps({"id": TOKEN}))
    yield lambda c: c.me(), httpx.Response(500, text=f"Authorization: Bearer {TOKEN}")
    yield lambda c: c.send_message(4101, "x"), error(429, TOKEN)
    for exc_type in (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError):
        yield lambda c: c.send_message(4101, "x"), raising(exc_type)


def test_token_stays_out_of_every_error() -> None:
    seen = 0
    for call, answer in every_failure():
        respond = answer if callable(answer) else (lambda request, answer=answer: answer)
        transport = httpx.MockTransport(respond)
        with PlatformClient(BASE_URL, TOKEN, transport=transport) as client:
            with pytest.raises(PlatformError) as caught:
                call(client)
        assert TOKEN[:8] not in leak_surface(caught.value)  # not even a cut-off piece
        seen += 1
    assert seen == 10


@pytest.mark.parametrize("token", ["", "two words", "new\nline", "tab\there", "ünï"])
def test_unusable_tokens_are_refused_without_quoting_them(token) -> None:
    with pytest.raises(ValueError) as caught:
        PlatformClient("http://h", token)
    assert token not in str(caught.value) or token == ""


@pytest.mark.parametrize("url", ["ftp://h", "h:80", "http://user:pw@h"])
def test_unusable_base_urls(url) -> None:
    with pytest.raises(ValueError) as caught:
        PlatformClient(url, "t")
    assert "pw" not in str(caught.value)


def test_default_timeout() -> None:
    assert DEFAULT_TIMEOUT.connect == 5
    assert DEFAULT_TIMEOUT.read == 15
