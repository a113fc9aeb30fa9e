"""A screen's toasts kept to the notices that are up.

Textual's rack (``ToastRack.show``) takes away the toast of a notice gone meanwhile but
not the holder around it (``ToastHolder``), which stays, empty, a line high, for good:
the toasts after it came a line lower for each (in a long session the inbox's, top
right, came down over the thread's newest lines). A notice goes meanwhile when it is
replaced (``notices.FailedSends``), when its screen was under another as it went, and
when its time is up a moment before its toast's own timer takes it away. Only a toast's
timer, or a click on it, takes its holder away with it."""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.notifications import Notifications
from textual.screen import Screen
from textual.widgets._toast import ToastHolder, ToastRack


def drop_gone(screen: Screen[Any], notifications: Notifications) -> None:
    """Take out of ``screen``'s rack the holders of notices no longer in
    ``notifications`` (the rack took their toasts, or is to). A holder is named after
    its notice: its toast may be on its way out, or not in it yet (being mounted)."""
    try:
        rack = screen.get_child_by_type(ToastRack)
    except NoMatches:
        return  # notifications off (the app runs without them)
    up = {rack._toast_id(notification) for notification in notifications}
    for holder in rack.query_children(ToastHolder):
        if holder.id not in up and not holder._pruning:  # (not going already)
            holder.remove()
