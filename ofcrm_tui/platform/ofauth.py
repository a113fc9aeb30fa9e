"""OFAuth adapter: the platform's own requests through OFAuth's proxy.

Read from the official SDK (``onlyfans-sdk`` 3.1.0, ``OFAuthClient``): base
``https://api.ofauth.com``, headers ``apiKey`` and ``x-connection-id`` (one connection
per creator account), ``/v2/access/proxy/{platform path}`` forwarding the platform's
``/api2/v2`` paths, so those answers are the contract's shapes. Transactions come from
the typed ``/v2/access/earnings/transactions`` (hex string ids, ``amounts{gross, net,
fee, vat, tax}``, types ``subscribes|chat_messages|tips|post|stream``). Sends go through
the proxy too: the typed send parses markdown by default and takes ``previewMediaCount``
instead of preview ids.

Errors carry ``{message, code}`` (the SDK) or ``{error, type, requestId,
actionRequired}`` (the docs): both are read. A ``SESSION_EXPIRED``-like type, or an
``actionRequired`` one, means a person must reconnect the account: Unauthorized.
Reads and sends share a token bucket of 60 a minute with bursts of 90 (``X-RateLimit-*``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from .adapter import GatewayClient, transaction_page
from .client import MAX_LIMIT, _server_message, marker_params
from .wire import TransactionPage

DEFAULT_BASE_URL = "https://api.ofauth.com"
RATE_PER_MINUTE = 60
BURST = 90

# Error types that need a person to reconnect the account (or fix the key).
STOP_TYPES = frozenset(
    {
        "SESSION_EXPIRED",
        "CONNECTION_EXPIRED",
        "CONNECTION_NOT_FOUND",
        "CONNECTION_INACTIVE",
        "INVALID_API_KEY",
        "UNAUTHORIZED",
    }
)
# The typed API's transaction types, as the contract names them.
TRANSACTION_TYPES = {
    "subscribes": "subscription",
    "subscription": "subscription",
    "chat_messages": "message",
    "message": "message",
    "tips": "tip",
    "tip": "tip",
    "post": "post",
    "stream": "stream",
}


class OFAuthClient(GatewayClient):
    """``OFAuthClient(base_url, api_key, gateway_account=connection id)``."""

    gateway = "ofauth"
    _prefix = "/v2/access/proxy"
    account_what = "the OFAuth connection id"
    start_pace = (RATE_PER_MINUTE, BURST)
    ratelimit_headers = ("x-ratelimit-", "")

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"apiKey": token, "x-connection-id": self.gateway_account}

    def _error_detail(self, response: httpx.Response) -> str:
        body = _json_object(response)
        kind = _error_type(body)
        message = next(
            (body[key] for key in ("message", "error") if isinstance(body.get(key), str)), None
        )
        if message is None:  # the proxy may pass the platform's own error body on
            message = _server_message(response)
        return f"{message} [{kind}]" if kind else message

    def _stops_account(self, response: httpx.Response) -> bool:
        body = _json_object(response)
        return _error_type(body) in STOP_TYPES or bool(body.get("actionRequired"))

    def transactions_page(
        self, limit: int = MAX_LIMIT, marker: str | int | None = None
    ) -> TransactionPage:
        """The typed earnings endpoint: string ids and an ``amounts`` object."""
        return self._call(
            "GET",
            "/earnings/transactions",
            TransactionPage,
            params=marker_params(limit, marker),
            prefix="/v2/access",
            convert=_transactions,
        )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_type(body: dict[str, Any]) -> str | None:
    kind = body.get("type", body.get("code"))
    return kind.upper() if isinstance(kind, str) and kind else None


def _transactions(data: dict[str, Any]) -> dict[str, Any]:
    def one(item: dict[str, Any]) -> dict[str, Any]:
        amounts = item["amounts"]
        return {
            **item,
            "type": TRANSACTION_TYPES[item["type"]],
            "amount": amounts["gross"],
            "net": amounts["net"],
            "fee": amounts["fee"],
        }

    return transaction_page([one(item) for item in data["list"]], data["hasMore"], data.get("nextMarker"))
