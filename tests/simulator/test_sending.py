"""Sending: the created message, every refusal of the rules, and the send limit."""

from __future__ import annotations

import pytest

from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.simulator import Simulator
from tests.simulator.support import make_client, make_sim


def _fans(sim: Simulator) -> tuple[int, int]:
    active = sim.active_fan_ids()[0]
    expired = next(f for f in sim.fan_ids() if f not in set(sim.active_fan_ids()))
    return active, expired


def test_send_creates_the_newest_message(client, sim: Simulator) -> None:
    fan_id, _ = _fans(sim)
    before = max(c.messages[-1].id for c in sim.world.chats.values())
    media = [m.id for m in sim.world.media[:2]]
    body = {"text": text_to_html("hi <you>\nline 2"), "price": 19.99, "mediaFiles": media, "previews": media[:1]}
    response = client.post(f"/chats/{fan_id}/messages", json=body)
    assert response.status_code == 200
    assert '"price":19.99' in response.text
    message = response.json()
    assert message["id"] > before
    assert message["text"] == "<p>hi &lt;you&gt;<br>line 2</p>"
    assert message["fromUser"] == {"id": sim.creator.id}
    assert (message["isFree"], message["isOpened"], message["isTip"], message["mediaCount"]) == (False, False, False, 2)
    assert [m["id"] for m in message["media"]] == media
    newest = client.get(f"/chats/{fan_id}/messages", params={"limit": 1}).json()["list"][0]
    assert newest == message
    top = client.get("/chats", params={"limit": 1}).json()["list"][0]
    assert top["withUser"]["id"] == fan_id and top["lastMessage"] == message
    [entry] = sim.ledger()
    assert (entry.message_id, entry.user_id, entry.text, entry.price_cents) == (message["id"], fan_id, body["text"], 1999)
    assert entry.media_ids == tuple(media) and entry.previews == tuple(media[:1])
    assert entry.accepted_at.tzinfo is not None


def test_message_ids_keep_growing_across_chats(client, sim: Simulator) -> None:
    ids = [
        client.post(f"/chats/{fan}/messages", json={"text": "<p>x</p>"}).json()["id"]
        for fan in sim.active_fan_ids()[:5]
    ]
    ids.append(sim.add_inbound_message(sim.active_fan_ids()[0], "reply"))
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


LONG_OK = "&amp;" * 10_000  # 10,000 plain characters, 50,000 characters of HTML


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "<p>   </p>"},
        {"text": "<p><br></p>"},
        {"price": 0},
        {"text": 42},
        {"text": "<p>" + "x" * 10_001 + "</p>"},
        {"text": "<p>hi</p>", "price": 2.99, "mediaFiles": ["MEDIA"]},
        {"text": "<p>hi</p>", "price": 200.01, "mediaFiles": ["MEDIA"]},
        {"text": "<p>hi</p>", "price": 9.999, "mediaFiles": ["MEDIA"]},
        {"text": "<p>hi</p>", "price": "9.99", "mediaFiles": ["MEDIA"]},
        {"text": "<p>hi</p>", "price": 9.99},
        {"text": "<p>hi</p>", "price": 9.99, "mediaFiles": []},
        {"text": "<p>hi</p>", "mediaFiles": ["MEDIA"], "previews": [1]},
        {"text": "<p>hi</p>", "mediaFiles": [999_999]},
        {"text": "<p>hi</p>", "mediaFiles": "MEDIA"},
    ],
)
def test_rule_breaking_sends_are_422(client, sim: Simulator, body: dict) -> None:
    fan_id, _ = _fans(sim)
    media_id = sim.world.media[0].id
    body = {k: ([media_id if i == "MEDIA" else i for i in v] if isinstance(v, list) else v) for k, v in body.items()}
    if body.get("mediaFiles") == "MEDIA":
        body["mediaFiles"] = media_id
    response = client.post(f"/chats/{fan_id}/messages", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == 422 and response.json()["error"]["message"]
    assert sim.ledger() == []


@pytest.mark.parametrize("price", [0, 3, 3.0, 200, 19.99])
def test_price_bounds_and_long_text_are_accepted(client, sim: Simulator, price: float) -> None:
    fan_id, _ = _fans(sim)
    body = {"text": f"<p>{LONG_OK}</p>", "price": price, "mediaFiles": [sim.world.media[0].id]}
    response = client.post(f"/chats/{fan_id}/messages", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["price"] == price


def test_unknown_user_is_404_and_expired_subscription_403(client, sim: Simulator) -> None:
    _, expired = _fans(sim)
    response = client.post("/chats/7/messages", json={"text": "<p>hi</p>"})
    assert response.status_code == 404 and response.json()["error"]["code"] == 404
    response = client.post(f"/chats/{expired}/messages", json={"text": "<p>hi</p>"})
    assert response.status_code == 403
    assert "subscription" in response.json()["error"]["message"]
    assert sim.ledger() == []


def test_malformed_body_is_400(client, sim: Simulator) -> None:
    fan_id, _ = _fans(sim)
    for content in (b"{not json", b"[1, 2]"):
        response = client.post(f"/chats/{fan_id}/messages", content=content)
        assert response.status_code == 400 and response.json()["error"]["code"] == 400


def test_send_limit_with_retry_after_and_refusals_do_not_count() -> None:
    sim = make_sim(send_limit_per_minute=3)
    fan_id, expired = _fans(sim)
    with make_client(sim) as client:
        assert client.post(f"/chats/{expired}/messages", json={"text": "<p>no</p>"}).status_code == 403
        assert client.post(f"/chats/{fan_id}/messages", json={"text": ""}).status_code == 422
        for i in range(3):
            assert client.post(f"/chats/{fan_id}/messages", json={"text": f"<p>{i}</p>"}).status_code == 200
        limited = client.post(f"/chats/{fan_id}/messages", json={"text": "<p>more</p>"})
        assert limited.status_code == 429 and limited.json()["error"]["code"] == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert client.get("/users/me").status_code == 200  # other requests have their own budget
    assert len(sim.ledger()) == 3


def test_other_requests_limit() -> None:
    sim = make_sim(other_limit_per_5min=5)
    fan_id, _ = _fans(sim)
    with make_client(sim) as client:
        assert all(client.get("/users/me").status_code == 200 for _ in range(5))
        limited = client.get("/chats")
        assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 300
        assert client.post(f"/chats/{fan_id}/messages", json={"text": "<p>still</p>"}).status_code == 200
