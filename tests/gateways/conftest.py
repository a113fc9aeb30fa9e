"""One simulated world per skin, and the adapter for that skin talking to it in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.gateway import open_client
from ofcrm_tui.platform.pacing import Budget
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from tests.simulator.support import NOW, SyncASGITransport

SKINS = ["contract", "ofauth", "onlyfansapi"]
TOKEN = "gateway-key-1"
ACCOUNT_ID = {"contract": None, "ofauth": "conn_abc123", "onlyfansapi": "acct_42"}
# In-process tests are not about pacing: a budget that never waits (the 429 tests need it).
GENEROUS = 100_000


def make_sim(skin: str, **overrides) -> Simulator:  # noqa: ANN003
    config = {
        "fans": 30,
        "seed": 3,
        "now": NOW,
        "token": TOKEN,
        "skin": skin,
        "gateway_account": ACCOUNT_ID[skin] or "none",
        "gateway_rate_per_minute": GENEROUS,
        "gateway_burst": GENEROUS,
        **overrides,
    }
    return Simulator(SimulatorConfig(**config))


def make_client(sim: Simulator, *, token: str = TOKEN, budget: Budget | None = None) -> PlatformClient:
    skin = sim.config.skin
    return open_client(
        skin,
        "http://sim",
        token,
        gateway_account=ACCOUNT_ID[skin],
        transport=SyncASGITransport(sim.asgi_app),
        budget=budget or (None if skin == "contract" else Budget(GENEROUS, GENEROUS)),
    )


@pytest.fixture(params=SKINS)
def skin(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sim(skin: str) -> Simulator:
    return make_sim(skin)


@pytest.fixture
def client(sim: Simulator) -> Iterator[PlatformClient]:
    with make_client(sim) as client:
        yield client
