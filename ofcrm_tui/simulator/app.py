"""Starlette routes: the contract under ``/api2/v2`` and test-only admin under ``/_sim``.

Every contract request goes through ``_enter``: latency, bearer auth, an injected
429, the rate limit, an injected 5xx. World access happens under the world lock and
never across an ``await``.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as Message_

from ofcrm_tui.simulator import shapes
from ofcrm_tui.simulator.faults import Faults, Roll
from ofcrm_tui.simulator.rules import ApiError, parse_send
from ofcrm_tui.simulator.world import Message

if TYPE_CHECKING:
    from ofcrm_tui.simulator.simulator import Simulator

API = "/api2/v2"
DEFAULT_LIMIT = 20
REFUSED = "this fan has turned off messages from you (simulated)"  # an injected refusal
_INTEGER = re.compile(r"-?[0-9]{1,18}")


def create_app(sim: Simulator) -> ASGIApp:
    """The routes of the simulator's skin (its gateway's paths and shapes) and the admin ones."""
    api = Api(sim)
    routes = [
        *sim.skin.routes(api),
        Route("/_sim/ledger", api.admin_ledger),
        Route("/_sim/faults", api.admin_faults, methods=["POST"]),
        Route("/_sim/inbound", api.admin_inbound, methods=["POST"]),
        Route("/_sim/step", api.admin_step, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api.api_error, HTTPException: api.http_error},
    )
    return with_headers(app, sim)


def with_headers(app: ASGIApp, sim: Simulator) -> ASGIApp:
    """Every answer carries the skin's rate-limit headers, as counted after the request."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message_) -> None:
            if message["type"] == "http.response.start":
                with sim.lock:
                    extra = sim.skin.headers()
                if extra:
                    headers = MutableHeaders(raw=list(message.get("headers", [])))
                    for name, value in extra.items():
                        headers[name] = value
                    message = {**message, "headers": headers.raw}
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def contract_routes(api: Api) -> list[Route]:
    return [
        Route(f"{API}/users/me", api.me),
        Route(f"{API}/subscriptions/subscribers", api.subscribers),
        Route(f"{API}/chats", api.chats),
        Route(f"{API}/chats/{{user_id:int}}/messages", api.messages),
        Route(f"{API}/chats/{{user_id:int}}/messages", api.send, methods=["POST"]),
        Route(f"{API}/chats/{{user_id:int}}/mark-as-read", api.mark_read, methods=["POST"]),
        Route(f"{API}/payouts/transactions", api.transactions),
        Route(f"{API}/vault/media", api.vault),
    ]


def _query_int(request: Request, name: str, low: int, high: int | None = None) -> int | None:
    """An integer query parameter within bounds, or None when absent; 400 otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not _INTEGER.fullmatch(raw):
        raise ApiError(f"{name} must be an integer", 400)
    value = int(raw)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(f"{name} must be {bounds}", 400)
    return value


def _limit(request: Request) -> int:
    limit = _query_int(request, "limit", 1, 100)
    return DEFAULT_LIMIT if limit is None else limit


def _offset(request: Request) -> int:
    return _query_int(request, "offset", 0) or 0


def _choice(request: Request, name: str, allowed: tuple[str, ...]) -> str:
    value = request.query_params.get(name, allowed[0])
    if value not in allowed:
        raise ApiError(f"{name} must be one of {', '.join(allowed)}", 400)
    return value


def _page(items: list[Any], has_more: bool) -> JSONResponse:
    return JSONResponse({"list": items, "hasMore": has_more})


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError("body must be JSON", 400) from exc


class Api:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.world = sim.world

    def _error_response(
        self,
        status: int,
        message: str,
        retry_after: int | None = None,
        headers: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> JSONResponse:
        headers = dict(headers or {})
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        body = self.sim.skin.error_body(status, message, kind)
        return JSONResponse(body, status_code=status, headers=headers)

    async def api_error(self, request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return self._error_response(exc.status, str(exc), exc.retry_after, kind=exc.kind)

    async def http_error(self, request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return self._error_response(exc.status_code, exc.detail, headers=exc.headers)

    async def enter(self, request: Request, *, sending: bool = False) -> Roll:
        """The checks every contract request passes; raises ApiError to refuse it."""
        sim = self.sim
        dice = sim.dice
        if dice.faults.latency_s:
            await asyncio.sleep(dice.faults.latency_s)
        sim.skin.check_auth(request)
        with sim.lock:
            roll = dice.roll()
            if roll.rate_limited:
                raise ApiError("too many requests (injected)", 429, dice.faults.retry_after_s)
            wait = sim.skin.admit(sending=sending)
            if wait is not None:
                raise ApiError("too many requests", 429, wait)
        if roll.server_error and not (sending and roll.error_after_store):
            raise ApiError("server error (injected)", roll.server_error)
        return roll

    def fan(self, request: Request) -> int:
        fan_id = request.path_params["user_id"]
        if fan_id not in self.world.fans:
            raise ApiError("user not found", 404)
        return fan_id

    async def me(self, request: Request) -> JSONResponse:
        await self.enter(request)
        return JSONResponse(shapes.creator_json(self.world.creator))

    async def subscribers(self, request: Request) -> JSONResponse:
        await self.enter(request)
        kind = _choice(request, "type", ("all", "active", "expired"))
        limit, offset = _limit(request), _offset(request)
        world = self.world
        with world.lock:
            ids = {"all": world.fan_ids, "active": world.active_ids, "expired": world.expired_ids}[kind]
            items = [shapes.user_json(world.fans[i]) for i in ids[offset : offset + limit]]
            return _page(items, offset + limit < len(ids))

    async def chats(self, request: Request) -> JSONResponse:
        await self.enter(request)
        _choice(request, "order", ("recent",))
        limit, offset = _limit(request), _offset(request)
        world = self.world
        with world.lock:
            ids = world.recent_chats()
            items = [shapes.chat_json(world.fans[i], world.chats[i], world) for i in ids[offset : offset + limit]]
            return _page(items, offset + limit < len(ids))

    async def messages(self, request: Request) -> JSONResponse:
        await self.enter(request)
        fan_id = self.fan(request)
        _choice(request, "order", ("desc",))
        limit, before = _limit(request), _query_int(request, "id", 1)
        world = self.world
        with world.lock:
            messages, has_more = world.messages_before(fan_id, before, limit)
            return _page([shapes.message_json(m, world) for m in messages], has_more)

    async def send(self, request: Request) -> JSONResponse:
        roll = await self.enter(request, sending=True)
        if roll.refused:
            raise ApiError(REFUSED, 400)
        body = await _json_body(request)
        world = self.world
        with world.lock:
            try:
                payload = shapes.message_json(self.accept(request, body), world)
                on_stored = getattr(request.state, "on_stored", None)
                if on_stored is not None:  # a gateway keeps the answer under its idempotency key
                    on_stored(payload)
            except ApiError:
                if roll.server_error:
                    raise ApiError("server error (injected)", roll.server_error) from None
                raise
        if roll.server_error:
            raise ApiError("server error (injected after storing)", roll.server_error)
        if roll.hang_s:
            await self.hang(roll.hang_s)
        return JSONResponse(payload)

    def accept(self, request: Request, body: Any) -> Message:
        """Send-limit check, recipient checks, the sending rules, then store (lock held)."""
        wait = self.sim.send_window.retry_after()
        if wait is not None:
            raise ApiError("send limit reached", 429, wait)
        fan_id = self.fan(request)
        if not self.world.fans[fan_id].active:
            raise ApiError("the user's subscription is not active", 403)
        return self.sim.accept(fan_id, parse_send(body, self.world.media_types))

    async def hang(self, seconds: float) -> None:
        """Hold the response for ``seconds``, or until the server begins to stop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.sim.stopping.is_set() and loop.time() < deadline:
            await asyncio.sleep(min(0.05, max(0.0, deadline - loop.time())))

    async def mark_read(self, request: Request) -> JSONResponse:
        await self.enter(request)
        fan_id = self.fan(request)
        with self.world.lock:
            self.world.mark_read(fan_id)
        return JSONResponse({"success": True})

    async def transactions(self, request: Request) -> JSONResponse:
        await self.enter(request)
        limit, marker = _limit(request), _query_int(request, "marker", 1)
        world = self.world
        with world.lock:
            txs, has_more = world.transactions_before(marker, limit)
            items = [shapes.transaction_json(t, world.fans[t.fan_id]) for t in txs]
        next_marker = str(txs[-1].id) if has_more else None
        return JSONResponse({"list": items, "hasMore": has_more, "nextMarker": next_marker})

    async def vault(self, request: Request) -> JSONResponse:
        await self.enter(request)
        limit, offset = _limit(request), _offset(request)
        media = self.world.media  # fixed at build time
        end = max(0, len(media) - offset)
        items = [shapes.media_json(m) for m in media[max(0, end - limit) : end][::-1]]
        return _page(items, end - limit > 0)

    async def admin_ledger(self, request: Request) -> JSONResponse:
        return JSONResponse([entry.to_json() for entry in self.sim.ledger()])

    async def admin_faults(self, request: Request) -> JSONResponse:
        try:
            faults = Faults.from_json(await _json_body(request))
        except ValueError as exc:
            raise ApiError(str(exc), 400) from exc
        self.sim.set_faults(faults)
        return JSONResponse(faults.to_json())

    async def admin_inbound(self, request: Request) -> JSONResponse:
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise ApiError("body must be a JSON object", 400)
        user_id, text, tip = body.get("user_id"), body.get("text"), body.get("tip_cents", 0)
        if type(user_id) is not int or not isinstance(text, str) or type(tip) is not int or tip < 0:
            raise ApiError("needs user_id (int), text (str) and optionally tip_cents (int >= 0)", 400)
        try:
            message_id = self.sim.add_inbound_message(user_id, text, tip_cents=tip)
        except KeyError:
            raise ApiError("user not found", 404) from None
        return JSONResponse({"id": message_id})

    async def admin_step(self, request: Request) -> JSONResponse:
        body = await _json_body(request) if await request.body() else {}
        n = body.get("n", 1) if isinstance(body, dict) else None
        if type(n) is not int or n < 0:
            raise ApiError("n must be a non-negative integer", 400)
        self.sim.step(n)
        return JSONResponse({"steps": n})
