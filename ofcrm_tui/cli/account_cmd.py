"""``ofcrm account``: creator accounts and their tokens."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ofcrm_tui import secrets
from ofcrm_tui.cli.common import (
    add_command,
    checked_by,
    confirmed,
    context,
    managers_only,
    whole_in,
)
from ofcrm_tui.config import MOST_SEND_LIMIT
from ofcrm_tui.core import accounts
from ofcrm_tui.errors import UsageError
from ofcrm_tui.store.database import database_named
from ofcrm_tui.platform.gateway import Gateway, default_base_url
from ofcrm_tui.store.database import missing_file


def _read_token(name: str) -> str:
    """The env override, else a hidden prompt on a terminal, else one line of stdin."""
    from_env = os.environ.get(secrets.env_var_name(name))
    if from_env:
        return from_env
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"Token for {name} (input hidden): ")
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        raise accounts.AccountError(
            f"no token given: type it at the prompt, pipe it on stdin, "
            f"or set {secrets.env_var_name(name)}"
        )
    return line


def _add(args: argparse.Namespace) -> int:
    base_url = args.base_url or default_base_url(args.gateway)
    if base_url is None:
        raise UsageError("the contract gateway needs --base-url URL")
    if args.connection_id and args.gateway != "ofauth":
        raise UsageError("--connection-id is OFAuth's: use it with --gateway ofauth")
    if args.gateway_account and args.gateway != "onlyfansapi":
        raise UsageError("--gateway-account is OnlyFansAPI.com's: use it with --gateway onlyfansapi")
    ctx = context(args, creates=True)
    # A database not made yet is made only once the key answered: a refusal leaves no
    # file (nor a name to check in it, nor a manager to be).
    fresh = missing_file(ctx.settings.effective_database_url()) is not None
    if not fresh:
        managers_only(ctx)
        accounts.check_new_name(ctx.db, args.name)
    new = accounts.new_account(
        args.name, base_url, _read_token(args.name),
        send_limit_per_minute=args.send_limit or ctx.settings.default_send_limit_per_minute,
        gateway=args.gateway, gateway_account=args.connection_id or args.gateway_account,
    )
    creator = accounts.creator_of(new, timeout_seconds=ctx.settings.http_timeout_seconds)
    info = accounts.record_account(ctx.db, new, creator)
    # Said where it went unless the command line named it (a shell without
    # OFCRM_DATABASE_URL set adds it to the SQLite file in the data folder).
    into = "" if args.db else f" to {database_named(ctx.settings.effective_database_url())}"
    print(
        f"added {info.name} via {_via(info)}{into}: creator @{info.creator_username} "
        f"({info.creator_name}), {info.send_limit_per_minute} sends/min, "
        f"token in {secrets.token_source(info.name)}"
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    ctx = context(args)
    info = accounts.replace_token(  # the token asked for once the role may change it
        ctx.db, args.name, lambda: _read_token(args.name),
        timeout_seconds=ctx.settings.http_timeout_seconds,
    )
    print(f"{info.name}: new token checked, in {secrets.token_source(info.name)}; sends resume")
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.base_url is None and args.send_limit is None:
        raise UsageError("account set: give --base-url URL, --send-limit N or both")
    ctx = context(args)
    change = accounts.update_account(
        ctx.db,
        args.name,
        base_url=args.base_url,
        send_limit_per_minute=args.send_limit,
        timeout_seconds=ctx.settings.http_timeout_seconds,
    )
    print(change.summary)
    return 0


def _list(args: argparse.Namespace) -> int:
    ctx = context(args)
    rows = accounts.list_accounts(ctx.db)
    if not rows:
        print("no accounts: add one with `ofcrm account add NAME --base-url URL`")
        return 0
    for info in rows:
        status = f"  AUTH ERROR: {info.auth_error}" if info.auth_error else ""
        # In team mode the keys stay with the workers: none is looked for here.
        token = "with the workers" if ctx.keyless else secrets.token_status(info.name)
        print(
            f"{info.name}\t{_via(info)}\t{info.base_url}\t@{info.creator_username}\t"
            f"{info.send_limit_per_minute}/min\ttoken: {token}{status}"
        )
    return 0


def _via(info: accounts.AccountInfo) -> str:
    return f"{info.gateway}:{info.gateway_account}" if info.gateway_account else info.gateway


def _remove(args: argparse.Namespace) -> int:
    ctx = context(args)
    managers_only(ctx)
    info = accounts.get_account(ctx.db, args.name)
    if not confirmed(args, f"Delete account {info.name} and all its local data?", "not removed"):
        print("kept")
        return 1
    kept = accounts.remove_account(ctx.db, info.name)
    print(f"removed {info.name}" + (f" ({kept})" if kept else ""))
    return 0


_URL = checked_by(accounts.validate_base_url)


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    add = add_command(
        commands,
        "add",
        "add an account; the token (a gateway's API key) is read from a hidden prompt, stdin, "
        "or OFCRM_TOKEN_<NAME>, and checked with the gateway's who-am-I",
    )
    add.add_argument("name", type=checked_by(accounts.validate_name),
                     help="a short name for the account, e.g. 'mia'")
    add.add_argument(
        "--gateway",
        choices=[gateway.value for gateway in Gateway],
        default="contract",
        help="how the platform is reached: our contract (default), OFAuth or OnlyFansAPI.com",
    )
    add.add_argument(
        "--base-url", type=_URL, metavar="URL",
        help="the API base, e.g. http://host:8765 (gateways default to their public address)",
    )
    which = add.add_mutually_exclusive_group()
    which.add_argument("--connection-id", help="OFAuth: the creator's connection id")
    which.add_argument("--gateway-account", help="OnlyFansAPI.com: the creator's account id")
    add.add_argument("--send-limit", type=whole_in(1, MOST_SEND_LIMIT), help="sends a minute allowed (default from settings)")
    add.set_defaults(handler=_add)
    token = add_command(
        commands,
        "token",
        "replace an account's token (after a 401/403 stopped it); checked like `add`",
    )
    token.add_argument("name", help="the account whose token to replace")
    token.set_defaults(handler=_token)
    change = add_command(
        commands,
        "set",
        "change an account's platform address or send limit, keeping its local data; a new "
        "address is asked who-am-I with the stored token and must answer for the same creator",
    )
    change.add_argument("name", help="the account to change")
    change.add_argument("--base-url", type=_URL, metavar="URL", help="the API base the platform moved to")
    change.add_argument("--send-limit", type=whole_in(1, MOST_SEND_LIMIT), metavar="N", help="sends a minute allowed")
    change.set_defaults(handler=_set)
    add_command(commands, "list", "list accounts (tokens never shown)").set_defaults(handler=_list)
    remove = add_command(commands, "remove", "delete an account, its local data and its token")
    remove.add_argument("name", help="the account to delete")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=_remove)
