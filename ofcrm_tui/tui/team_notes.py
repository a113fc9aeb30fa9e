"""What the app says of this role on a team: team mode at the start, access to the
account lost (the account, or the team), and a switch of account refused off the team."""

from __future__ import annotations

from ofcrm_tui.core import access
from ofcrm_tui.tui.sanitize import clean


def lost_access_note(account: str, *, team: bool) -> str:
    """What the app says when the database no longer lets this role read the account;
    ``team``: nor the team's."""
    if team:
        return "You were removed from the team: ask a manager; press q to quit"
    name = clean(account, single_line=True)
    return (f"You lost access to account {name}: ask a manager, or switch to another "
            "account")


# Off the team, what the app says to a switch of account.
NO_SWITCH = ("No account can be opened: you are no longer on the team. Ask a manager; "
             "press q to quit")


def team_mode_note(me: access.Identity, name: str) -> str:
    """What the app says when it starts without platform keys; ``name`` is the one it
    records (``chatter_name``), said when it is not the login's."""
    who = f"Signed in as {me.role} ({me.kind.value})"
    if name != me.role:
        who += f", as {clean(name, single_line=True)} on the team"
    return (f"{who}. Workers poll and send with the platform keys: this app needs no "
            "token; what you send is queued for them.")
