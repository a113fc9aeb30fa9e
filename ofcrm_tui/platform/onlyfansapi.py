"""OnlyFansAPI.com adapter: its REST API mapped onto the contract's models.

Read from the official SDK (``onlyfans`` 0.2.0, Stainless-generated ``OnlyFansAPI``):
base ``https://app.onlyfansapi.com``, ``Authorization: Bearer <key>`` (one key for every
connected account), the account in the path ``/api/{account}/…``. Every answer is
``{data, _pagination{next_page}, _meta}``. Chats: ``data`` is the list, ``fan`` instead of
``withUser``, no ``hasMore`` (a next page exists while ``next_page`` is set); one doc page
allows only 10, 20 or 30 a page, so the adapter asks for those and trims. Messages: newest
first, ``first_id`` excludes the cursor. Fans: ``/fans/{all|active|expired}``, 1–20 a
page. Vault: ``/media/vault``, 10–100 a page. Transactions: ``data{list, hasMore,
nextMarker}``, hex string ids, a ``type`` the docs do not promise (read from the
description when missing). Sends take ``price`` 0 or $3–$200 and an ``Idempotency-Key``
(a repeat returns the stored answer and sends nothing). Errors: ``{"error": "text"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from .client import (
    DEFAULT_TIMEOUT,
    MAX_LIMIT,
    PlatformClient,
    SubscriberType,
    _limit,
    _server_message,
)
from .errors import PlatformError, Unauthorized
from .gateway import valid_gateway_id
from .money import dollars_json
from .ofauth import TRANSACTION_TYPES
from .pacing import Budget
from .ratelimit_headers import read_budget_headers
from .text import text_to_html
from .wire import Chat, Me, Media, Message, Page, Success, TransactionPage, User

DEFAULT_BASE_URL = "https://app.onlyfansapi.com"
# Until the first answer tells the plan's limit, pace as the smallest plans allow.
START_RATE_PER_MINUTE = 60
START_BURST = 20
CHAT_LIMITS = (10, 20, 30)
FAN_LIMIT = 20
VAULT_MIN, VAULT_MAX = 10, 100
PRICE_MIN_CENTS, PRICE_MAX_CENTS = 300, 20000
# Transaction types as the descriptions name them, most specific first.
_DESCRIBED = (
    ("subscription", "subscription"),
    ("tip", "tip"),
    ("message", "message"),
    ("stream", "stream"),
    ("post", "post"),
)


class OnlyFansAPIClient(PlatformClient):
    """``OnlyFansAPIClient(base_url, api_key, account_id=...)``; the contract's interface."""

    gateway = "onlyfansapi"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        account_id: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.account_id = valid_gateway_id(account_id, "the OnlyFansAPI account id")
        self._prefix = f"/api/{quote(self.account_id, safe='')}"
        budget = budget or Budget(START_RATE_PER_MINUTE, START_BURST)
        super().__init__(base_url, token, timeout=timeout, transport=transport, budget=budget)

    # -- hooks ---------------------------------------------------------------------------

    def _observe(self, response: httpx.Response) -> None:
        if self.budget is not None:
            read_budget_headers(self.budget, response.headers, "x-rate-limit-", "-minute")

    def _error_detail(self, response: httpx.Response) -> str:
        return _server_message(response, "error")

    def _error_for(
        self, endpoint: str, response: httpx.Response, detail: str, *, idempotent: bool
    ) -> PlatformError:
        if response.status_code == 402:  # out of credits: every request fails until topped up
            return Unauthorized(endpoint, f"HTTP 402: {detail}", status=402)
        return super()._error_for(endpoint, response, detail, idempotent=idempotent)

    # -- endpoints -----------------------------------------------------------------------

    def me(self) -> Me:
        return self._call("GET", "/me", Me, convert=_data)

    def subscribers_page(
        self, type: SubscriberType = "all", limit: int = MAX_LIMIT, offset: int = 0
    ) -> Page[User]:
        params = {"limit": min(_limit(limit), FAN_LIMIT), "offset": offset}
        if type not in ("all", "active", "expired"):
            raise ValueError(f"type must be all, active or expired, not {type!r}")
        return self._call(
            "GET", f"/fans/{type}", Page[User], params=params, convert=_listed(limit)
        )

    def chats_page(self, limit: int = MAX_LIMIT, offset: int = 0) -> Page[Chat]:
        asked = _limit(limit)
        params = {"limit": _chat_limit(asked), "offset": offset, "order": "recent"}
        return self._call("GET", "/chats", Page[Chat], params=params, convert=_chats(asked))

    def messages_page(
        self, user_id: int, limit: int = MAX_LIMIT, before_id: int | None = None
    ) -> Page[Message]:
        params: dict[str, Any] = {"limit": _limit(limit), "order": "desc"}
        if before_id is not None:
            params["first_id"] = str(before_id)
        return self._call(
            "GET",
            "/chats/{userId}/messages",
            Page[Message],
            user_id=user_id,
            params=params,
            convert=_messages,
        )

    def send_message(
        self,
        user_id: int,
        text: str,
        price_cents: int = 0,
        media_ids: Sequence[int] = (),
        preview_ids: Sequence[int] = (),
        *,
        idempotency_key: str | None = None,
    ) -> Message:
        if isinstance(price_cents, bool) or not isinstance(price_cents, int) or price_cents < 0:
            raise ValueError(f"price_cents must be a non-negative int, not {price_cents!r}")
        if price_cents and not PRICE_MIN_CENTS <= price_cents <= PRICE_MAX_CENTS:
            raise ValueError("OnlyFansAPI.com takes a price of 0 or between $3 and $200")
        body = {
            "text": text_to_html(text),
            "price": dollars_json(price_cents),
            "mediaFiles": list(media_ids),
            "previews": list(preview_ids),
        }
        headers = {"Idempotency-Key": _idempotency_key(idempotency_key)} if idempotency_key else None
        return self._call(
            "POST",
            "/chats/{userId}/messages",
            Message,
            user_id=user_id,
            body=body,
            idempotent=False,
            headers=headers,
            convert=lambda body: _message(body["data"]),
        )

    def mark_as_read(self, user_id: int) -> None:
        self._call("POST", "/chats/{userId}/mark-as-read", Success, user_id=user_id, convert=_data)

    def transactions_page(
        self, limit: int = MAX_LIMIT, marker: str | int | None = None
    ) -> TransactionPage:
        params: dict[str, Any] = {"limit": _limit(limit)}
        if marker is not None:
            params["marker"] = marker
        return self._call(
            "GET", "/transactions", TransactionPage, params=params, convert=_transactions
        )

    def media_page(self, limit: int = MAX_LIMIT, offset: int = 0) -> Page[Media]:
        asked = _limit(limit)
        params = {"limit": max(VAULT_MIN, min(asked, VAULT_MAX)), "offset": offset}
        return self._call("GET", "/media/vault", Page[Media], params=params, convert=_listed(asked))


def _chat_limit(asked: int) -> int:
    return next((allowed for allowed in CHAT_LIMITS if allowed >= asked), CHAT_LIMITS[-1])


def _idempotency_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise ValueError("an idempotency key is 1–255 printable ASCII characters")
    return key


def _data(body: dict[str, Any]) -> Any:
    return body["data"]


def _has_next(body: dict[str, Any]) -> bool:
    pagination = body.get("_pagination") or {}
    return pagination.get("next_page") is not None


def _trimmed(items: list[Any], asked: int, more: bool) -> dict[str, Any]:
    """A page cut to what was asked; what was cut is still to come."""
    return {"list": items[:asked], "hasMore": more or len(items) > asked}


def _listed(asked: int) -> Any:
    def convert(body: dict[str, Any]) -> dict[str, Any]:
        data = body["data"]
        return _trimmed(data["list"], asked, bool(data["hasMore"]))

    return convert


def _messages(body: dict[str, Any]) -> dict[str, Any]:
    return {"list": [_message(raw) for raw in body["data"]], "hasMore": _has_next(body)}


def _chats(asked: int) -> Any:
    def convert(body: dict[str, Any]) -> dict[str, Any]:
        chats = [
            {
                "withUser": chat["fan"],
                "lastMessage": chat.get("lastMessage") and _message(chat["lastMessage"]),
                "unreadMessagesCount": chat["unreadMessagesCount"],
                "lastReadMessageId": chat.get("lastReadMessageId"),
            }
            for chat in body["data"]
        ]
        return _trimmed(chats, asked, _has_next(body))

    return convert


def _message(raw: dict[str, Any]) -> dict[str, Any]:
    """Messages may come without ``tipAmount``; the transactions carry tips then."""
    return {"tipAmount": 0, **raw}


def _transaction_type(item: dict[str, Any]) -> str:
    if isinstance(item.get("type"), str):
        return TRANSACTION_TYPES.get(item["type"], item["type"])
    description = str(item.get("description", "")).lower()
    for word, kind in _DESCRIBED:
        if word in description:
            return kind
    raise ValueError(f"transaction {item.get('id')!r} has no type the description names")


def _transactions(body: dict[str, Any]) -> dict[str, Any]:
    data = body["data"]
    has_more = bool(data["hasMore"])
    marker = data.get("nextMarker")
    return {
        "list": [{**item, "type": _transaction_type(item)} for item in data["list"]],
        "hasMore": has_more,
        "nextMarker": str(marker) if has_more and marker is not None else None,
    }
