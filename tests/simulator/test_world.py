"""The generated world: deterministic, consistent, varied, and quick to build."""

from __future__ import annotations

from collections import Counter

from ofcrm_tui.platform.money import to_cents
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from tests.simulator.support import NOW, make_sim, walk_offset, walk_transactions


def _snapshot(sim: Simulator) -> tuple:
    w = sim.world
    return (w.creator, list(w.fans.values()), list(w.chats.items()), w.transactions, w.media)


def test_same_seed_same_world_and_another_seed_differs() -> None:
    assert _snapshot(make_sim()) == _snapshot(make_sim())
    assert _snapshot(make_sim()) != _snapshot(make_sim(seed=2))


def test_default_anchor_is_the_current_hour() -> None:
    sim = Simulator(SimulatorConfig(fans=5))
    newest = max(c.messages[-1].created for c in sim.world.chats.values())
    assert newest <= sim.world.now()


def test_sums_equal_the_transactions_of_each_fan(client) -> None:
    per_fan: dict[int, Counter] = {}
    for tx in walk_transactions(client):
        per_fan.setdefault(tx["user"]["id"], Counter())[tx["type"]] += to_cents(tx["amount"])
    users = walk_offset(client, "/subscriptions/subscribers", limit=100)
    assert len(users) == 50
    for user in users:
        data = user["subscribedOnData"]
        parts = [to_cents(data[k]) for k in ("tipsSumm", "messagesSumm", "subscribesSumm", "postsSumm")]
        assert to_cents(data["totalSumm"]) == sum(parts)
        spent = per_fan.get(user["id"], Counter())
        assert to_cents(data["tipsSumm"]) == spent["tip"]
        assert to_cents(data["messagesSumm"]) == spent["message"]
        assert to_cents(data["subscribesSumm"]) == spent["subscription"]
        assert to_cents(data["postsSumm"]) == spent["post"] + spent["stream"]


def test_world_is_varied(sim: Simulator) -> None:
    w = sim.world
    fans = list(w.fans.values())
    assert {f.active for f in fans} == {True, False}
    assert any(f.display_name for f in fans) and any(not f.display_name for f in fans)
    assert any(f.last_seen is None for f in fans) and any(f.last_seen for f in fans)
    assert 0 < len(w.chats) < len(fans)
    messages = [m for c in w.chats.values() for m in c.messages]
    counts = sorted(len(c.messages) for c in w.chats.values())
    assert counts[0] < 5 < counts[-1]
    assert any(m.price and m.opened for m in messages) and any(m.price and not m.opened for m in messages)
    assert any(m.tip for m in messages)
    assert any(c.unread for c in w.chats.values())
    assert {t.type for t in w.transactions} == {"subscription", "tip", "message", "post", "stream"}
    assert {m.type for m in w.media} == {"photo", "video", "audio"}
    assert min(t.created for t in w.transactions) >= NOW.timestamp() - 90 * 86400


def test_fan_texts_are_stored_escaped() -> None:
    texts = {m.html for c in make_sim(fans=300).world.chats.values() for m in c.messages}
    assert "<p>&lt;b&gt;hi&lt;/b&gt;</p>" in texts
    assert "<p>שלום, מה שלומך?</p>" in texts
    assert any("\x1b" in t for t in texts)


def test_ids_grow_with_time(sim: Simulator) -> None:
    messages = sorted((m for c in sim.world.chats.values() for m in c.messages), key=lambda m: m.id)
    assert all(a.created <= b.created for a, b in zip(messages, messages[1:]))
    assert len({m.id for m in messages}) == len(messages)
    txs = sim.world.transactions
    assert all(a.id < b.id and a.created <= b.created for a, b in zip(txs, txs[1:]))


def test_expired_fans_history_ends_at_expiry(sim: Simulator) -> None:
    for fan in sim.world.fans.values():
        if not fan.active and fan.id in sim.world.chats:
            assert sim.world.chats[fan.id].messages[-1].created <= fan.expired_at


def test_builds_five_thousand_fans() -> None:
    sim = make_sim(fans=5000)
    assert len(sim.fan_ids()) == 5000
    assert len(sim.active_fan_ids()) > 3000
