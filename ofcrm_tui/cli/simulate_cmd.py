"""``ofcrm simulate``: serve the platform simulator on loopback."""

from __future__ import annotations

import argparse

from ofcrm_tui.cli.common import DAY_SECONDS, number_in, positive_int, whole_number
from ofcrm_tui.simulator import SimulatorConfig, run
from ofcrm_tui.simulator.skins import SKINS


def _simulate(args: argparse.Namespace) -> int:
    config = SimulatorConfig(
        fans=args.fans,
        seed=args.seed,
        token=args.token,
        send_limit_per_minute=args.send_limit,
        other_limit_per_5min=args.request_limit,
        activity_interval_s=args.activity or None,
        skin=args.skin,
        gateway_account=args.gateway_account,
        gateway_rate_per_minute=args.gateway_rate,
        gateway_burst=args.gateway_burst,
    )
    run(config, host=args.host, port=args.port)
    return 0


def port(value: str) -> int:
    """argparse type: a TCP port, 0 (a free one) to 65535."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port: {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {number}")
    return number


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--fans", type=positive_int, default=200, help="number of fans (default 200)")
    parser.add_argument("--seed", type=whole_number, default=1, help="seed of the simulated world (default 1)")
    parser.add_argument(
        "--token",
        default="sim-token",
        help="the bearer token to accept (default: sim-token; give it to `ofcrm account add`)",
    )
    parser.add_argument(
        "--send-limit", type=positive_int, default=10, help="sends a minute allowed (default 10)"
    )
    parser.add_argument(
        "--request-limit",
        type=positive_int,
        default=1000,
        help="other requests allowed per 5 minutes (default 1000)",
    )
    parser.add_argument(
        "--activity",
        type=number_in(0, DAY_SECONDS),
        default=10.0,
        metavar="SECONDS",
        help="fans write, tip and buy every SECONDS (default 10; 0 turns it off)",
    )
    add_skin_options(parser)
    parser.add_argument(
        "--gateway-account",
        default="conn_sim",
        help="the OFAuth connection id / OnlyFansAPI.com account id to accept (default conn_sim)",
    )
    parser.set_defaults(handler=_simulate)


def add_skin_options(parser: argparse.ArgumentParser) -> None:
    """--skin and the gateway's own limit (shared with ``ofcrm demo``)."""
    parser.add_argument(
        "--skin",
        choices=SKINS,
        default="contract",
        help="serve our contract (default) or a gateway's shapes: OFAuth, OnlyFansAPI.com",
    )
    parser.add_argument(
        "--gateway-rate",
        type=positive_int,
        default=60,
        help="gateway requests a minute (OFAuth's bucket refill, OnlyFansAPI.com's plan; default 60)",
    )
    parser.add_argument(
        "--gateway-burst",
        type=positive_int,
        default=90,
        help="OFAuth's bucket size (default 90)",
    )
