"""``python -m ofcrm_tui.simulator``: serve a simulated account until interrupted."""

from __future__ import annotations

import argparse

from ofcrm_tui.simulator.simulator import SimulatorConfig, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ofcrm_tui.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--fans", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--token", default=SimulatorConfig.token)
    parser.add_argument("--send-limit", type=int, default=10, help="sends per minute")
    parser.add_argument("--activity", type=float, default=None, help="seconds between fan activity rounds")
    args = parser.parse_args(argv)
    config = SimulatorConfig(
        fans=args.fans,
        seed=args.seed,
        token=args.token,
        send_limit_per_minute=args.send_limit,
        activity_interval_s=args.activity,
    )
    run(config, args.host, args.port)


if __name__ == "__main__":
    main()
