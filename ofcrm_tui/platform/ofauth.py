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

from .client import DEFAULT_TIMEOUT, MAX_LIMIT, PlatformClient, _limit, _server_message
from .errors import PlatformError, Unauthorized
from .gateway import valid_gateway_id
from .pacing import Budget
from .ratelimit_headers import read_budget_headers
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


class OFAuthClient(PlatformClient):
    """``OFAuthClient(base_url, api_key, connection_id=...)``; the contract's interface."""

    gateway = "ofauth"
    _prefix = "/v2/access/proxy"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connection_id: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.connection_id = valid_gateway_id(connection_id, "the OFAuth connection id")
        super().__init__(base_url, token, timeout=timeout, transport=transport,
                         budget=budget or Budget(RATE_PER_MINUTE, BURST))

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"apiKey": token, "x-connection-id": self.connection_id}

    def _observe(self, response: httpx.Response) -> None:
        if self.budget is not None:
            read_budget_headers(self.budget, response.headers, "x-ratelimit-")

    def _error_detail(self, response: httpx.Response) -> str:
        body = _json_object(response)
        kind = _error_type(body)
        message = next(
            (body[key] for key in ("message", "error") if isinstance(body.get(key), str)), None
        )
        if message is None:  # the proxy may pass the platform's own error body on
            message = _server_message(response)
        return f"{message} [{kind}]" if kind else message

    def _error_for(
        self, endpoint: str, response: httpx.Response, detail: str, *, idempotent: bool
    ) -> PlatformError:
        body = _json_object(response)
        if _error_type(body) in STOP_TYPES or body.get("actionRequired"):
            return Unauthorized(endpoint, f"HTTP {response.status_code}: {detail}", status=response.status_code)
        return super()._error_for(endpoint, response, detail, idempotent=idempotent)

    def transactions_page(
        self, limit: int = MAX_LIMIT, marker: str | int | None = None
    ) -> TransactionPage:
        """The typed earnings endpoint: string ids and an ``amounts`` object."""
        params: dict[str, Any] = {"limit": _limit(limit)}
        if marker is not None:
            params["marker"] = marker
        return self._call(
            "GET",
            "/earnings/transactions",
            TransactionPage,
            params=params,
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

    has_more = data["hasMore"]
    marker = data.get("nextMarker")
    return {
        "list": [one(item) for item in data["list"]],
        "hasMore": has_more,
        "nextMarker": str(marker) if has_more and marker is not None else None,
    }
