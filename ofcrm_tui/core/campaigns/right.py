"""The campaign right, asked up front: a chatter without it is told before a composer
opens, a plan is printed or a question is asked, in one line naming what a manager
runs to grant it. (The database checks it again where a campaign changes:
``access.require``.)"""

from __future__ import annotations

import shlex

from ofcrm_tui.core import access
from ofcrm_tui.core.access import AccessDenied, Identity, Kind, Right
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.store.database import Database


def may_run(db: Database, account_id: int) -> None:
    """Go on only if this role may run campaigns on the account (always on SQLite, for
    a manager and a worker); AccessDenied otherwise: for a chatter of the account, the
    command that grants the right."""
    try:
        access.check(db, Right.CAMPAIGN, account_id)
    except AccessDenied as denied:
        raise _worded(db, account_id) or denied from None


def _worded(db: Database, account_id: int) -> AccessDenied | None:
    me = access.identity(db)
    if me.kind is not Kind.CHATTER:
        return None
    names = {account.id: account.name for account in list_accounts(db)
             if account.id in me.account_ids}
    if account_id not in names:  # not its account at all: the database's words
        return None
    return AccessDenied(f"You may not run campaigns on {names[account_id]}: a manager can "
                        f"grant it ({grant_command(me, list(names.values()))})")


def grant_command(me: Identity, accounts: list[str]) -> str:
    """``ofcrm team add-chatter`` giving the chatter the campaign right on ``accounts``
    (all of its own: the command sets exactly the accounts and rights it is given) and
    keeping the rights it holds."""
    rights = [flag for flag, held in (("--can-export", me.can_export), ("--can-campaign", True),
                                      ("--can-delete", me.can_delete)) if held]
    chosen = [word for name in accounts for word in ("--account", name)]
    return shlex.join(["ofcrm", "team", "add-chatter", me.role, *chosen, *rights])
