"""Counts in words, shared by the app's toasts, the Failed screen and the campaign composer."""

from __future__ import annotations

from ofcrm_tui.core.wording import counted


def messages(count: int) -> str:
    """``1 message``, ``2 messages``."""
    return counted(count, "message")


def recipients(count: int) -> str:
    """``1 recipient``, ``1,200 recipients``."""
    return counted(count, "recipient")


def fans(count: int) -> str:
    """``1 fan``, ``100,000 fans``."""
    return counted(count, "fan")


def could_not_send(count: int) -> str:
    """The toast for messages the sender gave up on."""
    return f"{messages(count)} could not be sent: see Failed messages"
