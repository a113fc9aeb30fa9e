"""``ofcrm sync``: one inbound sync of an account, with progress."""

from __future__ import annotations

import argparse
import sys

from ofcrm_tui import secrets
from ofcrm_tui.cli.common import add_account_option, context
from ofcrm_tui.core import accounts
from ofcrm_tui.core.access import Kind
from ofcrm_tui.core.sync import InboundSync, SyncReport
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.clients import client_for
from ofcrm_tui.store.database import Database


class ProgressLine:
    """One status line on stderr, rewritten in place on a terminal."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.live = sys.stderr.isatty()

    def __call__(self, stage: str, count: int) -> None:
        if stage.startswith("waiting"):
            print(f"rate limited: waiting {count} s", file=sys.stderr)
            return
        self.counts[stage] = self.counts.get(stage, 0) + count if stage == "fans" else count
        if self.live:
            text = " · ".join(f"{name} {value}" for name, value in self.counts.items())
            print(f"\rsyncing: {text}\x1b[K", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.live and self.counts:
            print(file=sys.stderr)


def sync_account(
    db: Database, account: accounts.AccountInfo, timeout: float, *, full: bool
) -> SyncReport:
    token = secrets.get_token(account.name)
    progress = ProgressLine()
    try:
        with client_for(account, token, timeout=timeout) as client:
            sync = InboundSync(db, account.id, client, progress=progress)
            return sync.full() if full else sync.poll()
    finally:
        progress.done()


def _sync(args: argparse.Namespace) -> int:
    ctx = context(args)
    if ctx.identity.kind is Kind.CHATTER:
        raise OfcrmError("a chatter's role does not sync: the workers do, with the keys "
                         "(`ofcrm worker` where the keys are)")
    account = accounts.resolve_account(ctx.db, args.account)
    report = sync_account(
        ctx.db, account, ctx.settings.http_timeout_seconds, full=not args.poll
    )
    print(
        f"{account.name}: {report.fans} fans, {report.chats} chats updated, "
        f"{report.messages} new messages, {report.transactions} new transactions, "
        f"{report.media} media"
    )
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "the account (default: the only one)")
    parser.add_argument(
        "--poll", action="store_true", help="only what changed since the last sync (cheap)"
    )
    parser.set_defaults(handler=_sync)
