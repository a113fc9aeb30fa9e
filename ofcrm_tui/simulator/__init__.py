"""A server that speaks the platform contract, with simulated fans and injected faults."""

from ofcrm_tui.simulator.faults import Faults
from ofcrm_tui.simulator.simulator import LedgerEntry, Simulator, SimulatorConfig, run

__all__ = ["Faults", "LedgerEntry", "Simulator", "SimulatorConfig", "run"]
