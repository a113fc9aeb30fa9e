"""``ofcrm account``: creator accounts and their tokens."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ofcrm_tui import secrets
from ofcrm_tui.cli.common import add_command, context
from ofcrm_tui.core import accounts


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
    ctx = context(args)
    accounts.validate_name(args.name)
    accounts.validate_base_url(args.base_url)
    token = _read_token(args.name)
    limit = args.send_limit or ctx.settings.default_send_limit_per_minute
    info = accounts.add_account(
        ctx.db,
        args.name,
        args.base_url,
        token,
        send_limit_per_minute=limit,
        timeout_seconds=ctx.settings.http_timeout_seconds,
    )
    print(
        f"added {info.name}: creator @{info.creator_username} ({info.creator_name}), "
        f"{info.send_limit_per_minute} sends/min, token in {secrets.token_source(info.name)}"
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    ctx = context(args)
    accounts.get_account(ctx.db, args.name)
    info = accounts.replace_token(
        ctx.db, args.name, _read_token(args.name), timeout_seconds=ctx.settings.http_timeout_seconds
    )
    print(f"{info.name}: new token checked, in {secrets.token_source(info.name)}; sends resume")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = accounts.list_accounts(context(args).db)
    if not rows:
        print("no accounts: add one with `ofcrm account add NAME --base-url URL`")
        return 0
    for info in rows:
        status = f"  AUTH ERROR: {info.auth_error}" if info.auth_error else ""
        print(
            f"{info.name}\t{info.base_url}\t@{info.creator_username}\t"
            f"{info.send_limit_per_minute}/min\ttoken: {secrets.token_source(info.name)}{status}"
        )
    return 0


def _remove(args: argparse.Namespace) -> int:
    ctx = context(args)
    info = accounts.get_account(ctx.db, args.name)
    if not args.yes:
        if not sys.stdin.isatty():
            raise accounts.AccountError("refusing to delete without a terminal: add --yes")
        answer = input(f"Delete account {info.name} and all its local data? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    accounts.remove_account(ctx.db, info.name)
    print(f"removed {info.name}")
    return 0


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    add = add_command(
        commands,
        "add",
        "add an account; the token is read from a hidden prompt, stdin, or OFCRM_TOKEN_<NAME>, "
        "and checked against the platform",
    )
    add.add_argument("name", help="a short name for the account, e.g. 'mia'")
    add.add_argument("--base-url", required=True, help="the platform API base, e.g. http://host:8765")
    add.add_argument("--send-limit", type=int, help="sends a minute allowed (default from settings)")
    add.set_defaults(handler=_add)
    token = add_command(
        commands,
        "token",
        "replace an account's token (after a 401/403 stopped it); checked like `add`",
    )
    token.add_argument("name")
    token.set_defaults(handler=_token)
    add_command(commands, "list", "list accounts (tokens never shown)").set_defaults(handler=_list)
    remove = add_command(commands, "remove", "delete an account, its local data and its token")
    remove.add_argument("name")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=_remove)
