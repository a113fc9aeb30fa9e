"""``ofcrm team``: chatters and workers of a team database (PostgreSQL), their accounts
and rights, and the audit trail. Managers (the tables' owner) run these."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ofcrm_tui.cli.common import (
    add_account_option,
    add_command,
    check_limit,
    context,
    managers_only,
    whole_number,
)
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access, accounts
from ofcrm_tui.core.access import AuditRow, AuditSpan, Member, TeamError
from ofcrm_tui.core.access.roles import validate_role
from ofcrm_tui.core.wording import counted
from ofcrm_tui.store.database import database_named, display_url
from ofcrm_tui.errors import UsageError
from ofcrm_tui.store.database import parse_url
from ofcrm_tui.store.enums import TeamKind

AUDIT_LIMIT = 100
_AGO = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _team_context(args: argparse.Namespace) -> AppContext:
    """The context, refusing SQLite (one person's database) in one line, before
    looking for the database: which file it is, and how to name the team's."""
    ctx = context(args)
    url = ctx.settings.effective_database_url()
    if parse_url(url).get_backend_name() == "sqlite":
        raise TeamError(f"{access.SQLITE_REFUSED}; this is {database_named(url)}: pass "
                        "--db postgresql://… or set OFCRM_DATABASE_URL")
    return ctx


def _role_name(value: str) -> str:
    """argparse type: a role name ``validate_role`` takes, else a bad value (exit 2)."""
    try:
        return validate_role(value)
    except TeamError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _password(args: argparse.Namespace, name: str) -> str | None:
    """With ``--password``: a hidden prompt on a terminal, else one line of stdin."""
    if not args.password:
        return None
    if sys.stdin is not None and sys.stdin.isatty():
        typed = getpass.getpass(f"Password for {name} (input hidden): ")
    else:
        typed = sys.stdin.readline().rstrip("\n") if sys.stdin is not None else ""
    if not typed:
        raise TeamError("no password given: type it at the prompt or pipe it on stdin")
    return typed


def _groups(ctx: AppContext) -> access.TeamGroups:
    return access.TeamGroups.named(ctx.settings.team_group_prefix)


def _init(args: argparse.Namespace) -> int:
    ctx = _team_context(args)
    groups = _groups(ctx)
    access.init_team(ctx.db, groups)
    print(f"team ready on {ctx.db.url_for_display}: group roles {groups.chatter} and "
          f"{groups.worker}; add people with `ofcrm team add-chatter` / `add-worker`")
    return 0


def _add_chatter(args: argparse.Namespace) -> int:
    names = getattr(args, "accounts", None) or ([args.account] if args.account else [])
    if not names:
        raise UsageError("a chatter needs at least one account (--account NAME)")
    ctx = _team_context(args)
    member, released = access.add_chatter(
        ctx.db, args.name, names, can_export=args.can_export, can_campaign=args.can_campaign,
        can_delete=args.can_delete, password=_password(args, args.name), groups=_groups(ctx),
    )
    print(f"chatter {member.role}: {', '.join(member.accounts)}; {member.rights()}")
    print(f"  connects with {_login_url(ctx, member.role)}")
    if released:
        print(f"  {_assigned_to_nobody(released)} (on accounts it no longer has)")
    return 0


def _assigned_to_nobody(count: int) -> str:
    return f"{counted(count, 'conversation')} assigned to it now assigned to nobody"


def _add_worker(args: argparse.Namespace) -> int:
    ctx = _team_context(args)
    member = access.add_worker(ctx.db, args.name, password=_password(args, args.name),
                               groups=_groups(ctx))
    print(f"worker {member.role}: every account; runs `ofcrm worker` with the platform keys")
    print(f"  connects with {_login_url(ctx, member.role)}")
    return 0


def _login_url(ctx: AppContext, role: str) -> str:
    return display_url(ctx.db.url.set(username=role, password=None))


def _remove(kind: TeamKind) -> Callable[[argparse.Namespace], int]:
    def remove(args: argparse.Namespace) -> int:
        ctx = _team_context(args)
        member, unassigned = access.remove_member(ctx.db, args.name, kind, _groups(ctx))
        print(f"{kind} {member.role} removed: no access from its next query on; "
              "it can no longer log in")
        if kind is TeamKind.CHATTER:
            print(f"  {_assigned_to_nobody(unassigned)}")
        return 0

    return remove


def _list(args: argparse.Namespace) -> int:
    ctx = _team_context(args)
    found = access.members(ctx.db)
    me = access.identity(ctx.db)
    print(f"managers: {me.role} (you) and any role owning the tables: every account, "
          "every right")
    if not found:
        print("no chatters or workers yet: `ofcrm team add-chatter NAME --account A`")
    for member in found:
        print(_member_line(member))
    return 0


def _member_line(member: Member) -> str:
    where = "every account" if member.kind is TeamKind.WORKER else ", ".join(member.accounts)
    rights = "" if member.kind is TeamKind.WORKER else f"  [{member.rights()}]"
    login = "" if member.can_login else "  (cannot log in)"
    return f"{member.kind:<8} {member.role:<20} {where}{rights}{login}"


def _whoami(args: argparse.Namespace) -> int:
    ctx = _team_context(args)
    me = access.identity(ctx.db)
    names = {a.id: a.name for a in accounts.list_accounts(ctx.db)}
    seen = ", ".join(names.get(i, f"#{i}") for i in me.account_ids) or "no account"
    rights = [name for name, held in (("export", me.can_export),
                                      ("campaigns", me.can_campaign),
                                      ("deleting fans", me.can_delete)) if held]
    print(f"{me.role}: {me.kind}; sees {seen}; rights: {', '.join(rights) or 'none'}")
    if me.keyless:
        print("  the app runs without platform keys here: workers poll and send")
    return 0


def parse_since(value: str) -> datetime:
    """argparse type: ``30m``, ``24h``, ``7d`` ago, or an ISO date or time (local time
    unless it names its zone)."""
    ago = _AGO.match(value.strip().lower())
    if ago:
        amount, unit = int(ago.group(1)), _UNITS[ago.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: amount})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {value!r} (e.g. 24h, 7d, 2026-11-20 or 2026-11-20T09:00)"
        ) from None
    return moment.astimezone(UTC)  # a naive time is local


def _audit(args: argparse.Namespace) -> int:
    ctx = _team_context(args)
    check_limit(args)  # a bad value before the database is asked who this is
    managers_only(ctx)
    account_id = accounts.get_account(ctx.db, args.account).id if args.account else None
    span = AuditSpan(args.since, account_id)
    rows = access.audit_window(ctx.db, span, 0, args.limit)
    if not rows:
        print("no audit events" + (" in this span" if args.since or account_id else ""))
        return 0
    for row in rows:
        print(audit_line(row))
    total = access.count_audit(ctx.db, span)
    if total > len(rows):
        print(f"... {total - len(rows):,} older events not shown (--limit, --since)")
    return 0


def audit_line(row: AuditRow) -> str:
    when = row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    account = row.account_name or (f"#{row.account_id}" if row.account_id else "-")
    count = "" if row.rows is None else f"  {counted(row.rows, 'row')}"
    detail = f"  {row.detail}" if row.detail else ""
    action = row.action.replace("_", " ")  # in the monitoring screen's words
    return f"{when}  {row.actor:<16} {action:<20} {account}{count}{detail}"


def register(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    init = add_command(commands, "init", "set up the team's group roles and their privileges "
                       "(once, as the owner of the tables; again after an upgrade)")
    init.set_defaults(handler=_init)

    chatter = add_command(
        commands, "add-chatter",
        "create or update a chatter's login role with exactly these accounts and rights",
    )
    chatter.add_argument("name", type=_role_name,
                         help="the PostgreSQL role (lowercase letters, digits, _)")
    add_account_option(chatter, "an account the chatter works on (repeatable)",
                       action="append", dest="accounts")
    chatter.add_argument("--can-export", action="store_true",
                         help="may export fans and analytics to files")
    chatter.add_argument("--can-campaign", action="store_true",
                         help="may launch and schedule campaigns")
    chatter.add_argument("--can-delete", action="store_true",
                         help="may delete fans (and all their history with them)")
    chatter.add_argument("--password", action="store_true",
                         help="set a password (hidden prompt or stdin); only a hash is sent")
    chatter.set_defaults(handler=_add_chatter)

    worker = add_command(commands, "add-worker",
                         "create or update a worker's login role (every account: polls, sends)")
    worker.add_argument("name", type=_role_name,
                        help="the PostgreSQL role (lowercase letters, digits, _)")
    worker.add_argument("--password", action="store_true",
                        help="set a password (hidden prompt or stdin); only a hash is sent")
    worker.set_defaults(handler=_add_worker)

    for kind in TeamKind:
        remove = add_command(
            commands, f"remove-{kind}",
            f"take a {kind} off the team: its open connections lose access at their next query",
        )
        remove.add_argument("name", type=_role_name, help=f"the {kind}'s PostgreSQL role")
        remove.set_defaults(handler=_remove(kind))

    add_command(commands, "list", "who may do what: managers, chatters, workers"
                ).set_defaults(handler=_list)
    add_command(commands, "whoami", "what this connection's role sees and may do"
                ).set_defaults(handler=_whoami)

    audit = add_command(commands, "audit",
                        "sensitive actions, newest first: exports, imports, deletes, campaign "
                        "launches, team changes, another's notes changed")
    audit.add_argument("--since", type=parse_since, metavar="WHEN",
                       help="from this time: 30m, 24h, 7d, or a date/time (local)")
    add_account_option(audit, "only this account's events")
    audit.add_argument("--limit", type=whole_number, default=AUDIT_LIMIT, metavar="N",
                       help=f"at most N events (default {AUDIT_LIMIT})")
    audit.set_defaults(handler=_audit)
