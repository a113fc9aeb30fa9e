from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ofcrm_tui.platform.errors import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
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
    parse_retry_after,
)

NOW = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        (None, DEFAULT_RETRY_AFTER),
        ("", DEFAULT_RETRY_AFTER),
        ("soon", DEFAULT_RETRY_AFTER),
        ("-5", DEFAULT_RETRY_AFTER),
        ("1.5", DEFAULT_RETRY_AFTER),
        ("٣", DEFAULT_RETRY_AFTER),  # a digit, but not an ASCII one
        ("9" * 400, MAX_RETRY_AFTER),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Fri, 20 Nov 2026 10:00:30 -0000", 30.0),
        ("Fri, 20 Nov 2026 12:00:45 +0200", 45.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("Fri, 20 Nov 9999 10:00:00 GMT", MAX_RETRY_AFTER),
    ],
)
def test_retry_after(header: str | None, seconds: float) -> None:
    assert parse_retry_after(header, now=NOW) == seconds


def test_retry_after_date_defaults_to_the_real_clock() -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    assert 95 <= parse_retry_after(soon) <= 100


@pytest.mark.parametrize(
    ("error", "kind", "retryable"),
    [
        (Transient("GET /chats", "HTTP 503: down"), ErrorKind.CLEAR, True),
        (Unreachable("GET /chats", "http://h:1", "refused"), ErrorKind.CLEAR, True),
        (BadResponse("GET /chats", "not JSON"), ErrorKind.CLEAR, True),
        (BadResponse("POST /x", "not JSON", effect_unknown=True), ErrorKind.AMBIGUOUS, False),
        (Ambiguous("POST /x", "timed out"), ErrorKind.AMBIGUOUS, False),
        (InvalidRequest("POST /x", "HTTP 422"), ErrorKind.PERMANENT, False),
        (Forbidden("POST /x", "HTTP 403"), ErrorKind.PERMANENT, False),
        (NotFound("GET /x", "HTTP 404"), ErrorKind.PERMANENT, False),
        (RateLimited("GET /x", "HTTP 429", retry_after=3), ErrorKind.RATE_LIMITED, True),
        (Unauthorized("GET /x", "HTTP 401"), ErrorKind.UNAUTHORIZED, False),
    ],
)
def test_classification(error: PlatformError, kind: ErrorKind, retryable: bool) -> None:
    assert error.kind is kind
    assert error.retryable is retryable


def test_forbidden_is_an_invalid_request() -> None:
    assert isinstance(Forbidden("POST /x", "m"), InvalidRequest)


def test_str_names_the_endpoint_on_one_clean_line() -> None:
    error = InvalidRequest(
        "POST /chats/{userId}/messages", "HTTP 422:\n bad\x1b[31m red\r\n\u2028text\x00"
    )
    assert str(error) == "POST /chats/{userId}/messages: HTTP 422: bad [31m red text"
    assert error.endpoint == "POST /chats/{userId}/messages"


def test_long_messages_are_cut() -> None:
    error = Transient("GET /chats", "x" * 5000)
    assert len(error.message) == 300
    assert error.message.endswith("…")


def test_rate_limited_says_how_long() -> None:
    error = RateLimited("POST /chats/{userId}/messages", "HTTP 429: slow down", retry_after=12)
    assert error.retry_after == 12
    assert error.status == 429
    assert str(error) == "POST /chats/{userId}/messages: HTTP 429: slow down (retry after 12 s)"


def test_unreachable_names_the_server() -> None:
    error = Unreachable("GET /users/me", "http://127.0.0.1:9", "connection refused")
    assert str(error) == (
        "GET /users/me: server unreachable at http://127.0.0.1:9 (connection refused)"
    )
    assert isinstance(error, Transient)
