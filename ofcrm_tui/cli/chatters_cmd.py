"""``ofcrm chatters``: who is online now, their open conversation, their sends today."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from tzlocal import get_localzone

from ofcrm_tui.cli.common import add_account_option, context
from ofcrm_tui.core import accounts
from ofcrm_tui.core.team.chatters import ChatterDay, team_day
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.types import utcnow


def _start_of_day(now: datetime) -> datetime:
    """Midnight where this machine is, in UTC."""
    local = now.astimezone(get_localzone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _where(day: ChatterDay) -> str:
    here = day.online
    if here is None:
        return "offline"
    if here.fan_username is None:
        return "online, no conversation open"
    fan = f"{one_line(here.fan_name or '')} (@{one_line(here.fan_username)})"
    return f"{'typing to' if here.typing else 'viewing'} {fan}"


def _as_json(day: ChatterDay) -> dict[str, object]:
    here = day.online
    return {
        "chatter": day.chatter,
        "online": here is not None,
        "since": here.since.isoformat() if here else None,
        "conversation_id": here.conversation_id if here else None,
        "fan_username": here.fan_username if here else None,
        "typing": bool(here and here.typing),
        "sends_today": day.sends,
    }


def _chatters(args: argparse.Namespace) -> int:
    ctx = context(args)
    account = accounts.resolve_account(ctx.db, args.account)
    now = utcnow()
    days = team_day(ctx.db, account.id, now=now, day_start=_start_of_day(now),
                    expiry_seconds=ctx.settings.presence_expiry_seconds)
    if args.json:
        print(json.dumps([_as_json(day) for day in days], indent=2))
        return 0
    online = sum(day.online is not None for day in days)
    print(f"{account.name}: {online} online")
    if not days:
        print("  nobody is online and nothing was sent today")
    width = max((len(one_line(day.chatter)) for day in days), default=0)
    for day in days:
        name = one_line(day.chatter).ljust(width)
        print(f"  {name}  {day.sends:>4} sends today  {_where(day)}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    add_account_option(parser, "the account (default: the only one)")
    parser.add_argument("--json", action="store_true", help="as JSON")
    parser.set_defaults(handler=_chatters)
