"""``ofcrm demo``: the app on a live simulated account, in a database of its own (``demo.db``
in the data folder, or the SQLite file ``--db`` names), with a few saved replies and, if
asked, sends the simulated platform refuses (``--failures``)."""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ofcrm_tui import paths, secrets
from ofcrm_tui.cli.common import DAY_SECONDS, number_in, positive_int, whole_number
from ofcrm_tui.cli.simulate_cmd import add_skin_options
from ofcrm_tui.cli.sync_cmd import sync_account
from ofcrm_tui.config import load_settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import accounts
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.devdata.demo import add_saved_replies
from ofcrm_tui.errors import OfcrmError, UsageError
from ofcrm_tui.logs import setup_logging
from ofcrm_tui.simulator import Faults, Simulator, SimulatorConfig
from ofcrm_tui.store.database import database_named, sqlite_file
from ofcrm_tui.store.demo_file import DEMO_ACCOUNT, account_names, demo_lock

DEMO_TOKEN = "demo-token"
DEMO_GATEWAY_ACCOUNT = "demo_connection"
DEMO_GATEWAY_RATE = 3000


def _only_a_demo(path: Path) -> bool:
    """Nothing at ``path`` yet (or an empty file), or a database whose only account is
    the demo's: what a demo may delete to start over."""
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return True
    names = account_names(path)
    return names is not None and names <= {DEMO_ACCOUNT}


def demo_file(url: str | None) -> Path:
    """The demo's database: ``demo.db`` in the data folder, or the SQLite file of ``--db``
    (``url``), refused in one line when the demo cannot own it (not a SQLite file, a
    folder not there, a database of other accounts, which starting over would delete)."""
    if url is None:
        path = paths.data_dir() / "demo.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    path = sqlite_file(url)
    if path is None:
        raise UsageError(f"the demo makes its database anew each time, in a SQLite file: "
                         f"give --db sqlite:///PATH, not {database_named(url)}")
    if not path.parent.is_dir():
        raise OfcrmError(f"no folder {path.parent} for the demo's database")
    if not _only_a_demo(path):
        raise OfcrmError(f"{path} is not a demo's database: the demo starts over each time "
                         f"and would delete it (give a new file)")
    return path


@contextmanager
def _demo_database(url: str | None) -> Iterator[str]:
    """The demo starts over each time (its simulator's world is made anew too), and only
    one runs at a time on a file: a second one would delete the database under the first."""
    path = demo_file(url)
    with open(demo_lock(path), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OfcrmError(f"another `ofcrm demo` is running (on {path}): quit it first") from None
        for suffix in ("", "-wal", "-shm"):
            candidate = path.with_name(path.name + suffix)
            if candidate.exists():
                candidate.unlink()
        yield f"sqlite:///{path}"


@contextmanager
def demo_account(args: argparse.Namespace) -> Iterator[tuple[AppContext, Simulator, AccountInfo]]:
    """The demo's simulator serving, its account added, synced and given saved replies;
    sends refused at the ``--failures`` rate from the start."""
    # The demo never touches the user's database, and its token needs no keyring.
    os.environ[secrets.env_var_name(DEMO_ACCOUNT)] = DEMO_TOKEN
    with _demo_database(args.db) as url:
        yield from _demo_account(args, url)


def _demo_account(args: argparse.Namespace, url: str) -> Iterator[tuple[AppContext, Simulator, AccountInfo]]:
    settings = load_settings(database_url=url)
    setup_logging(paths.log_dir(), "demo", settings.log_level, console=args.verbose)
    context = AppContext(settings, verbose=args.verbose)
    skin = args.skin
    gateway_account = None if skin == "contract" else DEMO_GATEWAY_ACCOUNT
    sim = Simulator(
        SimulatorConfig(
            fans=args.fans,
            seed=args.seed,
            token=DEMO_TOKEN,
            activity_interval_s=args.activity,
            skin=skin,
            gateway_account=DEMO_GATEWAY_ACCOUNT,
            gateway_rate_per_minute=args.gateway_rate,
            gateway_burst=args.gateway_burst,
        )
    )
    sim.set_faults(Faults(refuse_send_rate=args.failures))
    try:
        with sim.serve() as base_url:
            refused = f", refusing {args.failures:.0%} of sends" if args.failures else ""
            print(f"demo: simulator ({skin}) with {args.fans} fans at {base_url}{refused}",
                  file=sys.stderr)
            account = accounts.add_account(
                context.db,
                DEMO_ACCOUNT,
                base_url,
                DEMO_TOKEN,
                send_limit_per_minute=settings.default_send_limit_per_minute,
                timeout_seconds=settings.http_timeout_seconds,
                gateway=skin,
                gateway_account=gateway_account,
            )
            add_saved_replies(context.db, account.id)
            sync_account(context.db, account, settings.http_timeout_seconds, full=True)
            yield context, sim, account
    finally:
        context.close()


def _demo(args: argparse.Namespace) -> int:
    with demo_account(args) as (context, _sim, _account):
        from ofcrm_tui.tui.launch import run_app

        return run_app(context, DEMO_ACCOUNT, demo=True)


def _fraction(value: str) -> float:
    """argparse type: a share from 0 to 1, as ``0.3`` or ``30%``."""
    text = value.strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a share: {value!r} (try 0.3 or 30%)") from None
    if not 0 <= share <= 1:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1 (0% to 100%), not {value}")
    return share


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fans", type=positive_int, default=300, help="simulated fans (default 300)")
    parser.add_argument("--seed", type=whole_number, default=1, help="seed of the simulated world")
    parser.add_argument(
        "--activity",
        type=number_in(0, DAY_SECONDS, above=True),
        default=6.0,
        metavar="SECONDS",
        help="simulated fans write, tip and buy every SECONDS (default 6)",
    )
    parser.add_argument(
        "--failures",
        type=_fraction,
        default=0.0,
        metavar="SHARE",
        help="the share of sends the simulated platform refuses, as if those fans had turned "
        "off messages (0.3 or 30%%; default 0): they fail and wait on the Failed messages "
        "screen (2), where R retries one. In the app, ctrl+p 'Demo: sends fail' / 'Demo: "
        "sends go through' switch it",
    )
    add_skin_options(parser)
    # The demo's first sync should take seconds, not the real gateways' minutes.
    parser.set_defaults(handler=_demo, gateway_rate=DEMO_GATEWAY_RATE)
