"""An account in a test database wired to a running simulator."""

from __future__ import annotations

import pytest

from ofcrm_tui import secrets
from ofcrm_tui.core.accounts import AccountInfo, add_account
from ofcrm_tui.simulator import Simulator
from ofcrm_tui.store.database import Database


def add_simulated_account(
    db: Database,
    sim: Simulator,
    base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    name: str = "demo",
    send_limit_per_minute: int = 10,
) -> AccountInfo:
    """The simulator's account, through the gateway its skin imitates."""
    skin = sim.config.skin
    monkeypatch.setenv(secrets.env_var_name(name), sim.config.token)
    return add_account(
        db,
        name,
        base_url,
        sim.config.token,
        send_limit_per_minute=send_limit_per_minute,
        timeout_seconds=5,
        gateway=skin,
        gateway_account=None if skin == "contract" else sim.config.gateway_account,
    )
