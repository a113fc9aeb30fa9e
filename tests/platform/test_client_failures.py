"""How the platform client reads a failure: status errors on reads and sends, Retry-After,
transport failures (a send's outcome unknown, a read's worth a retry), malformed answers."""

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import (
    Ambiguous,
    BadResponse,
    ErrorKind,
    Forbidden,
    InvalidRequest,
    NotFound,
    RateLimited,
    Transient,
    Unauthorized,
    Unreachable,
)
from tests.platform.fake_platform import BASE_URL, TOKEN, error, message_json, raising, raw


SEND = "POST /chats/{userId}/messages"


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
