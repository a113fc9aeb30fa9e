"""Helpers: a small simulator and a sync httpx client that calls its ASGI app in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from ofcrm_tui.simulator import Simulator, SimulatorConfig

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
TOKEN = "t0k"


class SyncASGITransport(httpx.BaseTransport):
    """httpx.ASGITransport is async-only; run each request on a fresh event loop."""

    def __init__(self, app) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> tuple[int, httpx.Headers, bytes]:
            response = await self._asgi.handle_async_request(request)
            return response.status_code, response.headers, await response.aread()

        status, headers, content = asyncio.run(call())
        return httpx.Response(status, headers=headers, content=content)


def make_sim(**overrides) -> Simulator:
    return Simulator(SimulatorConfig(**{"fans": 50, "seed": 1, "now": NOW, **overrides}))


def make_client(sim: Simulator, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(transport=SyncASGITransport(sim.asgi_app), base_url="http://sim/api2/v2", headers=headers)


def walk_offset(client: httpx.Client, path: str, **params) -> list[dict]:
    """Every item of an offset-paged endpoint."""
    items, offset = [], 0
    while True:
        page = client.get(path, params={**params, "offset": offset}).json()
        items += page["list"]
        offset += len(page["list"])
        if not page["hasMore"]:
            return items


def walk_transactions(client: httpx.Client) -> list[dict]:
    """Every transaction, newest first, following ``nextMarker``."""
    items, params = [], {"limit": 100}
    while True:
        page = client.get("/payouts/transactions", params=params).json()
        items += page["list"]
        if not page["hasMore"]:
            return items
        params["marker"] = page["nextMarker"]
