"""``ofcrm assign``: give a fan's conversation to a chatter (yourself by default), or to nobody."""

from __future__ import annotations

import argparse

from ofcrm_tui.cli.common import add_account_option, context, fan_ref
from ofcrm_tui.core import accounts, team
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.types import utcnow


def _assign(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    fan = resolve_fan(ctx.db, account.id, args.fan)
    conversation_id = team.conversation_of(ctx.db, account.id, fan.id)
    who = f"@{one_line(fan.username)}"
    if args.nobody:
        previous = team.unassign(ctx.db, account.id, conversation_id)
        was = f" (was {one_line(previous)})" if previous else " (it was not assigned)"
        print(f"{who} on {account.name}: assigned to nobody{was}")
        return 0
    me = ctx.settings.chatter_name
    owner = team.assign(ctx.db, account.id, conversation_id, args.to if args.to is not None else me, by=me, now=utcnow())
    print(f"{who} on {account.name}: assigned to {one_line(owner.chatter)}")
    return 0


def _chatter(name: str) -> str:
    """argparse type of ``--to``: a name (an empty one was taken for "me")."""
    if not name.strip():
        raise argparse.ArgumentTypeError("no chatter named: give a name, or leave --to out for you")
    return name


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "the account (default: the only one)")
    parser.add_argument("fan", type=fan_ref, metavar="FAN", help="the fan's platform user id or username")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--to", type=_chatter, metavar="NAME",
                     help="the chatter (default: you, chatter_name)")
    who.add_argument("--nobody", action="store_true", help="unassign the conversation")
    parser.set_defaults(handler=_assign)
