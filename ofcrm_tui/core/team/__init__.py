"""Team mode: several chatters on one account, from the database they share.

- ``presence``: each app's heartbeat row (open conversation, typing) and the others';
- ``guard``: the collision check, in the enqueue's transaction (``guard.send``);
- ``assignment``: who owns a conversation; every change bumps a version the beats read;
- ``chatters``: who is online, on what, and what they sent today (``ofcrm chatters``).
"""

from ofcrm_tui.core.team.assignment import (
    Assignees,
    Owner,
    assign,
    conversation_of,
    known_chatters,
    owners_of,
    unassign,
)
from ofcrm_tui.core.team.guard import (
    Collision,
    OtherSend,
    Seen,
    Sender,
    ThreadMark,
    send,
    thread_mark,
)
from ofcrm_tui.core.team.names import TeamError, check_chatter
from ofcrm_tui.core.team.presence import Beat, Present, TeamView, beat, leave

__all__ = [
    "Assignees",
    "Beat",
    "Collision",
    "OtherSend",
    "Owner",
    "Present",
    "Seen",
    "Sender",
    "TeamError",
    "TeamView",
    "ThreadMark",
    "assign",
    "beat",
    "check_chatter",
    "conversation_of",
    "known_chatters",
    "leave",
    "owners_of",
    "send",
    "thread_mark",
    "unassign",
]
