"""Simulated fans: inbound messages, PPV purchases, tips; by step() and in the background."""

from __future__ import annotations

import time

import httpx

from ofcrm_tui.simulator import Simulator
from tests.simulator.support import TOKEN, make_sim, walk_transactions


def _state(sim: Simulator) -> tuple:
    w = sim.world
    messages = [(m.id, m.fan_id, m.html, m.opened, m.tip) for c in w.chats.values() for m in c.messages]
    txs = [(t.id, t.fan_id, t.type, t.amount) for t in w.transactions]
    return sorted(messages), txs, {f.id: dict(f.sums) for f in w.fans.values()}


def test_step_is_deterministic() -> None:
    a, b = make_sim(), make_sim()
    a.step(30)
    b.step(30)
    assert _state(a) == _state(b)
    assert _state(a) != _state(make_sim())


def test_step_writes_buys_and_tips(client, sim: Simulator) -> None:
    unbought = list(sim.world.unbought)
    top_before = max(c.messages[-1].id for c in sim.world.chats.values())
    tx_before = sim.world.transactions[-1].id
    unread_before = sum(c.unread for c in sim.world.chats.values())
    sim.step(40)
    new = sorted((m for c in sim.world.chats.values() for m in c.messages if m.id > top_before), key=lambda m: m.id)
    assert new and all(not m.outbound for m in new)
    assert sum(c.unread for c in sim.world.chats.values()) == unread_before + len(new)
    bought = [m for m in unbought if m.opened]
    tips = [m for m in new if m.tip]
    assert bought and tips
    new_txs = [t for t in walk_transactions(client) if t["id"] > tx_before]
    assert sorted(t["type"] for t in new_txs) == sorted(["message"] * len(bought) + ["tip"] * len(tips))
    for m in bought:
        page = client.get(f"/chats/{m.fan_id}/messages", params={"id": m.id + 1, "limit": 1}).json()
        assert page["list"][0]["isOpened"] is True and page["list"][0]["isFree"] is False
    top = client.get("/chats", params={"limit": 1}).json()["list"][0]
    assert top["lastMessage"]["id"] == new[-1].id


def test_add_inbound_message_and_tip(client, sim: Simulator) -> None:
    fan_id = sim.active_fan_ids()[3]
    message_id = sim.add_inbound_message(fan_id, "<b>hi</b> 👋")
    chat = next(c for c in client.get("/chats", params={"limit": 5}).json()["list"] if c["withUser"]["id"] == fan_id)
    assert chat["lastMessage"]["id"] == message_id
    assert chat["lastMessage"]["text"] == "<p>&lt;b&gt;hi&lt;/b&gt; 👋</p>"
    assert chat["lastMessage"]["fromUser"] == {"id": fan_id}
    assert chat["unreadMessagesCount"] >= 1
    tip_id = sim.add_inbound_message(fan_id, "for you", tip_cents=1999)
    assert tip_id > message_id
    tip = client.get(f"/chats/{fan_id}/messages", params={"limit": 1}).json()["list"][0]
    assert tip["isTip"] is True and tip["tipAmount"] == 19.99
    tx = client.get("/payouts/transactions", params={"limit": 1}).json()["list"][0]
    assert (tx["type"], tx["amount"], tx["user"]["id"]) == ("tip", 19.99, fan_id)


def test_first_message_from_a_silent_fan_opens_a_chat(client, sim: Simulator) -> None:
    silent = next(f for f in sim.fan_ids() if f not in sim.world.chats)
    sim.add_inbound_message(silent, "hello?")
    chat = client.get("/chats", params={"limit": 1}).json()["list"][0]
    assert chat["withUser"]["id"] == silent
    assert (chat["unreadMessagesCount"], chat["lastReadMessageId"]) == (1, None)


def test_unknown_fan_raises_key_error(sim: Simulator) -> None:
    try:
        sim.add_inbound_message(1, "who?")
    except KeyError:
        return
    raise AssertionError("expected KeyError")


def test_background_activity_while_serving() -> None:
    sim = make_sim(activity_interval_s=0.02)
    before = sum(len(c.messages) for c in sim.world.chats.values())
    with sim.serve() as base_url:
        deadline = time.monotonic() + 5
        while sum(len(c.messages) for c in sim.world.chats.values()) < before + 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        response = httpx.get(f"{base_url}/api2/v2/chats", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
    assert sum(len(c.messages) for c in sim.world.chats.values()) >= before + 3
