"""Shapes, paging and query validation of every read endpoint; auth; unknown routes."""

from __future__ import annotations

import pytest

from ofcrm_tui.simulator import Simulator
from tests.simulator.support import make_client, walk_offset

USER_KEYS = {"id", "username", "name", "displayName", "lastSeen", "subscribedOnData"}
SUB_KEYS = {
    "status", "subscribeAt", "expiredAt", "renewedAt", "subscribePrice", "totalSumm",
    "tipsSumm", "messagesSumm", "subscribesSumm", "postsSumm",
}
MESSAGE_KEYS = {
    "id", "text", "price", "isFree", "mediaCount", "media", "fromUser", "createdAt",
    "isOpened", "isTip", "tipAmount",
}
TX_KEYS = {"id", "amount", "net", "fee", "currency", "type", "description", "status", "createdAt", "user"}


def test_users_me(client, sim: Simulator) -> None:
    me = client.get("/users/me").json()
    assert me == {"id": sim.creator.id, "username": sim.creator.username, "name": sim.creator.name}


def test_subscribers_shape_filter_and_paging(client, sim: Simulator) -> None:
    page = client.get("/subscriptions/subscribers").json()
    assert set(page) == {"list", "hasMore"} and len(page["list"]) == 20 and page["hasMore"]
    user = page["list"][0]
    assert set(user) == USER_KEYS and set(user["subscribedOnData"]) == SUB_KEYS
    assert user["username"] == f"u{user['id']}"
    everyone = walk_offset(client, "/subscriptions/subscribers", limit=7)
    assert [u["id"] for u in everyone] == sim.fan_ids()
    active = walk_offset(client, "/subscriptions/subscribers", type="active", limit=100)
    expired = walk_offset(client, "/subscriptions/subscribers", type="expired")
    assert [u["id"] for u in active] == sim.active_fan_ids()
    assert {u["subscribedOnData"]["status"] for u in active} == {"active"}
    assert {u["subscribedOnData"]["status"] for u in expired} == {"expired"}
    assert len(active) + len(expired) == 50
    assert client.get("/subscriptions/subscribers", params={"offset": 50}).json() == {"list": [], "hasMore": False}


@pytest.mark.parametrize(
    "path, params",
    [
        ("/subscriptions/subscribers", {"limit": 0}),
        ("/subscriptions/subscribers", {"limit": 101}),
        ("/subscriptions/subscribers", {"limit": "ten"}),
        ("/subscriptions/subscribers", {"offset": -1}),
        ("/subscriptions/subscribers", {"type": "vip"}),
        ("/chats", {"limit": 0}),
        ("/chats", {"order": "oldest"}),
        ("/vault/media", {"limit": 500}),
        ("/payouts/transactions", {"limit": 0}),
        ("/payouts/transactions", {"marker": "abc"}),
    ],
)
def test_bad_queries_are_400(client, path: str, params: dict) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400 and response.json()["error"]["message"]


def test_limit_bounds_are_accepted(client) -> None:
    assert len(client.get("/subscriptions/subscribers", params={"limit": 1}).json()["list"]) == 1
    assert len(client.get("/subscriptions/subscribers", params={"limit": 100}).json()["list"]) == 50


def test_chats_recent_order_and_shape(client, sim: Simulator) -> None:
    chats = walk_offset(client, "/chats", order="recent", limit=9)
    assert len(chats) == len(sim.world.chats)
    chat = chats[0]
    assert set(chat) == {"withUser", "lastMessage", "unreadMessagesCount", "lastReadMessageId"}
    assert set(chat["withUser"]) == {"id", "username", "name"}
    assert set(chat["lastMessage"]) == MESSAGE_KEYS
    last_ids = [c["lastMessage"]["id"] for c in chats]
    assert last_ids == sorted(last_ids, reverse=True)
    for c in chats:
        assert c["lastReadMessageId"] <= c["lastMessage"]["id"]
        assert (c["unreadMessagesCount"] == 0) == (c["lastReadMessageId"] == c["lastMessage"]["id"])


def _chat_of_size(sim: Simulator, at_least: int) -> int:
    return next(fid for fid, c in sim.world.chats.items() if len(c.messages) >= at_least)


def test_messages_newest_first_with_older_than_cursor(client, sim: Simulator) -> None:
    fan_id = _chat_of_size(sim, 12)
    seen, params = [], {"limit": 5, "order": "desc"}
    while True:
        page = client.get(f"/chats/{fan_id}/messages", params=params).json()
        seen += page["list"]
        if not page["hasMore"]:
            break
        params["id"] = page["list"][-1]["id"]
    ids = [m["id"] for m in seen]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert ids == [m.id for m in reversed(sim.world.chats[fan_id].messages)]
    assert set(seen[0]) == MESSAGE_KEYS
    assert {m["fromUser"]["id"] for m in seen} <= {fan_id, sim.creator.id}
    older = client.get(f"/chats/{fan_id}/messages", params={"id": ids[2], "limit": 100}).json()
    assert [m["id"] for m in older["list"]] == ids[3:] and older["hasMore"] is False


def test_message_kinds_serialise(client, sim: Simulator) -> None:
    everything = [m for c in sim.world.chats.values() for m in c.messages]
    ppv = next(m for m in everything if m.price and m.opened)
    tip = next(m for m in everything if m.tip)
    for wanted in (ppv, tip):
        page = client.get(f"/chats/{wanted.fan_id}/messages", params={"id": wanted.id + 1, "limit": 1}).json()
        got = page["list"][0]
        assert got["id"] == wanted.id
        if wanted is ppv:
            assert got["isFree"] is False and got["isOpened"] is True and got["mediaCount"] == len(got["media"]) > 0
            assert got["fromUser"]["id"] == sim.creator.id
            assert {m["type"] for m in got["media"]} <= {"photo", "video", "audio"}
        else:
            assert got["isTip"] is True and got["tipAmount"] > 0 and got["fromUser"]["id"] == wanted.fan_id


def test_messages_of_unknown_user_and_of_fan_without_chat(client, sim: Simulator) -> None:
    response = client.get("/chats/1/messages")
    assert response.status_code == 404 and response.json()["error"]["code"] == 404
    silent = next(f for f in sim.fan_ids() if f not in sim.world.chats)
    assert client.get(f"/chats/{silent}/messages").json() == {"list": [], "hasMore": False}
    assert client.get(f"/chats/{silent}/messages", params={"limit": 101}).status_code == 400


def test_mark_as_read_resets_unread(client, sim: Simulator) -> None:
    fan_id = next(fid for fid, c in sim.world.chats.items() if c.unread)
    assert client.post(f"/chats/{fan_id}/mark-as-read").json() == {"success": True}
    chat = next(c for c in walk_offset(client, "/chats", limit=100) if c["withUser"]["id"] == fan_id)
    assert chat["unreadMessagesCount"] == 0
    assert chat["lastReadMessageId"] == chat["lastMessage"]["id"]
    assert client.post("/chats/1/mark-as-read").status_code == 404


def test_transactions_marker_paging(client, sim: Simulator) -> None:
    first = client.get("/payouts/transactions", params={"limit": 10}).json()
    assert set(first) == {"list", "hasMore", "nextMarker"} and first["hasMore"]
    assert isinstance(first["nextMarker"], str)
    tx = first["list"][0]
    assert set(tx) == TX_KEYS and set(tx["user"]) == {"id", "username", "name"}
    assert tx["currency"] == "USD" and tx["status"] == "done"
    ids, params = [], {"limit": 37}
    while True:
        page = client.get("/payouts/transactions", params=params).json()
        ids += [t["id"] for t in page["list"]]
        for t in page["list"]:
            assert round((t["net"] + t["fee"]) * 100) == round(t["amount"] * 100)
        if not page["hasMore"]:
            assert page["nextMarker"] is None
            break
        params["marker"] = page["nextMarker"]
    assert ids == sorted(ids, reverse=True) == [t.id for t in reversed(sim.world.transactions)]


def test_vault_media(client, sim: Simulator) -> None:
    media = walk_offset(client, "/vault/media", limit=100)
    assert len(media) == len(sim.world.media)
    assert set(media[0]) == {"id", "type", "createdAt"}
    assert [m["id"] for m in media] == sorted((m["id"] for m in media), reverse=True)


def test_auth(sim: Simulator) -> None:
    for token in (None, "wrong"):
        with make_client(sim, token) as anonymous:
            response = anonymous.get("/users/me")
            assert response.status_code == 401
            assert response.json()["error"]["code"] == 401
            assert anonymous.post(f"/chats/{sim.active_fan_ids()[0]}/messages", json={"text": "hi"}).status_code == 401
    assert sim.ledger() == []


def test_unknown_routes_and_methods_answer_json(client) -> None:
    for response in (client.get("/nope"), client.get("/chats/abc/messages"), client.delete("/users/me")):
        assert response.status_code in (404, 405)
        assert response.json()["error"]["code"] == response.status_code
