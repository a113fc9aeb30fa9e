"""The fan filter and sort options of ``ofcrm fans list`` and ``ofcrm export fans`` (one
module, so an export loads none of the other ``fans`` commands)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select

from ofcrm_tui.cli.common import add_account_option, checked_by
from ofcrm_tui.core.fans import FanFilter, checked, fan_ids, fields
from ofcrm_tui.core.fans.filter import spend_bound
from ofcrm_tui.core.fans.listing import FanSort
from ofcrm_tui.store.database import Database


def _day(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-01-31: {text!r}") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


# A tag and a spend bound refused as typed, naming the option as argparse does (exit 2):
# ``argument --tag: empty tag name``. A tag keeps its text (the filter reads ``#vip`` as
# ``vip``); a bound is in cents, None when empty.
TAG = checked_by(fields.clean_tag, as_typed=True)
MIN_SPENT = checked_by(lambda text: spend_bound(text, "min_spent_cents"))
MAX_SPENT = checked_by(lambda text: spend_bound(text, "max_spent_cents"))


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "the account (default: the only one)")
    group = parser.add_argument_group("fan filter")
    group.add_argument("--tag", action="append", default=[], type=TAG, metavar="T",
                       help="has tag T (repeat: any of them)")
    group.add_argument("--without-tag", action="append", default=[], type=TAG, metavar="T",
                       help="does not have tag T")
    group.add_argument("--status", choices=["active", "expired"], help="subscription status")
    group.add_argument("--min-spent", type=MIN_SPENT, metavar="DOLLARS", help="spent at least this")
    group.add_argument("--max-spent", type=MAX_SPENT, metavar="DOLLARS", help="spent at most this")
    group.add_argument("--active-after", type=_day, metavar="DATE", help="last seen on or after")
    group.add_argument("--active-before", type=_day, metavar="DATE", help="last seen before (or never)")
    group.add_argument("--purchased", action="store_true", help="has spent something")
    group.add_argument("--search", metavar="TEXT", help="names (any part), notes and message words")


def add_sort_option(parser: argparse.ArgumentParser) -> None:
    """``--sort``: the fans screen's orders (read by ``fan_sort``)."""
    parser.add_argument("--sort", choices=[sort.value for sort in FanSort], default=FanSort.SPEND.value,
                        help="the order, as the app's fans screen sorts (default: spend)")


def fan_sort(args: argparse.Namespace) -> FanSort:
    return FanSort(args.sort)


def fan_filter(args: argparse.Namespace) -> FanFilter:
    """The filter the options give; FilterError (exit 2) for one that cannot be applied.
    Read before the database is opened or a file written."""
    return checked(FanFilter(
        tags_in=tuple(args.tag), tags_out=tuple(args.without_tag), status=args.status,
        min_spent_cents=args.min_spent, max_spent_cents=args.max_spent,
        active_before=args.active_before, active_after=args.active_after,
        purchased=True if args.purchased else None, search=args.search,
    ))


def filter_select(db: Database, account_id: int, flt: FanFilter) -> Select[Any] | None:
    """The fan ids ``flt`` selects (None: no option given)."""
    return None if flt == FanFilter() else fan_ids(db, account_id, flt)
