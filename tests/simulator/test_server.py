"""Real sockets: serve(), the /_sim admin endpoints, and the simulator as a process."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import threading
import time

import httpx

from ofcrm_tui.simulator import Faults, Simulator
from tests.simulator.support import TOKEN, make_sim


def test_serve_and_admin_endpoints() -> None:
    sim = make_sim()
    fan_id = sim.active_fan_ids()[0]
    with sim.serve(port=0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            assert client.get("/api2/v2/users/me").json()["id"] == sim.creator.id
            sent = client.post(f"/api2/v2/chats/{fan_id}/messages", json={"text": "<p>a</p>"}).json()
            inbound = httpx.post(f"{base_url}/_sim/inbound", json={"user_id": fan_id, "text": "b", "tip_cents": 500})
            assert inbound.json()["id"] > sent["id"]
            assert httpx.post(f"{base_url}/_sim/inbound", json={"user_id": 1, "text": "b"}).status_code == 404
            assert httpx.post(f"{base_url}/_sim/inbound", json={"text": "b"}).status_code == 400
            [entry] = httpx.get(f"{base_url}/_sim/ledger").json()
            assert entry["message_id"] == sent["id"] and entry["price_cents"] == 0 and entry["text"] == "<p>a</p>"
            assert entry["user_id"] == fan_id and entry["media_ids"] == [] and entry["accepted_at"].endswith("+00:00")
            faults = httpx.post(f"{base_url}/_sim/faults", json={"rate_429_rate": 1.0, "seed": 5}).json()
            assert faults["rate_429_rate"] == 1.0 and sim.faults == Faults(rate_429_rate=1.0, seed=5)
            assert client.get("/api2/v2/users/me").status_code == 429
            assert httpx.post(f"{base_url}/_sim/faults", json={"bogus": 1}).status_code == 400
            assert httpx.post(f"{base_url}/_sim/faults", json={}).status_code == 200
            before = len(sim.world.transactions)
            assert httpx.post(f"{base_url}/_sim/step", json={"n": 20}).json() == {"steps": 20}
            assert len(sim.world.transactions) > before
            assert httpx.post(f"{base_url}/_sim/step").status_code == 200


def test_serve_twice_on_the_same_simulator() -> None:
    sim = Simulator()
    for _ in range(2):
        with sim.serve() as base_url:
            assert httpx.get(f"{base_url}/api2/v2/users/me", headers={"Authorization": "Bearer t0k"}).status_code == 200


def test_an_idle_connection_outlives_the_clients_keep_alive() -> None:
    """A client may reuse a connection it kept idle for its whole keep-alive (httpx: 5 s);
    the server must not have closed it (a poll every 5 s met resets)."""
    client_keep_alive = httpx.Limits().keepalive_expiry
    with make_sim().serve() as base_url:
        conn = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=5)
        sockets = []
        try:
            for pause in (client_keep_alive + 0.5, 0):
                conn.request("GET", "/api2/v2/users/me", headers={"Authorization": f"Bearer {TOKEN}"})
                response = conn.getresponse()  # RemoteDisconnected if the server closed it
                assert response.status == 200 and response.read()
                sockets.append(conn.sock)
                time.sleep(pause)
        finally:
            conn.close()
    assert sockets[0] is sockets[1]  # one connection, kept


def test_runs_as_a_process_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "ofcrm_tui.cli.main", "simulate", "--port", "0", "--fans", "20", "--token", "tok"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        base_url = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("base URL:"))
        assert "token: tok\n" in lines
        me = httpx.get(f"{base_url}/api2/v2/users/me", headers={"Authorization": "Bearer tok"})
        assert me.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


def test_concurrent_sends_never_exceed_the_limit() -> None:
    sim = make_sim(send_limit_per_minute=10)
    fan_id = sim.active_fan_ids()[0]
    statuses: list[int] = []

    def sender(n: int) -> None:
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
            for i in range(5):
                statuses.append(client.post(f"/api2/v2/chats/{fan_id}/messages", json={"text": f"<p>{n}.{i}</p>"}).status_code)

    with sim.serve() as base_url:
        threads = [threading.Thread(target=sender, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [200] * 10 + [429] * 20
    assert len(sim.ledger()) == 10 and len({e.message_id for e in sim.ledger()}) == 10
