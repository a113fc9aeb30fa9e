"""Counts in words, shared by the app's toasts, the Failed screen and the campaign composer."""

from __future__ import annotations


def messages(count: int) -> str:
    """``1 message``, ``2 messages``."""
    return f"{count} message{'' if count == 1 else 's'}"


def recipients(count: int) -> str:
    """``1 recipient``, ``1,200 recipients``."""
    return f"{count:,} recipient{'' if count == 1 else 's'}"


def fans(count: int) -> str:
    """``1 fan``, ``100,000 fans``."""
    return f"{count:,} fan{'' if count == 1 else 's'}"


def could_not_send(count: int) -> str:
    """The toast for messages the sender gave up on."""
    return f"{messages(count)} could not be sent: see Failed messages"
