"""``ofcrm send``: queue a message for a fan (a running worker or the app sends it).

Team mode's collision guard applies: another chatter's message to the fan within
``collision_window_seconds``, or their typing to the fan now, refuses the send with
their name and what they sent; ``--force`` skips the guard."""

from __future__ import annotations

import argparse
import sys
import time

from ofcrm_tui.cli.common import (
    DAY_SECONDS,
    add_account_option,
    add_paid_options,
    checked_by,
    context,
    fan_ref,
    number_in,
)
from ofcrm_tui.core import accounts, outbox, team
from ofcrm_tui.core.outbox.rules import check_text
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.types import utcnow

_DONE = (OutboundState.SENT, OutboundState.FAILED, OutboundState.CANCELLED)


def _send(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    fan = resolve_fan(ctx.db, account.id, args.fan)
    text = sys.stdin.read() if args.text == "-" else args.text
    settings = ctx.settings
    # What another chatter sent within the window is news to this one: refuse.
    seen = None if args.force else team.Seen(
        window_seconds=settings.collision_window_seconds,
        expiry_seconds=settings.presence_expiry_seconds,
    )
    try:
        outbound_id = team.send(
            ctx.db,
            account.id,
            fan.id,
            text,
            by=team.Sender(settings.chatter_name, utcnow(), auto_assign=settings.auto_assign),
            seen=seen,
            kind=args.kind,
            price_cents=args.price,
            media_ids=args.media or (),
            preview_ids=args.preview or (),
            max_attempts=settings.max_send_attempts,
        )
    except team.Collision as exc:
        raise outbox.OutboxError(f"not queued: {exc} (--force sends anyway)") from None
    what = format_cents(args.price) if args.price else "free"
    media = f", {len(args.media)} media" if args.media else ""
    print(f"queued #{outbound_id} for @{fan.username} on {account.name} ({what}{media})")
    if args.wait is None:
        return 0
    deadline = time.monotonic() + args.wait
    while True:
        view = outbox.get(ctx.db, account.id, outbound_id)
        assert view is not None
        if view.state in _DONE or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    detail = f": {view.last_error}" if view.last_error and view.state != OutboundState.SENT else ""
    print(f"#{outbound_id} {view.state.value}{detail}")
    if view.state == OutboundState.QUEUED and view.attempts == 0:
        print(
            f"ofcrm: nothing took #{outbound_id} in {args.wait:g} s: is `ofcrm worker` or the "
            f"app running for {account.name}? It stays queued until one does.",
            file=sys.stderr,
        )
    if view.state == OutboundState.SENT:
        return 0
    return 1 if view.state in _DONE else 2


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "the account (default: the only one)")
    parser.add_argument(
        "--fan", required=True, type=fan_ref, metavar="FAN", help="the fan's platform user id or username"
    )
    parser.add_argument("--text", required=True, type=checked_by(check_text, as_typed=True),
                        metavar="TEXT", help="plain text; '-' reads stdin")
    add_paid_options(parser)
    parser.add_argument(
        "--kind",
        choices=[OutboundKind.MANUAL.value, OutboundKind.REPLY.value],
        default=OutboundKind.MANUAL.value,
        help="queue priority: reply goes before manual sends (default manual)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="queue it even if another chatter sent the fan a message within "
        "collision_window_seconds or is typing to them now",
    )
    parser.add_argument(
        "--wait",
        type=number_in(0, DAY_SECONDS),
        metavar="S",
        help="wait up to S seconds for the outcome (exit 0 sent, 1 failed, 2 still pending)",
    )
    parser.set_defaults(handler=_send)
