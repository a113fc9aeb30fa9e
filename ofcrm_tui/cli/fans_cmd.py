"""``ofcrm fans``: list, show, add, edit and delete fans (the fan filter options, which
``ofcrm export fans`` shares, are ``cli/fan_filter.py``).

FAN is a platform user id or a username (``@`` optional), as ``ofcrm send`` takes.
Fan text is printed one line per field with control characters removed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ofcrm_tui.cli.common import (
    add_account_option,
    add_command,
    check_limit,
    checked_by,
    confirmed,
    context,
    fan_ref,
    row_id,
    whole_number,
)
from ofcrm_tui.cli.fan_filter import (
    TAG,
    add_filter_options,
    add_sort_option,
    fan_filter,
    fan_sort,
    filter_select,
)
from ofcrm_tui.core import access, accounts, inbox
from ofcrm_tui.core.fans import edits, fields, listing, profile, resolve_fan, tag_names
from ofcrm_tui.errors import UsageError
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database

PAGE = 500


# -- fans list / show ------------------------------------------------------------------


# An empty field, as the app and the status column show it.
EMPTY = listing.NO_STATUS


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else EMPTY


def _who(row: listing.FanRow | profile.FanProfile) -> str:
    return f"@{one_line(row.username)}" if row.username else f"#{row.fan_id}"


def _list(args: argparse.Namespace) -> int:
    ctx = context(args)  # first: it sets up logging, which the errors go through
    check_limit(args)
    flt = fan_filter(args)
    account = accounts.resolve_account(ctx.db, args.account)
    fan_ids = filter_select(ctx.db, account.id, flt)
    sort = fan_sort(args)
    shown, after = 0, None
    if args.json:
        sys.stdout.write("[")
    while args.limit is None or shown < args.limit:
        size = PAGE if args.limit is None else min(PAGE, args.limit - shown)
        rows = listing.fans_window(ctx.db, account.id, fan_ids=fan_ids, sort=sort, after=after, limit=size)
        for row in rows:
            if args.json:
                sys.stdout.write(("," if shown else "") + "\n" + json.dumps(_json(row)))
            else:
                print("\t".join([
                    _who(row), one_line(row.display_name), row.subscription_status or listing.NO_STATUS,
                    format_cents(row.total_spent_cents), _when(row.last_seen_at),
                    ",".join(one_line(t) for t in row.tags),
                ]))
            shown += 1
        if len(rows) < size:
            break
        after = rows[-1]
    if args.json:
        sys.stdout.write("\n]\n")
    elif not shown:
        print(f"{account.name}: no fans match", file=sys.stderr)
    return 0


def _json(row: listing.FanRow) -> dict[str, Any]:
    return {
        "fan_id": row.fan_id, "user_id": row.platform_user_id, "username": row.username,
        "display_name": row.display_name, "status": row.subscription_status,
        "total_spent_cents": row.total_spent_cents,
        "last_seen_at": row.last_seen_at.isoformat() if row.last_seen_at else None,
        "subscribed_at": row.subscribed_at.isoformat() if row.subscribed_at else None,
        "last_message_at": row.last_message_at.isoformat() if row.last_message_at else None,
        "tags": list(row.tags),
    }


def _fan_id(db: Database, account_id: int, ref: str) -> int:
    """FAN (platform id or username) -> local fan id."""
    return resolve_fan(db, account_id, ref).id


def _show(args: argparse.Namespace) -> int:
    ctx = context(args)
    for option in ("notes", "purchases", "messages"):
        check_limit(args, option, least=0)  # 0 leaves that part out
    account = accounts.resolve_account(ctx.db, args.account)
    fan = profile.fan_profile(ctx.db, account.id, _fan_id(ctx.db, account.id, args.fan))
    spend = fan.spend
    # A fan with no subscription data has no price either (its stored one is a default).
    price = EMPTY if fan.subscription_status is None else format_cents(fan.subscribe_price_cents)
    lines = [
        f"{one_line(fan.display_name)} ({_who(fan)})",
        f"  name: {one_line(fan.name) or EMPTY}   nickname: {one_line(fan.nickname) or EMPTY}",
        f"  user id: {fan.platform_user_id or 'none (created by hand)'}   last seen: {_when(fan.last_seen_at)}",
        f"  subscription: {fan.subscription_status or listing.NO_STATUS}, since "
        f"{_when(fan.subscribed_at)}, expires "
        f"{_when(fan.expires_at)}, renewed {_when(fan.renewed_at)}, price {price}",
        f"  spent: {format_cents(fan.lifetime_value_cents)} (subscriptions "
        f"{format_cents(spend.subscriptions_cents)}, tips {format_cents(spend.tips_cents)}, messages "
        f"{format_cents(spend.messages_cents)}, posts {format_cents(spend.posts_cents)})",
        f"  tags: {', '.join(one_line(t) for t in fan.tags) or EMPTY}",
    ]
    print("\n".join(lines))
    notes = profile.notes_page(ctx.db, account.id, fan.fan_id, limit=args.notes)
    for note in notes:
        edited = ("" if note.edited_by is None else
                  f", edited by {one_line(note.edited_by)} {_when(note.edited_at)}")
        print(f"  note {_when(note.created_at)} by {one_line(note.author)}{edited}:")
        for line in note.body.splitlines():
            print(f"    {one_line(line)}")
    for purchase in profile.purchases_page(ctx.db, account.id, fan.fan_id, limit=args.purchases):
        print(f"  {_when(purchase.created_at)}  {purchase.type:<12} {format_cents(purchase.amount_cents):>10}  "
              f"{one_line(purchase.description)}")
    if fan.conversation_id is not None:
        for message in inbox.thread_page(ctx.db, account.id, fan.conversation_id, limit=args.messages):
            arrow = "<" if message.direction == "in" else ">"
            print(f"  {arrow} {_when(message.created_at)}  {one_line(message.text)}")
    return 0


# -- add / edit / delete -----------------------------------------------------------------


def _add(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    fan_id = edits.create_fan(ctx.db, account.id, username=args.username, name=args.name or "",
                              nickname=args.nickname or "", platform_user_id=args.user_id)
    if args.tag:
        edits.add_tags(ctx.db, account.id, fan_id, args.tag)
    if args.note:
        edits.add_note(ctx.db, account.id, fan_id, args.note, author=ctx.settings.chatter_name)
    print(f"added @{args.username.strip().removeprefix('@')} (fan #{fan_id}) to {account.name}")
    if args.user_id is not None:  # no status to give: the fan is active until a sync says
        print(fields.taken_as_active(1))
    return 0


def _edit(args: argparse.Namespace) -> int:
    ctx = context(args)  # first: it sets up logging, which the error below goes through
    if args.nickname is None and not (args.tag or args.untag or args.note):
        raise UsageError("nothing to change: give --nickname, --tag, --untag or --note")
    untagged = {fields.tag_name(tag) for tag in args.untag}
    both = [one_line(tag.strip()) for tag in args.tag if not tag_names.none_of([tag], untagged)]
    if both:
        raise UsageError(f"--tag and --untag name the same tag: {', '.join(both)}")
    account = accounts.resolve_account(ctx.db, args.account)
    fan_id = _fan_id(ctx.db, account.id, args.fan)
    changed = []
    if args.nickname is not None:
        edits.set_nickname(ctx.db, account.id, fan_id, args.nickname)
        nickname = one_line(args.nickname.strip())
        changed.append(f"nickname set to {nickname!r}" if nickname else "nickname cleared")
    if args.tag or args.untag:
        before = edits.add_tags(ctx.db, account.id, fan_id, args.tag)
        after = edits.remove_tags(ctx.db, account.id, fan_id, args.untag)
        absent = tag_names.none_of(args.untag or (), set(before) - set(after))
        if absent:
            changed.append(f"not tagged {', '.join(map(one_line, absent))}: nothing to untag")
    if args.note:
        edits.add_note(ctx.db, account.id, fan_id, args.note, author=ctx.settings.chatter_name)
        changed.append("note added")
    fan = profile.fan_profile(ctx.db, account.id, fan_id)
    changed.append(f"tags: {', '.join(map(one_line, fan.tags)) or 'none'}")
    print(f"{one_line(fan.display_name)} ({_who(fan)}): {'; '.join(changed)}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    fan_id = _fan_id(ctx.db, account.id, args.fan)
    access.check(ctx.db, access.Right.DELETE, account.id)  # refused before asking
    summary = edits.deletion_summary(ctx.db, account.id, fan_id)
    if not confirmed(args, one_line(summary.describe()), "not deleted"):
        print("kept")
        return 1
    edits.delete_fan(ctx.db, account.id, fan_id)
    print(f"deleted {one_line(summary.label)}")
    return 0


# The values a fan's options give, refused as typed (exit 2) by the fields' own checks.
_NOTE = checked_by(fields.clean_note, as_typed=True)


def _name(what: str) -> Callable[[str], str]:
    """A name or nickname: '' (none) or one the field holds, kept as typed."""
    return checked_by(lambda text: fields.clean_name(what, text.strip()), as_typed=True)


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="fans_command", metavar="ACTION", required=True)

    listing_ = add_command(commands, "list", "fans of the account, filtered and sorted")
    add_filter_options(listing_)
    add_sort_option(listing_)
    listing_.add_argument("--limit", type=whole_number, metavar="N", help="at most N fans")
    listing_.add_argument("--json", action="store_true", help="a JSON array of fans")
    listing_.set_defaults(handler=_list)

    def fan_command(name: str, help_text: str) -> argparse.ArgumentParser:
        command = add_command(commands, name, help_text)
        command.add_argument("fan", type=fan_ref, metavar="FAN", help="platform user id or username")
        add_account_option(command, "the account (default: the only one)")
        return command

    show = fan_command("show", "a fan's profile, spend, tags, notes, purchases and last messages")
    show.add_argument("--notes", type=whole_number, default=5, metavar="N", help="newest N notes (default 5)")
    show.add_argument("--purchases", type=whole_number, default=10, metavar="N", help="newest N purchases (default 10)")
    show.add_argument("--messages", type=whole_number, default=5, metavar="N", help="last N messages (default 5)")
    show.set_defaults(handler=_show)

    add = add_command(commands, "add", "create a fan by hand (known from elsewhere; no platform id needed)")
    add_account_option(add, "the account (default: the only one)")
    add.add_argument("--username", required=True, type=checked_by(edits.new_username),
                     help="new to the account (@ optional)")
    add.add_argument("--name", type=_name("name"), help="the fan's name, as the platform would show it")
    add.add_argument("--nickname", type=_name("nickname"), help="your team's private label")
    add.add_argument("--user-id", type=row_id, metavar="ID", help="the platform user id, if known")
    add.add_argument("--tag", action="append", default=[], type=TAG, metavar="T",
                     help="tag the fan T (repeat for more)")
    add.add_argument("--note", type=_NOTE, metavar="TEXT", help="a first note (by the chatter_name setting)")
    add.set_defaults(handler=_add)

    edit = fan_command("edit", "change a fan's nickname, tags or add a note (by the chatter_name setting)")
    edit.add_argument("--nickname", type=_name("nickname"), metavar="N", help="'' clears it")
    edit.add_argument("--tag", action="append", default=[], type=TAG, metavar="T",
                      help="add tag T (new or existing)")
    edit.add_argument("--untag", action="append", default=[], metavar="T", help="remove tag T")
    edit.add_argument("--note", type=_NOTE, metavar="TEXT", help="add a dated note")
    edit.set_defaults(handler=_edit)

    delete = fan_command("delete", "delete a fan with their notes, tags, drafts and chat")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(handler=_delete)
