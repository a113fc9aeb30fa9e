"""The simulator facade: a deterministic world served over the platform contract."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.simulator.activity import Activity
from ofcrm_tui.simulator.app import create_app
from ofcrm_tui.simulator.build import build_world
from ofcrm_tui.simulator.faults import FaultDice, Faults
from ofcrm_tui.simulator.limits import SlidingWindow
from ofcrm_tui.simulator.rules import SendRequest
from ofcrm_tui.simulator.server import serve_in_thread
from ofcrm_tui.simulator.skins import make_skin
from ofcrm_tui.simulator.world import Creator, Message


@dataclass(frozen=True)
class SimulatorConfig:
    """World size and seed, the account's token and rate limits, background fan activity."""

    fans: int = 50
    seed: int = 1
    send_limit_per_minute: int = 10
    token: str = "t0k"
    other_limit_per_5min: int = 1000
    activity_interval_s: float | None = None
    now: datetime | None = None  # where the generated history ends; default: the current UTC hour
    # Which gateway's shapes to serve (skins.py), the id that picks the account there, and
    # the gateway's own request limit: OFAuth's bucket (a minute's rate, burst), or
    # OnlyFansAPI.com's requests a minute.
    skin: str = "contract"
    gateway_account: str = "conn_sim"
    gateway_rate_per_minute: int = 60
    gateway_burst: int = 90


@dataclass(frozen=True)
class LedgerEntry:
    """One accepted send, as the server stored it."""

    message_id: int
    user_id: int
    text: str
    price_cents: int
    media_ids: tuple[int, ...]
    previews: tuple[int, ...]
    accepted_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "user_id": self.user_id,
            "text": self.text,
            "price_cents": self.price_cents,
            "media_ids": list(self.media_ids),
            "previews": list(self.previews),
            "accepted_at": self.accepted_at.isoformat(),
        }


class Simulator:
    """One creator account with simulated fans, served at ``asgi_app`` or by ``serve()``."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config = config or SimulatorConfig()
        anchor = config.now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.world = build_world(config.seed, config.fans, int(anchor.timestamp()))
        self.lock = self.world.lock
        self.send_window = SlidingWindow(config.send_limit_per_minute, 60.0)
        self.other_window = SlidingWindow(config.other_limit_per_5min, 300.0)
        self.dice = FaultDice(Faults())
        self.stopping = threading.Event()
        self.revoked = False  # the session expired: every request is refused with a 401
        self.skin = make_skin(config.skin, self)
        self._activity = Activity(self.world, config.seed)
        self._ledger: list[LedgerEntry] = []
        self.asgi_app = create_app(self)

    @property
    def creator(self) -> Creator:
        return self.world.creator

    @property
    def faults(self) -> Faults:
        return self.dice.faults

    def fan_ids(self) -> list[int]:
        return list(self.world.fan_ids)

    def active_fan_ids(self) -> list[int]:
        return list(self.world.active_ids)

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults; their RNG restarts from ``faults.seed``."""
        with self.lock:
            self.dice = FaultDice(faults)

    def revoke(self) -> None:
        """The account's session expires (a person must reconnect it)."""
        self.revoked = True

    def ledger(self) -> list[LedgerEntry]:
        with self.lock:
            return list(self._ledger)

    def accept(self, fan_id: int, request: SendRequest) -> Message:
        """Store a valid send, count it against the send limit, record it (lock held)."""
        message = self.world.add_message(
            fan_id, outbound=True, html=request.html, price=request.price, media=request.media
        )
        self.send_window.record()
        self._ledger.append(
            LedgerEntry(
                message.id, fan_id, request.html, request.price, request.media, request.previews, datetime.now(UTC)
            )
        )
        return message

    def add_inbound_message(self, user_id: int, text: str, *, tip_cents: int = 0) -> int:
        """A fan writes plain ``text`` (and tips, if ``tip_cents``); KeyError for unknown fans."""
        with self.lock:
            if user_id not in self.world.fans:
                raise KeyError(user_id)
            html = text_to_html(text)
            if tip_cents:
                return self.world.tip(user_id, tip_cents, html).id
            return self.world.add_message(user_id, outbound=False, html=html).id

    def step(self, n: int = 1) -> None:
        """``n`` rounds of fan activity."""
        with self.lock:
            for _ in range(n):
                self._activity.step()

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve over HTTP in a background thread; yields the base URL.

        On exit, hung responses (``timeout_after_accept``) are released before uvicorn stops.
        """
        self.stopping.clear()
        activity = None
        if self.config.activity_interval_s:
            activity = threading.Thread(target=self._run_activity, name="ofcrm-simulator-fans", daemon=True)
        with serve_in_thread(self.asgi_app, host, port) as base_url:
            if activity:
                activity.start()
            try:
                yield base_url
            finally:
                self.stopping.set()
                if activity:
                    activity.join()
        self.stopping.clear()

    def _run_activity(self) -> None:
        interval = self.config.activity_interval_s
        while not self.stopping.wait(interval):
            self.step()


def run(config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM), printing the base URL and token."""
    sim = Simulator(config)
    done = threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set()) if in_main else None
    try:
        with sim.serve(host, port) as base_url:
            print(f"ofcrm simulator for @{sim.creator.username} ({config.fans} fans, seed {config.seed})")
            print(f"base URL: {base_url}")
            if config.skin != "contract":
                print(f"skin: {config.skin}, account id: {config.gateway_account}")
            print(f"token: {config.token}", flush=True)
            while not done.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
