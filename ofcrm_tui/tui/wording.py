"""Counts in words, shared by the app's toasts, the Failed screen and the campaign composer;
what a retry or a discard did, as the Failed and Campaigns screens say it."""

from __future__ import annotations

from textual.notifications import SeverityLevel

from ofcrm_tui.core import outbox
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


def could_not_send(count: int, *, listed: bool = False) -> str:
    """The toast for messages the sender gave up on; ``listed``: over the Failed screen,
    whose list shows them (it does not send the chatter to the screen they are on)."""
    said = f"{messages(count)} could not be sent"
    return said if listed else f"{said}: see Failed messages"


def retried_note(result: outbox.RetryResult) -> tuple[str, SeverityLevel]:
    """What a retry did, in one line."""
    left = []
    if result.over_limit:
        left.append(f"{messages(len(result.over_limit))} left failed: manual retries are "
                    f"limited to {outbox.MANUAL_RETRIES_PER_MINUTE} a minute, the next frees "
                    f"up in {result.wait_seconds} s")
    if result.expired:
        left.append(f"{messages(len(result.expired))} left failed: {result.expired_reason}")
    if result.held:
        left.append(f"{messages(len(result.held))} left failed: {result.held_reason}")
    left += _left_out(result.needs_right, result.not_failed, result.unchanged)
    if not result.retried:
        return "; ".join(left) or "Nothing to retry", "warning"
    done = ("Queued again" if len(result.retried) == 1 and not left
            else f"Queued again: {messages(len(result.retried))}")
    return "; ".join([done, *left]), "warning" if left else "information"


def _left_out(needs_right: list[int], gone: list[int], unchanged: list[int]) -> list[str]:
    """What a retry or a discard left out: campaign rows without the right, rows no
    longer failed, rows the database changed none of."""
    left = []
    if needs_right:
        left.append(f"{outbox.needs_right(len(needs_right))}, left failed")
    if gone:
        left.append(f"{messages(len(gone))} no longer failed")
    if unchanged:
        left.append(f"{messages(len(unchanged))} left as they were (the database changed "
                    "none of them)")
    return left


def discarded_note(result: outbox.DiscardResult) -> tuple[str, SeverityLevel, list[int]]:
    """What a discard did, in one line, and the ids discarded."""
    left = _left_out(result.needs_right, result.not_discardable, result.unchanged)
    done = (f"Discarded {messages(len(result.discarded))}" if result.discarded
            else "Nothing discarded")
    return "; ".join([done, *left]), "warning" if left else "information", result.discarded
