"""One read of the status line, with a look at what other processes wrote (in a
thread worker: ``read`` returns the message the app is posted).

The queue, the send budget, the last poll and the unread count make the status bar;
``core.watch.look`` the news the app publishes (``follow``). A database that refuses
this role the account (taken off the team, or the account taken from it) makes an
``AccessLost`` instead: one line, no traceback, nothing more read on a timer.
"""

from __future__ import annotations

from datetime import datetime

from textual.message import Message

from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access, inbox, outbox, watch
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.tui.widgets.status_bar import StatusInfo


class StatusLoaded(Message):
    def __init__(
        self, account_id: int, status: StatusInfo, polled: bool, read: int,
        mark: watch.Mark, moves: watch.Moves | None,
    ) -> None:
        super().__init__()
        self.account_id = account_id
        self.info = status
        self.polled = polled
        self.read = read  # its number (``Follow.read_started``)
        self.mark = mark
        self.moves = moves


class AccessLost(Message):
    """The database refused this role the account (``reason``, one line)."""

    def __init__(self, account_id: int, reason: str) -> None:
        super().__init__()
        self.account_id = account_id
        self.reason = reason


def read(
    context: AppContext, account: AccountInfo, now: datetime, mark: watch.Mark | None,
    number: int, *, workers_send: bool,
) -> StatusLoaded | AccessLost:
    """(thread) Read number ``number``, looking from ``mark``."""
    db = context.db
    try:
        queue = outbox.queue_status(
            db, account.id, reply_reserve_per_minute=context.settings.reply_reserve_per_minute,
            now=now,
        )
        unread = inbox.count_conversations(db, account.id, inbox.InboxFilter(unread_only=True))
        mark, moves = watch.look(db, account.id, mark, queue.counts)
    except Exception as exc:
        lost = access.refusal(exc) or (exc if isinstance(exc, outbox.NoAccount) else None)
        if lost is None:
            raise
        return AccessLost(account.id, str(lost))
    info = StatusInfo(
        account=account.name,
        workers_send=workers_send,
        last_poll_at=queue.last_poll_at,
        sync_error=queue.auth_error,
        queue_depth=queue.depth,
        sends_left=queue.budget_left,
        send_limit=queue.limit,
        failed=queue.counts.get("failed", 0),
        blocked_until=queue.blocked_until,
        next_send_at=queue.next_send_at,
        unread=unread,
        unreachable_retry_at=queue.outage.retry_at if queue.outage else None,
    )
    return StatusLoaded(account.id, info, queue.last_poll_ok, number, mark, moves)
