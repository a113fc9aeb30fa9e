"""The ``ofcrm`` command: global options, subcommands, one-line errors."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

from ofcrm_tui import __version__
from ofcrm_tui.cli import (
    account_cmd,
    config_cmd,
    db_cmd,
    demo_cmd,
    export_cmd,
    failed_cmd,
    fans_cmd,
    generate_cmd,
    import_cmd,
    queue_cmd,
    send_cmd,
    simulate_cmd,
    sync_cmd,
    worker_cmd,
)
from ofcrm_tui.cli.common import context
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import PlatformError

log = logging.getLogger(__name__)

COMMANDS = (
    account_cmd, config_cmd, db_cmd, demo_cmd, simulate_cmd, sync_cmd,
    send_cmd, queue_cmd, failed_cmd, worker_cmd, generate_cmd,
    fans_cmd, import_cmd, export_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ofcrm",
        description="Terminal CRM for chat teams answering fans of subscription creators.",
    )
    parser.add_argument("--version", action="version", version=f"ofcrm {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (sqlite:///path or postgresql://...); default: OFCRM_DATABASE_URL, "
        "the config file, or SQLite in the user data directory",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also log to the console")
    parser.add_argument(
        "--account", help="the account to open the app on (needed when there are several)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _database_error(exc: DBAPIError) -> str:
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return f"database error: {reason}"


def _open_app(args: argparse.Namespace) -> int:
    """``ofcrm`` with no command: the app (loaded only now, so other commands stay headless)."""
    from ofcrm_tui.tui.launch import run_app

    ctx = context(args)
    try:
        return run_app(ctx, args.account)
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None) or _open_app
    try:
        return int(handler(args) or 0)
    except (OfcrmError, PlatformError) as exc:
        log.warning("command failed: %s", exc)
        print(f"ofcrm: error: {exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        log.warning("database error", exc_info=True)
        print(f"ofcrm: error: {_database_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ofcrm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
