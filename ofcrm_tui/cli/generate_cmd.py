"""``ofcrm generate``: an account full of generated fans and chats, for benchmarks and demos."""

from __future__ import annotations

import argparse
import sys
import time

from ofcrm_tui.cli.common import checked_by, context, whole_number
from ofcrm_tui.core import accounts
from ofcrm_tui.devdata.generate import DEFAULT_ACCOUNT, generate


def _non_negative(value: str) -> int:
    try:
        number = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {number}")
    return number


def _generate(args: argparse.Namespace) -> int:
    ctx = context(args, creates=True)
    name = args.generate_account or getattr(args, "account", None) or DEFAULT_ACCOUNT
    accounts.check_new_name(ctx.db, name)  # refused as `account add` refuses it, before saying more
    messages = args.messages if args.messages is not None else args.fans * 10
    started = time.perf_counter()
    last_print = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage == "fans" and done < total and now - last_print[0] < 1.0:
            return
        last_print[0] = now
        print(f"  {stage}: {done:,}/{total:,} ({now - started:.1f} s)", file=sys.stderr)

    print(
        f"generating {name!r}: {args.fans:,} fans, {messages:,} messages, seed {args.seed} "
        f"into {ctx.db.url_for_display}",
        file=sys.stderr,
    )
    report = generate(
        ctx.db,
        account=name,
        fans=args.fans,
        messages=messages,
        seed=args.seed,
        transactions=not args.no_transactions,
        progress=progress,
    )
    print(
        f"generated account {report.account_name} (id {report.account_id}) in "
        f"{report.seconds:.1f} s: {report.fans:,} fans, {report.conversations:,} conversations, "
        f"{report.messages:,} messages, {report.unread_conversations:,} unread, "
        f"{report.spenders:,} spenders, {report.tagged_fans:,} tagged, "
        f"{report.transactions:,} transactions, {report.media} media"
    )
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--account",
        dest="generate_account",
        metavar="NAME",
        type=checked_by(accounts.validate_name),
        help=f"name of the account to create (default {DEFAULT_ACCOUNT!r}); it must not exist",
    )
    parser.add_argument(
        "--fans", type=_non_negative, default=1_000, help="fans, one chat each (default 1000)"
    )
    parser.add_argument(
        "--messages", type=_non_negative, help="messages spread over the chats (default 10 per fan)"
    )
    parser.add_argument("--seed", type=whole_number, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--no-transactions", action="store_true", help="skip the transactions behind the spend"
    )
    parser.set_defaults(handler=_generate)
