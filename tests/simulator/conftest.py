"""Fixtures: a 50-fan simulator with a fixed history, and a client bound to it in-process."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ofcrm_tui.simulator import Simulator
from tests.simulator.support import make_client, make_sim


@pytest.fixture
def sim() -> Simulator:
    return make_sim()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with make_client(sim) as c:
        yield c
