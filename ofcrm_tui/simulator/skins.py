"""Skins: the same simulated world served in each gateway's shapes.

``contract`` is our own platform contract. ``ofauth`` puts it behind OFAuth's proxy
(``/v2/access/proxy/...``, ``apiKey`` + ``x-connection-id``), adds the typed
``/v2/access/earnings/transactions`` (hex ids, ``amounts``), OFAuth error bodies and its
token bucket (60 a minute, bursts of 90, ``X-RateLimit-*``; every request counts).
``onlyfansapi`` serves OnlyFansAPI.com's ``/api/{account}/...`` with the ``{data,
_pagination, _meta}`` envelope, its paging quirks (chats 10/20/30 a page and no
``hasMore``, fans 1–20, vault 10–100, ``first_id``), transactions without a type,
``{"error": text}`` bodies, a per-minute limit in ``x-rate-limit-*-minute`` headers and
``Idempotency-Key`` replay on sends. The shapes follow the gateways' official SDKs.
"""

from __future__ import annotations

import hmac
import itertools
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ofcrm_tui.simulator import shapes
from ofcrm_tui.simulator.app import API, Api, contract_routes
from ofcrm_tui.simulator.limits import SlidingWindow, TokenBucket
from ofcrm_tui.simulator.rules import ApiError

if TYPE_CHECKING:
    from ofcrm_tui.simulator.simulator import Simulator

SKINS = ("contract", "ofauth", "onlyfansapi")
OFAUTH_TYPES = {
    "subscription": "subscribes",
    "message": "chat_messages",
    "tip": "tips",
    "post": "post",
    "stream": "stream",
}
_HEX = (1 << 64) - 1


def hex_id(number: int) -> str:
    """A gateway-style transaction id: 16 hex digits, unique, not in time order."""
    return f"{(number * 0x9E3779B97F4A7C15) & _HEX:016x}"


def make_skin(name: str, sim: Simulator) -> ContractSkin:
    skins = {"contract": ContractSkin, "ofauth": OFAuthSkin, "onlyfansapi": OnlyFansAPISkin}
    if name not in skins:
        raise ValueError(f"unknown skin {name!r}: use one of {', '.join(SKINS)}")
    return skins[name](sim)


class ContractSkin:
    """Our own contract: bearer token, reads limited per 5 minutes, sends per minute."""

    name = "contract"

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._expected = f"Bearer {sim.config.token}".encode()

    def check_auth(self, request: Request) -> None:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, self._expected):
            raise ApiError("missing or wrong bearer token", 401)
        if self.sim.revoked:
            raise ApiError("the session has expired: sign in again", 401)

    def admit(self, *, sending: bool) -> int | None:
        """None when the request may go on, else seconds to wait (lock held)."""
        return None if sending else self.sim.other_window.acquire()

    def error_body(self, status: int, message: str, kind: str | None) -> dict[str, Any]:
        return shapes.error(status, message)

    def headers(self) -> dict[str, str]:
        return {}

    def routes(self, api: Api) -> list[Route]:
        return contract_routes(api)


class OFAuthSkin(ContractSkin):
    name = "ofauth"
    PROXY = "/v2/access/proxy"

    def __init__(self, sim: Simulator) -> None:
        super().__init__(sim)
        config = sim.config
        self.bucket = TokenBucket(config.gateway_rate_per_minute, config.gateway_burst)
        self._ids = itertools.count(1)

    def check_auth(self, request: Request) -> None:
        key = request.headers.get("apikey", "").encode()
        if not hmac.compare_digest(key, self.sim.config.token.encode()):
            raise ApiError("Invalid API key", 401, kind="INVALID_API_KEY")
        if request.headers.get("x-connection-id") != self.sim.config.gateway_account:
            raise ApiError("Connection not found", 404, kind="CONNECTION_NOT_FOUND")
        if self.sim.revoked:
            raise ApiError("The connection's session has expired", 401, kind="SESSION_EXPIRED")

    def admit(self, *, sending: bool) -> int | None:
        return self.bucket.acquire()

    def error_body(self, status: int, message: str, kind: str | None) -> dict[str, Any]:
        kind = kind or {429: "RATE_LIMITED", 404: "NOT_FOUND", 403: "FORBIDDEN"}.get(
            status, "SERVER_ERROR" if status >= 500 else "BAD_REQUEST"
        )
        return {
            "error": message,
            "message": message,
            "type": kind,
            "code": kind,
            "requestId": f"req_{next(self._ids):08d}",
            "actionRequired": "reconnect" if kind == "SESSION_EXPIRED" else None,
        }

    def headers(self) -> dict[str, str]:
        bucket = self.bucket
        remaining = bucket.remaining()
        return {
            "X-RateLimit-Limit": f"{bucket.rate_per_minute:g}",
            "X-RateLimit-Burst": str(bucket.burst),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{bucket.seconds_to_next():.3f}",
        }

    def routes(self, api: Api) -> list[Route]:
        proxied = [
            Route(self.PROXY + route.path.removeprefix(API), route.endpoint, methods=route.methods)
            for route in contract_routes(api)
            if not route.path.endswith("/payouts/transactions")
        ]

        async def transactions(request: Request) -> JSONResponse:
            return _reshape(await api.transactions(request), self._transactions)

        return [*proxied, Route("/v2/access/earnings/transactions", transactions)]

    def _transactions(self, page: dict[str, Any]) -> dict[str, Any]:
        def one(item: dict[str, Any]) -> dict[str, Any]:
            typed = {key: item[key] for key in ("createdAt", "currency", "description", "status")}
            return {
                **typed,
                "id": hex_id(item["id"]),
                "type": OFAUTH_TYPES[item["type"]],
                "amounts": {
                    "gross": item["amount"],
                    "net": item["net"],
                    "fee": item["fee"],
                    "vat": 0,
                    "tax": 0,
                },
                "payoutPendingDays": 7,
                "user": {**item["user"], "avatar": ""},
            }

        marker = page["nextMarker"]
        return {
            "list": [one(item) for item in page["list"]],
            "hasMore": page["hasMore"],
            "nextMarker": int(marker) if marker is not None else 0,
        }


class OnlyFansAPISkin(ContractSkin):
    name = "onlyfansapi"
    CHAT_LIMITS = (10, 20, 30)

    def __init__(self, sim: Simulator) -> None:
        super().__init__(sim)
        self.window = SlidingWindow(sim.config.gateway_rate_per_minute, 60.0)
        self._replies: dict[str, tuple[int, bytes]] = {}
        self.prefix = f"/api/{sim.config.gateway_account}"

    def check_auth(self, request: Request) -> None:
        super().check_auth(request)
        if request.path_params.get("account") != self.sim.config.gateway_account:
            raise ApiError("Account not found or not connected", 404)

    def admit(self, *, sending: bool) -> int | None:
        return self.window.acquire()

    def error_body(self, status: int, message: str, kind: str | None) -> dict[str, Any]:
        return {"error": message}

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit-minute": str(self.window.limit),
            "x-rate-limit-remaining-minute": str(self.window.remaining()),
        }

    def routes(self, api: Api) -> list[Route]:
        base = "/api/{account}"
        world = self.sim.world

        async def me(request: Request) -> JSONResponse:
            return self._wrap(await api.me(request), lambda creator: creator)

        async def fans(request: Request) -> JSONResponse:
            _bounded(request, "limit", 1, 20)
            kind = request.path_params["kind"]
            if kind not in ("all", "active", "expired"):
                raise ApiError("type must be all, active or expired", 404)
            asked = _with_query(request, type=kind)
            return self._wrap(await api.subscribers(asked), lambda page: page)

        async def chats(request: Request) -> JSONResponse:
            limit = request.query_params.get("limit", "10")
            if limit not in {str(n) for n in self.CHAT_LIMITS}:
                raise ApiError("The limit must be 10, 20 or 30.", 422)
            response = await api.chats(request)

            def shape(page: dict[str, Any]) -> list[dict[str, Any]]:
                with world.lock:
                    return [
                        {**{k: v for k, v in chat.items() if k != "withUser"},
                         "fan": shapes.user_json(world.fans[chat["withUser"]["id"]])}
                        for chat in page["list"]
                    ]

            return self._wrap(response, shape, paged=request)

        async def messages(request: Request) -> JSONResponse:
            first_id = request.query_params.get("first_id")
            asked = request if first_id is None else _with_query(request, id=first_id, first_id=None)
            return self._wrap(await api.messages(asked), lambda page: page["list"], paged=request)

        async def send(request: Request) -> JSONResponse:
            key = request.headers.get("idempotency-key")
            if key is not None and not (1 <= len(key) <= 255 and key.isascii() and key.isprintable()):
                raise ApiError("The Idempotency-Key must be 1-255 printable ASCII characters.", 422)
            body = json.loads(await request.body() or b"null")
            price = body.get("price", 0) if isinstance(body, dict) else 0
            if isinstance(price, int | float) and price and not 3 <= price <= 200:
                raise ApiError("The price must be 0 or between 3 and 200.", 422)
            with world.lock:
                stored = self._replies.get(key) if key else None
            if stored is not None:
                await api.enter(request, sending=True)  # a replay is still a request
                status, content = stored
                return JSONResponse(
                    json.loads(content), status_code=status, headers={"Idempotent-Replayed": "true"}
                )
            return await self._send(api, request, key)

        async def mark_read(request: Request) -> JSONResponse:
            return self._wrap(await api.mark_read(request), lambda ok: ok)

        async def transactions(request: Request) -> JSONResponse:
            def shape(page: dict[str, Any]) -> dict[str, Any]:
                items = [
                    {**{k: v for k, v in item.items() if k != "type"}, "id": hex_id(item["id"])}
                    for item in page["list"]
                ]
                marker = page["nextMarker"]
                return {**page, "list": items, "nextMarker": int(marker) if marker else None}

            return self._wrap(await api.transactions(request), shape)

        async def vault(request: Request) -> JSONResponse:
            _bounded(request, "limit", 10, 100)
            return self._wrap(await api.vault(request), lambda page: page)

        return [
            Route(f"{base}/me", me),
            Route(f"{base}/fans/{{kind}}", fans),
            Route(f"{base}/chats", chats),
            Route(f"{base}/chats/{{user_id:int}}/messages", messages),
            Route(f"{base}/chats/{{user_id:int}}/messages", send, methods=["POST"]),
            Route(f"{base}/chats/{{user_id:int}}/mark-as-read", mark_read, methods=["POST"]),
            Route(f"{base}/transactions", transactions),
            Route(f"{base}/media/vault", vault),
        ]

    async def _send(self, api: Api, request: Request, key: str | None) -> JSONResponse:
        """The contract's send; a stored message's answer is kept under its key at once,
        so a retry after a lost answer replays it instead of sending again."""
        remember = self._replies

        def keep(message: dict[str, Any]) -> None:
            if key:
                remember[key] = (200, json.dumps(self._envelope(message)).encode())

        request.state.on_stored = keep
        return self._wrap(await api.send(request), lambda message: message)

    def _envelope(self, data: Any, next_page: str | None = None) -> dict[str, Any]:
        window = self.window
        return {
            "data": data,
            "_pagination": {"next_page": next_page},
            "_meta": {
                "_credits": {"used": 1, "balance": 100000, "note": "simulated"},
                "_cache": {"is_cached": False},
                "_rate_limits": {"limit_minute": window.limit},
            },
        }

    def _wrap(self, response: JSONResponse, shape: Any, paged: Request | None = None) -> JSONResponse:
        page = json.loads(response.body)
        next_page = None
        if paged is not None and page.get("hasMore"):
            next_page = _next_page_url(paged, page)
        return JSONResponse(self._envelope(shape(page), next_page), status_code=response.status_code)


def _reshape(response: JSONResponse, shape: Any) -> JSONResponse:
    return JSONResponse(shape(json.loads(response.body)), status_code=response.status_code)


def _bounded(request: Request, name: str, low: int, high: int) -> None:
    raw = request.query_params.get(name)
    if raw is not None and (not raw.isdigit() or not low <= int(raw) <= high):
        raise ApiError(f"The {name} must be between {low} and {high}.", 422)


def _with_query(request: Request, **changes: str | None) -> Request:
    """The request with its query parameters changed (the contract's names)."""
    params = dict(request.query_params)
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return Request({**request.scope, "query_string": urlencode(params).encode()}, request.receive)


def _next_page_url(request: Request, page: dict[str, Any]) -> str:
    if "first_id" in request.query_params or request.url.path.endswith("/messages"):
        oldest = min(item["id"] for item in page["list"])
        return str(request.url.include_query_params(first_id=oldest))
    offset = int(request.query_params.get("offset", "0")) + len(page["list"])
    return str(request.url.include_query_params(offset=offset))

