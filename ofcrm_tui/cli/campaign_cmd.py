"""``ofcrm campaign``: create (now or at a time), list, show, pause, resume, cancel,
delete (a draft)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from ofcrm_tui.cli.common import (
    add_account_option,
    add_command,
    add_paid_options,
    check_limit,
    checked_by,
    confirmed,
    context,
    fan_ref,
    row_id,
    whole_number,
)
from ofcrm_tui.cli.fan_filter import MAX_SPENT, MIN_SPENT, TAG
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import accounts, campaigns
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.core.analytics.period import local_zone, wall_time
from ofcrm_tui.core.campaigns import CampaignError, CampaignRow, CampaignSpec, Segment, SegmentCount
from ofcrm_tui.core.campaigns.segment import STATUSES
from ofcrm_tui.core.campaigns.spec import check_name, check_text
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.errors import UsageError
from ofcrm_tui.core.wording import counted
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.types import utcnow


def _start_time(text: str) -> datetime:
    """argparse type of ``--at``: ISO 8601; without an offset it is local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bad time {text!r}: give ISO 8601, e.g. 2026-12-24T18:00") from None
    if moment.tzinfo is not None:
        return moment
    aware = wall_time(moment, local_zone())
    if aware is None:
        raise argparse.ArgumentTypeError(
            f"bad time {text!r}: it does not exist here (the clocks skip it)")
    return aware


# The segment's whole-number options (each a Segment field of the same name).
NUMBERS = {
    "--inactive-days": "not seen for N days",
    "--active-days": "seen within N days",
    "--purchased-days": "bought something within N days",
    "--no-purchase-days": "bought nothing for N days",
    "--subscribed-days": "subscribed within N days",
    "--expiring-days": "subscription ends within N days",
    "--not-messaged-days": "sent nothing for N days",
    "--skip-live-minutes": "skip fans with a message either way in the last N minutes",
}


def _dest(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def _whole(flag: str) -> Callable[[str], int | None]:
    """argparse type of a segment's number: "1.5" refused in the composer's words
    (argparse names the option)."""

    def whole(text: str) -> int | None:
        try:
            return campaigns.whole_number(text, flag)
        except CampaignError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{flag}: ")) from None

    return whole


def _text(text: str) -> str:
    """``--text``: '-' reads stdin (checked once read); else checked as typed."""
    if text != "-":
        check_text(text)
    return text


def _segment(args: argparse.Namespace) -> Segment:
    """The segment the options give, its fans to leave out not yet resolved: refused
    before the database is opened, as ``fans list`` refuses its filter (exit 2)."""
    try:
        return Segment(
            tags_in=tuple(args.tag or ()),
            tags_out=tuple(args.without_tag or ()),
            status=args.status,
            min_spent_cents=args.min_spent,
            max_spent_cents=args.max_spent,
            bought_ppv=args.bought_ppv,
            **{_dest(flag): getattr(args, _dest(flag)) for flag in NUMBERS},
        ).checked()
    except CampaignError as exc:
        raise UsageError(str(exc)) from None


def _spec(ctx: AppContext, account: AccountInfo, args: argparse.Namespace,
          segment: Segment) -> CampaignSpec:
    excluded = tuple(resolve_fan(ctx.db, account.id, ref).id for ref in args.exclude_fan or ())
    text = sys.stdin.read() if args.text == "-" else args.text
    return CampaignSpec(
        name=args.name,
        text=text,
        segment=replace(segment, exclude_fan_ids=excluded),
        price_cents=args.price,
        media_ids=tuple(args.media or ()),
        preview_ids=tuple(args.preview or ()),
        at=args.at,
    )


def confirmation(ctx: AppContext, account: AccountInfo, spec: CampaignSpec,
                 found: SegmentCount) -> str:
    """What a campaign will do, in a few lines (also the app's confirmation)."""
    now = utcnow()
    count = found.recipients
    reserve = ctx.settings.reply_reserve_per_minute
    eta = campaigns.send_time(ctx.db, account.id, count, reserve, at=spec.at, now=now)
    when = "now" if spec.at is None else f"at {spec.at.astimezone():%Y-%m-%d %H:%M %Z}"
    ahead = f", {eta.ahead_text()}" if eta.ahead else ""
    lines = [
        f"Campaign {spec.name.strip()!r} on {account.name}: {counted(count, 'recipient')}, "
        f"{spec.describe_offer()}",
        f"  starts {when}; sending takes about {campaigns.duration_text(eta.takes)} at the current "
        f"limit ({eta.limit}/min, {reserve} kept for replies{ahead})",
    ]
    if found.left_out():
        lines.append(f"  {found.left_out()}")
    sample = campaigns.sample(ctx.db, account.id, spec.segment, now, limit=1)
    if sample:
        text = campaigns.preview(spec.text, sample[0].fields())
        lines.append(f"  preview for @{sample[0].username}: {one_line(text)}")
    return "\n".join(lines)


def _create(args: argparse.Namespace) -> int:
    ctx = context(args)
    segment = _segment(args)
    account = accounts.resolve_account(ctx.db, args.account)
    campaigns.may_run(ctx.db, account.id)  # before the plan, which it could not start
    spec = _spec(ctx, account, args, segment)
    by = ctx.settings.chatter_name
    checked = campaigns.check(ctx.db, account.id, spec, created_by=by)
    print(confirmation(ctx, account, spec, checked.found))
    question = "Schedule it?" if spec.at is not None else "Start it?"
    if not confirmed(args, question, "nothing queued"):
        print("nothing queued")
        return 1
    created = campaigns.create(ctx.db, account.id, spec, created_by=by)
    if created.status == "scheduled":
        print(f"campaign #{created.campaign_id} scheduled "
              f"({counted(created.recipients, 'recipient')} now)")
    else:
        print(f"campaign #{created.campaign_id} started: "
              f"{counted(created.recipients, 'message')} queued")
    return 0


def progress(row: CampaignRow) -> str:
    """The progress and results of a campaign in one line ("—" before it started)."""
    parts = campaigns.progress_parts(row)
    if not parts and row.status == "scheduled" and row.scheduled_at is not None:
        parts.append(f"starts {row.scheduled_at.astimezone():%Y-%m-%d %H:%M %Z}")
    return " · ".join(parts) or "—"


def _list(args: argparse.Namespace) -> int:
    ctx = context(args)
    check_limit(args)
    account = accounts.resolve_account(ctx.db, args.account)
    rows = campaigns.campaigns(ctx.db, account.id, limit=args.limit,
                               reply_reserve=ctx.settings.reply_reserve_per_minute)
    if not rows:
        print(f"no campaigns on {account.name}")
    for row in rows:
        print(f"#{row.id} {row.status.value:<9} {one_line(row.name)[:40]:<40} {progress(row)}")
    return 0


def _show(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    row = campaigns.campaign(ctx.db, account.id, args.id,
                             reply_reserve=ctx.settings.reply_reserve_per_minute)
    spec, _ = campaigns.load(ctx.db, account.id, args.id)
    print(f"#{row.id} {one_line(row.name)} — {row.status.value}, {spec.describe_offer()}")
    print(f"  text: {one_line(row.text)}")
    print(f"  segment: {spec.segment.describe()}")
    if row.scheduled_at and row.status == "scheduled":
        print(f"  scheduled for {row.scheduled_at.astimezone():%Y-%m-%d %H:%M %Z}")
    if row.started_at:
        print(f"  started {row.started_at.astimezone():%Y-%m-%d %H:%M %Z}, "
              f"{counted(row.recipients, 'recipient')}")
        print(f"  {progress(row)}")
    if row.eta:
        print(f"  done by about {row.eta.astimezone():%H:%M %Z}")
    if row.launch_error:
        print(f"  not started: {row.launch_error}")
    elif not row.started:
        print("  not started yet: no recipients, no results")
    return 0


def _control(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    if args.campaign_action == "cancel":
        unsent = campaigns.unsent(ctx.db, account.id, args.id)  # refused before asking
        question = f"Cancel campaign #{args.id}? {unsent.words()}"
        if not confirmed(args, question, "not cancelled"):
            print("kept")
            return 1
        stopped = campaigns.cancel(ctx.db, account.id, args.id)
        print(f"campaign #{args.id} cancelled: {stopped.words()}")
        return 0
    action = {"pause": campaigns.pause, "resume": campaigns.resume}
    moved = action[args.campaign_action](ctx.db, account.id, args.id)
    verb = {"pause": "paused", "resume": "resumed"}[args.campaign_action]
    print(f"campaign #{args.id} {verb} ({counted(moved, 'message')})")
    return 0


def _delete(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    name = campaigns.deletable(ctx.db, account.id, args.id)  # refused before asking
    question = f"Delete campaign #{args.id} {one_line(name)!r}? It goes for good"
    if not confirmed(args, question, "not deleted"):
        print("kept")
        return 1
    campaigns.delete(ctx.db, account.id, args.id)
    print(f"campaign #{args.id} deleted")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="campaign_action", metavar="ACTION", required=True)

    create = add_command(actions, "create", "start a campaign now or at a time")
    add_account_option(create, "the account (default: the only one)")
    create.add_argument("--name", required=True, type=checked_by(check_name, as_typed=True),
                        help="the campaign's name in lists (fans never see it)")
    create.add_argument("--text", required=True, type=checked_by(_text),
                        help="text with {name}, {username} ({name|babe} gives a fallback; never "
                        "{nickname}: your team's private label); '-' reads stdin")
    create.add_argument("--tag", action="append", type=TAG, metavar="T",
                        help="fans with any of these tags")
    create.add_argument("--without-tag", "--exclude-tag", action="append", type=TAG, metavar="T",
                        help="not with these tags (as `fans list --without-tag`)")
    create.add_argument("--status", choices=STATUSES, default="active",
                        help="subscription status (expired fans are never sent to)")
    create.add_argument("--min-spent", type=MIN_SPENT, metavar="DOLLARS", help="spent at least this")
    create.add_argument("--max-spent", type=MAX_SPENT, metavar="DOLLARS", help="spent at most this")
    for flag, text in NUMBERS.items():
        create.add_argument(flag, type=_whole(flag), metavar="N", help=text)
    ppv = create.add_mutually_exclusive_group()
    ppv.add_argument("--bought-ppv", dest="bought_ppv", action="store_const", const=True,
                     help="fans who have bought a PPV")
    ppv.add_argument("--never-bought-ppv", dest="bought_ppv", action="store_const", const=False,
                     help="fans who never bought a PPV")
    create.add_argument("--exclude-fan", action="append", type=fan_ref, metavar="FAN",
                        help="leave this fan out (platform id or username)")
    add_paid_options(create)
    create.add_argument("--at", type=_start_time, metavar="ISO-TIME", help="start then (local time unless an offset)")
    create.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    create.set_defaults(handler=_create)

    listing = add_command(actions, "list", "campaigns, newest first, with progress")
    add_account_option(listing, "the account (default: the only one)")
    listing.add_argument("--limit", type=whole_number, default=50, metavar="N", help="at most N campaigns (default 50)")
    listing.set_defaults(handler=_list)

    for name, text, handler in (
        ("show", "a campaign's progress and results", _show),
        ("pause", "hold a running campaign's messages", _control),
        ("resume", "let a paused campaign send again", _control),
        ("cancel", "stop a campaign for good", _control),
        ("delete", "delete a draft (or a campaign cancelled before it started)", _delete),
    ):
        sub = add_command(actions, name, text)
        sub.add_argument("id", type=row_id, metavar="ID", help="the campaign's id (the # `ofcrm campaign list` shows)")
        add_account_option(sub, "the account (default: the only one)")
        sub.set_defaults(handler=handler)
    for asks in ("cancel", "delete"):
        actions.choices[asks].add_argument("--yes", action="store_true", help="do not ask")
