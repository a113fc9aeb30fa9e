"""``ofcrm queue``: the outbound queue of each account at a glance."""

from __future__ import annotations

import argparse
from datetime import datetime

from ofcrm_tui.cli.common import add_account_option, context
from ofcrm_tui.core import accounts, outbox
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.types import utcnow


def when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "-"
    seconds = (moment - now).total_seconds()
    if seconds <= 0.5:
        return "now"
    return f"in {seconds:.0f} s ({moment:%H:%M:%S} UTC)"


def _queue(args: argparse.Namespace) -> int:
    ctx = context(args)
    chosen = (
        [accounts.get_account(ctx.db, args.account)] if args.account else accounts.list_accounts(ctx.db)
    )
    if not chosen:  # an error, as for every command that acts on an account
        raise accounts.AccountError(accounts.NO_ACCOUNTS)
    for account in chosen:
        now = utcnow()
        status = outbox.queue_status(
            ctx.db, account.id, reply_reserve_per_minute=ctx.settings.reply_reserve_per_minute, now=now
        )
        shown = outbox.queue_counts(ctx.db, account.id)
        counts = " · ".join(f"{state} {count}" for state, count in shown.items())
        print(f"{account.name}: {counts}")
        print(
            f"  budget: {status.budget_left} of {status.limit} sends left this minute "
            f"(campaigns {status.campaign_budget_left}); next send: {when(status.next_send_at, now)}"
        )
        if status.blocked_until:
            print(f"  rate limited by the platform until {status.blocked_until:%H:%M:%S} UTC")
        if status.auth_error:
            print(f"  AUTH ERROR (sends stopped until fixed): {one_line(status.auth_error)}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "only this account")
    parser.set_defaults(handler=_queue)
