"""``ofcrm worker``: poll and drain headless until SIGTERM or SIGINT, for every account
whose platform key it holds (keyring or ``OFCRM_TOKEN_<NAME>``): in a team, the keys stay
with the workers and the chatters' apps run without them."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from ofcrm_tui import secrets
from ofcrm_tui.cli.common import DAY_SECONDS, add_account_option, context, number_in, positive_int
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import accounts
from ofcrm_tui.core.access import Kind
from ofcrm_tui.core.outbox.work import lease_and_grace
from ofcrm_tui.errors import OfcrmError, UsageError
from ofcrm_tui.jobs.events import (
    AccountAuthFailed,
    DrainFailed,
    JobEvent,
    MessagesFailed,
    MessagesSent,
    PollFailed,
    SendsBlocked,
)
from ofcrm_tui.jobs.scheduler import BackgroundJobs

log = logging.getLogger(__name__)


def _log_event(event: JobEvent) -> None:
    if isinstance(event, MessagesSent):
        log.info("account %s: sent %s", event.account_id, list(event.outbound_ids))
    elif isinstance(event, MessagesFailed):
        log.warning("account %s: failed %s", event.account_id, list(event.outbound_ids))
    elif isinstance(event, SendsBlocked):
        log.info("account %s: rate limited until %s", event.account_id, event.until.isoformat())
    elif isinstance(event, (AccountAuthFailed, PollFailed, DrainFailed)):
        log.warning("account %s: %s: %s", event.account_id, type(event).__name__, event.error)


def _run(args: argparse.Namespace) -> int:
    if args.no_poll and args.no_drain:
        raise UsageError("--no-poll with --no-drain leaves the worker nothing to do")
    ctx = context(args, creates=True)
    # A lease or grace too short for the HTTP timeout is refused before a database is made.
    lease_and_grace(ctx.settings, args.lease_seconds, args.reconcile_grace_seconds)
    if ctx.identity.kind in (Kind.CHATTER, Kind.NONE):
        raise OfcrmError(
            f"ofcrm worker runs as a worker's role or the owner's; this is "
            f"{ctx.identity.kind.value} {ctx.identity.role!r} (see `ofcrm team add-worker`)"
        )
    # ``worker --account A --account B``, or ``ofcrm --account A worker``.
    only = getattr(args, "accounts", None) or ([args.account] if args.account else None)
    for name in only or ():
        accounts.get_account(ctx.db, name)  # a typo should not make an idle worker
    _say_which_accounts(ctx, only)
    jobs = BackgroundJobs(
        ctx,
        on_event=_log_event,
        accounts=only,
        poll=not args.no_poll,
        drain=not args.no_drain,
        lease_seconds=args.lease_seconds,
        reconcile_grace_seconds=args.reconcile_grace_seconds,
        send_concurrency=args.send_concurrency,
        keyed_only=True,
    )
    stop = threading.Event()
    received: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        jobs.start()
        print(
            f"ofcrm worker {os.getpid()} running on {ctx.db.url_for_display} "
            f"(poll {'off' if args.no_poll else 'on'}, drain {'off' if args.no_drain else 'on'}); "
            "stop with Ctrl+C or SIGTERM",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(0.5) and jobs.cut_off is None:
            pass
        if jobs.cut_off is None:
            log.info("worker stopping on %s; finishing in-flight sends", received[0])
            print("ofcrm worker: stopping, finishing in-flight sends", file=sys.stderr,
                  flush=True)
    finally:
        jobs.shutdown(wait=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        ctx.close()
    if jobs.cut_off is not None:
        raise OfcrmError(f"worker stopped: {jobs.cut_off}")
    return 0


def _say_which_accounts(ctx: AppContext, only: list[str] | None) -> None:
    """A worker serves the accounts whose platform key it holds (keyring or
    ``OFCRM_TOKEN_<NAME>``); the others are said once, and served once a key appears."""
    served, keyless = [], []
    for account in accounts.accounts_to_serve(ctx.db, only):
        (served if secrets.has_token(account.name) else keyless).append(account.name)
    print(f"ofcrm worker: serving {', '.join(served) or 'no account yet'}", file=sys.stderr)
    if keyless:
        variables = ", ".join(secrets.env_var_name(name) for name in keyless)
        print(f"  no key here for {', '.join(keyless)} (keyring, or {variables}): "
              "not served until one is", file=sys.stderr)


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(
        parser, "only this account (repeatable)", action="append", dest="accounts"
    )
    parser.add_argument("--no-poll", action="store_true", help="do not poll for new messages")
    parser.add_argument("--no-drain", action="store_true", help="do not send queued messages")
    parser.add_argument(
        "--lease-seconds",
        type=number_in(0, DAY_SECONDS, above=True),
        metavar="S",
        help="how long a claimed message is this worker's before others take it for dead "
        "(default: max(60, 3 x HTTP timeout + 15))",
    )
    parser.add_argument(
        "--reconcile-grace-seconds",
        type=number_in(0, DAY_SECONDS),
        metavar="S",
        help="how long after an unanswered send its absence from the chat means it was not "
        "delivered (default: max(30, 2 x HTTP timeout))",
    )
    parser.add_argument(
        "--send-concurrency",
        type=positive_int,
        default=3,
        metavar="N",
        help="sends in flight at once per account, so one slow send does not stall the "
        "others (default 3; the send limit holds whatever the number)",
    )
    parser.set_defaults(handler=_run)
