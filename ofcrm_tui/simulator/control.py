"""The simulator's admin routes for another thread or process that reaches it over HTTP
(the demo's app switching refused sends on and off)."""

from __future__ import annotations

import httpx

from ofcrm_tui.simulator.faults import Faults


def set_faults(base_url: str, faults: Faults, *, timeout: float = 5.0) -> Faults:
    """Replace the faults of the simulator serving at ``base_url`` (its root, or any URL
    on it); returns what it injects now. httpx errors when it cannot be reached."""
    response = httpx.post(httpx.URL(base_url).join("/_sim/faults"), json=faults.to_json(),
                          timeout=timeout)
    response.raise_for_status()
    return Faults.from_json(response.json())
