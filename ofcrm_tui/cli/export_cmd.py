"""``ofcrm export``: write data out to files, one subcommand per target (``export fans FILE``,
``export analytics FILE``)."""

from __future__ import annotations

import argparse
import sys

from ofcrm_tui.cli import export_analytics
from ofcrm_tui.cli.common import (
    add_command,
    add_file_options,
    context,
    progress_line,
    refuse_to_replace,
)
from ofcrm_tui.cli.fan_filter import (
    add_filter_options,
    add_sort_option,
    fan_filter,
    fan_sort,
    filter_select,
)
from ofcrm_tui.core import accounts
from ofcrm_tui.core.fans import csv_export
from ofcrm_tui.core.wording import counted


def _export_fans(args: argparse.Namespace) -> int:
    ctx = context(args)  # first: it sets up logging, which the errors go through
    refuse_to_replace(args)
    flt = fan_filter(args)
    account = accounts.resolve_account(ctx.db, args.account)
    progress = progress_line(lambda done, total: f"{done:,}/{total:,} fans")
    count = csv_export.export_fans(
        ctx.db, account.id, args.file, fan_ids=filter_select(ctx.db, account.id, flt),
        sort=fan_sort(args), progress=progress,
    )
    if progress is not None:
        print("\r", end="", file=sys.stderr)
    print(f"{account.name}: exported {counted(count, 'fan')} to {args.file}")
    return 0


def _add_fans(targets: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fans = add_command(targets, "fans", "fans to a CSV file that `ofcrm import fans` reads back")
    add_file_options(fans)
    add_filter_options(fans)
    add_sort_option(fans)
    fans.set_defaults(handler=_export_fans)


# One function per target: a new target adds its own and joins this tuple.
TARGETS = (_add_fans, export_analytics.add_parser)


def register(parser: argparse.ArgumentParser) -> None:
    targets = parser.add_subparsers(dest="export_target", metavar="WHAT", required=True)
    for add_target in TARGETS:
        add_target(targets)
