"""The contract's sending rules, applied to a request body."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import Any

from ofcrm_tui.platform.money import MoneyError, to_cents
from ofcrm_tui.platform.text import html_to_text

MAX_TEXT_CHARS = 10_000
MIN_PRICE_CENTS = 300
MAX_PRICE_CENTS = 20_000


class ApiError(Exception):
    """A refused request: HTTP ``status``, a message for the error body, and ``Retry-After``."""

    def __init__(
        self,
        message: str,
        status: int = 422,
        retry_after: int | None = None,
        *,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.kind = kind  # a gateway's error type, e.g. OFAuth's SESSION_EXPIRED


@dataclass(frozen=True)
class SendRequest:
    html: str
    price: int
    media: tuple[int, ...]
    previews: tuple[int, ...]


def parse_send(body: Any, vault: Container[int]) -> SendRequest:
    """Check a send body against the rules; raises ApiError."""
    if not isinstance(body, dict):
        raise ApiError("body must be a JSON object", 400)
    text = body.get("text")
    if not isinstance(text, str):
        raise ApiError("text must be a string")
    plain = html_to_text(text)
    if not plain.strip():
        raise ApiError("text must not be empty")
    if len(plain) > MAX_TEXT_CHARS:
        raise ApiError(f"text is longer than {MAX_TEXT_CHARS} characters")
    price = body.get("price", 0)
    if isinstance(price, bool) or not isinstance(price, int | float):
        raise ApiError("price must be a number")
    try:
        cents = to_cents(price)
    except MoneyError as exc:
        raise ApiError(f"price: {exc}") from exc
    if cents and not MIN_PRICE_CENTS <= cents <= MAX_PRICE_CENTS:
        raise ApiError("price must be 0 or between 3 and 200 dollars")
    media = _ids(body, "mediaFiles")
    previews = _ids(body, "previews")
    if cents and not media:
        raise ApiError("a priced message needs at least one media file")
    if not set(previews) <= set(media):
        raise ApiError("previews must be among mediaFiles")
    missing = [i for i in media if i not in vault]
    if missing:
        raise ApiError(f"unknown media: {missing}")
    return SendRequest(text, cents, media, previews)


def _ids(body: dict[str, Any], key: str) -> tuple[int, ...]:
    value = body.get(key, [])
    if not isinstance(value, list) or not all(type(i) is int and i > 0 for i in value):
        raise ApiError(f"{key} must be a list of media ids")
    return tuple(value)
