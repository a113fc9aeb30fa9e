"""``ofcrm failed``: messages that could not be sent: list, retry, discard."""

from __future__ import annotations

import argparse

from ofcrm_tui.cli.common import (
    CENTURY_DAYS, add_account_option, add_command, context, number_in, row_id,
)
from ofcrm_tui.core import accounts, outbox
from ofcrm_tui.core.wording import counted
from ofcrm_tui.errors import UsageError
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.platform.money import format_cents

PREVIEW = 60
ACCOUNT_HELP = "the account (default: the only one)"
IDS_HELP = "the messages' ids (the # `ofcrm failed list` shows)"


def _ids(values: list[int]) -> str:
    return " ".join(f"#{i}" for i in values)


def _list(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    rows = outbox.failed(ctx.db, account.id, since_days=args.days)
    if not rows:
        print(f"{account.name}: no failed messages in the last {args.days:g} days")
        return 0
    for row in rows:
        text = one_line(row.text)
        text = text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"
        price = format_cents(row.price_cents) if row.price_cents else "free"
        when = row.updated_at or row.created_at
        print(
            f"#{row.id}\t{when:%Y-%m-%d %H:%M} UTC\t@{row.fan_username}\t{price}\t"
            f"{counted(row.tries, 'attempt')}\t{row.created_by}\t"
            f"{text!r}\t{one_line(row.last_error or '')}"
        )
    return 0


def _retry(args: argparse.Namespace) -> int:
    if args.ids and args.all:
        raise UsageError("give message ids or --all, not both")
    if not (args.ids or args.all):
        raise UsageError("which messages? give their ids, or --all for every failed one")
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    # Every id is checked first: one that names no message of the account (exit 1) or
    # one that is not failed (exit 2) is an error and nothing is retried.
    result = outbox.retry_detailed(
        ctx.db, account.id, None if args.all else args.ids, by=ctx.settings.chatter_name,
        all_or_nothing=True,
    )
    if result.retried:
        found = (len(result.retried) + len(result.over_limit) + len(result.expired)
                 + len(result.held) + len(result.needs_right) + len(result.unchanged))
        print(f"queued again {len(result.retried)} of {counted(found, 'failed message')}: "
              f"{_ids(result.retried)}")
    if result.expired:
        print(f"still failed: {_ids(result.expired)}: {result.expired_reason}")
    if result.held:
        print(f"still failed: {_ids(result.held)}: {result.held_reason}")
    if result.needs_right:
        print(f"still failed: {_ids(result.needs_right)}: "
              f"{outbox.needs_right(len(result.needs_right))}")
    if result.unchanged:
        print(f"left as they were (the database changed none of them): {_ids(result.unchanged)}")
    if result.over_limit:
        print(
            f"still failed: {len(result.over_limit)} (manual retries are limited to "
            f"{outbox.MANUAL_RETRIES_PER_MINUTE} a minute; try again in {result.wait_seconds} s)"
        )
    left = (result.over_limit or result.expired or result.held or result.needs_right
            or result.unchanged)
    if not result.retried and not left:
        print(f"{account.name}: no failed messages")
    return 0 if result.retried or not left else 1


def _discard(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    # Every id is checked first: one that names no message of the account (exit 1) or
    # one that is not queued, paused or failed (exit 2) is an error, nothing discarded.
    result = outbox.discard_detailed(ctx.db, account.id, args.ids, all_or_nothing=True)
    wanted = len(set(args.ids))
    print(f"discarded {len(result.discarded)} of {wanted}")
    if result.needs_right:
        print(f"left alone: {_ids(result.needs_right)}: "
              f"{outbox.needs_right(len(result.needs_right))}")
    if result.unchanged:
        print(f"left as they were (the database changed none of them): {_ids(result.unchanged)}")
    return 0 if len(result.discarded) == wanted else 1


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="failed_command", metavar="ACTION", required=True)

    listing = add_command(commands, "list", "failed messages, newest first, with the reason")
    add_account_option(listing, ACCOUNT_HELP)
    listing.add_argument(
        "--days", type=number_in(0, CENTURY_DAYS), default=7, help="how far back (default 7)"
    )
    listing.set_defaults(handler=_list)

    retry = add_command(
        commands,
        "retry",
        f"queue failed messages again (at most {outbox.MANUAL_RETRIES_PER_MINUTE} a minute "
        "per account)",
    )
    add_account_option(retry, ACCOUNT_HELP)
    retry.add_argument("ids", type=row_id, nargs="*", metavar="ID", help=IDS_HELP)
    retry.add_argument("--all", action="store_true", help="every failed message, oldest first")
    retry.set_defaults(handler=_retry)

    discard = add_command(
        commands, "discard", "discard messages that will not be sent (failed, or still queued)"
    )
    add_account_option(discard, ACCOUNT_HELP)
    discard.add_argument("ids", type=row_id, nargs="+", metavar="ID", help=IDS_HELP)
    discard.set_defaults(handler=_discard)
