"""Injected faults: 429, 5xx (before or after storing a send), latency, timeout after accept,
sends refused."""

from __future__ import annotations

import time

import httpx
import pytest

from ofcrm_tui.simulator import Faults, Simulator
from tests.simulator.support import TOKEN, make_client, make_sim


def _send(client: httpx.Client, sim: Simulator, text: str = "hi") -> httpx.Response:
    return client.post(f"/chats/{sim.active_fan_ids()[0]}/messages", json={"text": f"<p>{text}</p>"})


def test_injected_429_does_nothing(client, sim: Simulator) -> None:
    sim.set_faults(Faults(rate_429_rate=1.0, retry_after_s=7))
    for response in (client.get("/chats"), _send(client, sim)):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json()["error"]["code"] == 429
    assert sim.ledger() == []
    sim.set_faults(Faults())
    assert client.get("/chats").status_code == 200


def test_injected_5xx_on_reads(client, sim: Simulator) -> None:
    sim.set_faults(Faults(error_5xx_rate=1.0))
    fan_id = next(fid for fid, c in sim.world.chats.items() if c.unread)
    response = client.post(f"/chats/{fan_id}/mark-as-read")
    assert response.status_code in (500, 502, 503)
    assert response.json()["error"]["code"] == response.status_code
    assert sim.world.chats[fan_id].unread > 0  # not applied


def _five_xx_outcomes(seed: int) -> list[tuple[int, bool]]:
    sim = make_sim(send_limit_per_minute=100)
    sim.set_faults(Faults(error_5xx_rate=1.0, seed=seed))
    with make_client(sim) as client:
        statuses = [_send(client, sim, f"m{i}").status_code for i in range(30)]
    stored = {e.text for e in sim.ledger()}
    return [(status, f"<p>m{i}</p>" in stored) for i, status in enumerate(statuses)]


def test_injected_5xx_on_sends_sometimes_after_storing() -> None:
    outcomes = _five_xx_outcomes(seed=3)
    assert all(status >= 500 for status, _ in outcomes)
    stored = sum(was_stored for _, was_stored in outcomes)
    assert 0 < stored < len(outcomes)
    assert outcomes == _five_xx_outcomes(seed=3)


def test_stored_sends_behind_a_5xx_are_in_the_chat(client, sim: Simulator) -> None:
    sim.set_faults(Faults(error_5xx_rate=1.0, seed=3))
    for i in range(10):
        _send(client, sim, f"m{i}")
    sim.set_faults(Faults())
    page = client.get(f"/chats/{sim.active_fan_ids()[0]}/messages", params={"limit": 100}).json()
    chat_ids = {m["id"] for m in page["list"]}
    assert sim.ledger() and {e.message_id for e in sim.ledger()} <= chat_ids


def test_refused_sends_store_nothing_and_reads_go_on(client, sim: Simulator) -> None:
    sim.set_faults(Faults(refuse_send_rate=1.0))
    response = _send(client, sim, "blocked")
    assert response.status_code == 400
    assert "turned off messages" in response.json()["error"]["message"]
    assert client.get("/chats").status_code == 200  # only sends are refused
    assert sim.ledger() == []
    sim.set_faults(Faults())
    assert _send(client, sim, "again").status_code == 200
    assert [e.text for e in sim.ledger()] == ["<p>again</p>"]


def _refusals(rate: float, seed: int) -> list[bool]:
    sim = make_sim(send_limit_per_minute=100)
    sim.set_faults(Faults(refuse_send_rate=rate, seed=seed))
    with make_client(sim) as client:
        return [_send(client, sim, f"m{i}").status_code == 400 for i in range(40)]


def test_a_share_of_sends_is_refused_the_same_way_each_run() -> None:
    refused = _refusals(0.3, seed=5)
    assert 0 < sum(refused) < len(refused) and refused == _refusals(0.3, seed=5)


def test_refusals_leave_the_other_faults_draws_as_they_were() -> None:
    def statuses(**extra: float) -> list[int]:
        sim = make_sim()
        sim.set_faults(Faults(error_5xx_rate=0.3, rate_429_rate=0.2, seed=11, **extra))
        with make_client(sim) as client:
            return [client.get("/users/me").status_code for _ in range(40)]

    assert statuses() == statuses(refuse_send_rate=0.0)


def test_latency(client, sim: Simulator) -> None:
    sim.set_faults(Faults(latency_s=0.2))
    started = time.monotonic()
    assert client.get("/users/me").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_timeout_after_accept_stores_then_never_answers() -> None:
    sim = make_sim()
    sim.set_faults(Faults(timeout_after_accept_rate=1.0, hang_seconds=30))
    started = time.monotonic()
    with sim.serve() as base_url:
        with httpx.Client(base_url=f"{base_url}/api2/v2", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=0.5) as client:
            with pytest.raises(httpx.ReadTimeout):
                _send(client, sim, "lost answer")
            [entry] = sim.ledger()
            newest = client.get(f"/chats/{sim.active_fan_ids()[0]}/messages", params={"limit": 1}).json()["list"][0]
            assert newest["id"] == entry.message_id and newest["text"] == "<p>lost answer</p>"
            with pytest.raises(httpx.ReadTimeout):
                _send(client, sim, "second")  # the hung request does not block others
    assert time.monotonic() - started < 10  # serve() exit does not wait out the hang
    assert len(sim.ledger()) == 2


def test_fault_draws_repeat_with_the_seed() -> None:
    def statuses() -> list[int]:
        sim = make_sim()
        sim.set_faults(Faults(error_5xx_rate=0.3, rate_429_rate=0.2, seed=11))
        with make_client(sim) as client:
            return [client.get("/users/me").status_code for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert {200, 429} <= set(first) and any(s >= 500 for s in first)


@pytest.mark.parametrize(
    "data",
    [[], {"error_5xx_rate": 2}, {"refuse_send_rate": -0.1}, {"latency_s": -1}, {"nope": 1}, {"retry_after_s": 0}, {"seed": "x", "hang_seconds": "y"}],
)
def test_faults_from_json_rejects_nonsense(data) -> None:
    with pytest.raises(ValueError):
        Faults.from_json(data)
