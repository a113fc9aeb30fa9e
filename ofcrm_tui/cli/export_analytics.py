"""``ofcrm export analytics``: the analytics of a period as CSV (``add_parser`` is one of
the ``export`` command's targets)."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ofcrm_tui.cli.common import (
    add_account_option,
    add_command,
    add_file_options,
    context,
    positive_int,
    refuse_to_replace,
)
from ofcrm_tui.core import accounts
from ofcrm_tui.core.analytics import period
from ofcrm_tui.errors import UsageError
from ofcrm_tui.store.types import utcnow

DEFAULT_DAYS = 30


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-30: {value!r}") from None


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {value!r} (e.g. Europe/Paris)"
        ) from None


def chosen_period(args: argparse.Namespace, now: datetime) -> period.Period:
    """The period asked for: ``--days N`` (default 30, ending today) or ``--from``/``--to``
    (refused past today, as the screen's custom period is)."""
    if (args.first_day is None) != (args.last_day is None):
        raise UsageError("give both --from and --to (or --days)")
    if args.first_day is not None and args.days is not None:
        raise UsageError("give --days or --from/--to, not both")
    try:
        if args.first_day is not None:
            return period.between(args.first_day, args.last_day, tz=args.tz, now=now)
        return period.last_days(args.days or DEFAULT_DAYS, tz=args.tz, now=now)
    except period.PeriodError as exc:  # the days as given: backwards, too many, or to come
        raise UsageError(str(exc)) from None


def _export(args: argparse.Namespace) -> int:
    # Here, not at the top: ``ofcrm export fans`` shares this module's command.
    from ofcrm_tui.core.analytics.export import ExportKind, rows_written, write_csv
    from ofcrm_tui.core.analytics.figures import dashboard

    now = utcnow()
    chosen = chosen_period(args, now)
    refuse_to_replace(args)
    kind = (
        ExportKind.KPIS if args.kpis else ExportKind.CHATTERS if args.chatters else ExportKind.DAILY
    )
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    # As the screen draws it: the series stops at this hour, not the hours to come.
    shown = dashboard(ctx.db, account.id, chosen, now=now)
    rows = write_csv(ctx.db, shown, args.file, kind)
    print(f"{account.name}: {rows_written(rows, shown, kind)} "
          f"for {chosen.label} written to {args.file}")
    return 0


def add_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        actions, "analytics", "revenue by day (hour for one day) and type (default), the KPIs or the chatters as CSV"
    )
    add_file_options(parser)
    add_account_option(parser, "the account (default: the only one)")
    parser.add_argument("--days", type=positive_int, metavar="N",
                        help=f"the N days ending today (default {DEFAULT_DAYS})")
    parser.add_argument("--from", dest="first_day", type=_day, metavar="DATE", help="first day")
    parser.add_argument(
        "--to", dest="last_day", type=_day, metavar="DATE", help="last day (included; today at the latest)"
    )
    parser.add_argument("--tz", type=_zone, metavar="ZONE",
                        help="time zone of the days (default: this machine's)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--kpis", action="store_true", help="one row per KPI (kpi, value)")
    what.add_argument("--chatters", action="store_true", help="one row per chatter")
    parser.set_defaults(handler=_export)

