"""An in-process fake of the platform contract, served through httpx.MockTransport."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx

TOKEN = "s3cr3t-T0KEN-do-not-leak"
BASE_URL = "http://platform.test"
CREATOR_ID = 1
WHEN = "2026-11-20T10:00:00+00:00"

Handler = Callable[[httpx.Request], httpx.Response]


def error(status: int, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": status, "message": message}}, headers=headers
    )


def raw(status: int, content: bytes | str) -> httpx.Response:
    """A response whose body is sent byte for byte (money stays as written)."""
    body = content.encode() if isinstance(content, str) else content
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


def raising(exc_type: type[httpx.TransportError]) -> Handler:
    """A handler that fails the exchange with ``exc_type``, as the transport would."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("boom", request=request)

    return handler


def user_json(user_id: int, **changes: Any) -> dict[str, Any]:
    user = {
        "id": user_id,
        "username": f"u{user_id}",
        "name": f"Fan {user_id}",
        "displayName": "",
        "lastSeen": WHEN,
        "subscribedOnData": {
            "status": "active",
            "subscribeAt": "2026-03-01T12:00:00+00:00",
            "expiredAt": "2026-12-01T12:00:00+00:00",
            "renewedAt": None,
            "subscribePrice": 9.99,
            "totalSumm": 123.45,
            "tipsSumm": 40.0,
            "messagesSumm": 60.0,
            "subscribesSumm": 23.45,
            "postsSumm": 0.0,
        },
    }
    return user | changes


def message_json(message_id: int, from_id: int, html: str = "<p>hi</p>", **changes: Any):
    message = {
        "id": message_id,
        "text": html,
        "price": 0,
        "isFree": True,
        "mediaCount": 0,
        "media": [],
        "fromUser": {"id": from_id},
        "createdAt": WHEN,
        "isOpened": False,
        "isTip": False,
        "tipAmount": 0,
    }
    return message | changes


def transaction_json(transaction_id: int, **changes: Any) -> dict[str, Any]:
    transaction = {
        "id": transaction_id,
        "amount": 25.0,
        "net": 20.0,
        "fee": 5.0,
        "currency": "USD",
        "type": "message",
        "description": "Payment for message from Alex",
        "status": "done",
        "createdAt": WHEN,
        "user": {"id": 4101, "username": "u4101", "name": "Alex"},
    }
    return transaction | changes


class FakePlatform:
    """Serves the contract from in-memory lists; ``override`` injects faults.

    ``page_cap`` makes every page shorter than asked while ``hasMore`` stays true,
    as the contract allows.
    """

    def __init__(self) -> None:
        self.users = [user_json(4100 + i) for i in range(1, 8)]
        self.messages: dict[int, list[dict[str, Any]]] = {
            4101: [message_json(900000 + i, 4101, f"<p>m{i}</p>") for i in range(1, 12)]
        }
        self.transactions = [transaction_json(55000 + i) for i in range(9, 0, -1)]
        self.media = [{"id": 70 + i, "type": "photo", "createdAt": WHEN} for i in range(1, 6)]
        self.page_cap = 100
        self.requests: list[httpx.Request] = []
        self._overrides: list[tuple[str, re.Pattern[str], Handler]] = []
        self._next_id = 990000

    def override(self, method: str, path: str, handler: Handler | httpx.Response) -> None:
        """Answer ``method path`` (a regex on the path after /api2/v2) with ``handler``."""
        respond = handler if callable(handler) else (lambda request: handler)
        self._overrides.insert(0, (method, re.compile(path + "$"), respond))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return error(401, "missing or wrong token")
        path = request.url.path.removeprefix("/api2/v2")
        for method, pattern, respond in self._overrides:
            if method == request.method and pattern.match(path):
                return respond(request)
        params = request.url.params
        limit = min(int(params.get("limit", 20)), self.page_cap)
        route = (request.method, path)
        if route == ("GET", "/users/me"):
            return httpx.Response(200, json={"id": CREATOR_ID, "username": "me", "name": "Me"})
        if route == ("GET", "/subscriptions/subscribers"):
            wanted = params.get("type", "all")
            users = [
                u for u in self.users if wanted in ("all", u["subscribedOnData"]["status"])
            ]
            return self._offset_page(users, int(params.get("offset", 0)), limit)
        if route == ("GET", "/chats"):
            chats = [
                {
                    "withUser": {"id": uid, "username": f"u{uid}", "name": f"Fan {uid}"},
                    "lastMessage": thread[-1],
                    "unreadMessagesCount": 1,
                    "lastReadMessageId": None,
                }
                for uid, thread in self.messages.items()
            ]
            chats.sort(key=lambda chat: -chat["lastMessage"]["id"])
            return self._offset_page(chats, int(params.get("offset", 0)), limit)
        if route == ("GET", "/vault/media"):
            return self._offset_page(self.media, int(params.get("offset", 0)), limit)
        if route == ("GET", "/payouts/transactions"):
            start = int(params.get("marker", 0))
            chunk = self.transactions[start : start + limit]
            more = start + limit < len(self.transactions)
            marker = str(start + limit) if more else None
            return httpx.Response(200, json={"list": chunk, "hasMore": more, "nextMarker": marker})
        if match := re.fullmatch(r"/chats/(\d+)/(messages|mark-as-read)", path):
            user_id, action = int(match[1]), match[2]
            if user_id not in self.messages:
                return error(404, "no such user")
            if action == "mark-as-read":
                return httpx.Response(200, json={"success": True})
            if request.method == "POST":
                return self._send(user_id, json.loads(request.content))
            before = int(params.get("id", 10**12))
            older = [m for m in reversed(self.messages[user_id]) if m["id"] < before]
            return httpx.Response(200, json={"list": older[:limit], "hasMore": len(older) > limit})
        return error(404, "no such endpoint")

    def _offset_page(self, items: list[Any], offset: int, limit: int) -> httpx.Response:
        chunk = items[offset : offset + limit]
        return httpx.Response(
            200, json={"list": chunk, "hasMore": offset + len(chunk) < len(items)}
        )

    def _send(self, user_id: int, body: dict[str, Any]) -> httpx.Response:
        self._next_id += 1
        message = message_json(
            self._next_id,
            CREATOR_ID,
            body["text"],
            price=body["price"],
            isFree=body["price"] == 0,
            mediaCount=len(body["mediaFiles"]),
            media=[{"id": media_id, "type": "photo"} for media_id in body["mediaFiles"]],
        )
        self.messages[user_id].append(message)
        return httpx.Response(200, json=message)
