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

from typing import Any
from urllib.parse import quote

import httpx

from .adapter import GatewayClient, transaction_page
from .client import MAX_LIMIT, SubscriberType, _limit, _server_message, marker_params
from .ofauth import TRANSACTION_TYPES
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


class OnlyFansAPIClient(GatewayClient):
    """``OnlyFansAPIClient(base_url, api_key, gateway_account=account id)``."""

    gateway = "onlyfansapi"
    account_what = "the OnlyFansAPI account id"
    start_pace = (START_RATE_PER_MINUTE, START_BURST)
    ratelimit_headers = ("x-rate-limit-", "-minute")

    @property
    def _prefix(self) -> str:
        return f"/api/{quote(self.gateway_account, safe='')}"

    # -- hooks ---------------------------------------------------------------------------

    def _error_detail(self, response: httpx.Response) -> str:
        return _server_message(response, "error")

    def _stops_account(self, response: httpx.Response) -> bool:
        return response.status_code == 402  # out of credits: every request fails until topped up

    def _check_price(self, price_cents: int) -> None:
        super()._check_price(price_cents)
        if price_cents and not PRICE_MIN_CENTS <= price_cents <= PRICE_MAX_CENTS:
            raise ValueError("OnlyFansAPI.com takes a price of 0 or between $3 and $200")

    def _send_headers(self, idempotency_key: str | None) -> dict[str, str] | None:
        return {"Idempotency-Key": _idempotency_key(idempotency_key)} if idempotency_key else None

    def _sent_message(self, body: Any) -> Any:
        return _message(body["data"])

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

    def mark_as_read(self, user_id: int) -> None:
        self._call("POST", "/chats/{userId}/mark-as-read", Success, user_id=user_id, convert=_data)

    def transactions_page(
        self, limit: int = MAX_LIMIT, marker: str | int | None = None
    ) -> TransactionPage:
        params = marker_params(limit, marker)
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
    items = [{**item, "type": _transaction_type(item)} for item in data["list"]]
    return transaction_page(items, bool(data["hasMore"]), data.get("nextMarker"))
