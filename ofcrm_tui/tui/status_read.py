"""The app's status reads, each with a look at what other processes wrote.

A read runs every ``STATUS_EVERY_SECONDS`` and right after every change published (the
next look then knows what the screens read), one at a time: one asked for meanwhile
starts as the last ends (``StatusReads``). In a thread worker (``read``), the queue, the
send budget, the last poll and the unread count make the status bar; ``core.watch.look``
the news the app publishes (``follow``). A database that refuses this role the account
(taken off the team, or the account taken from it) makes an ``AccessLost`` instead: one
line, no traceback, nothing more read on a timer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access, inbox, outbox, watch
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.widgets.status_bar import StatusInfo

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp

STATUS_EVERY_SECONDS = 2.0
# The workers that ask whether an error said the role lost the schema (``judge``).
JUDGED = "access-judged"


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
    """The database refused this role the account (``reason``, one line); ``team``: the
    role is off the team too (``access.off_the_team``), so no other account is readable."""

    def __init__(self, account_id: int, reason: str, *, team: bool) -> None:
        super().__init__()
        self.account_id = account_id
        self.reason = reason
        self.team = team


def access_lost(db: Database, account_id: int, exc: BaseException) -> AccessLost | None:
    """(thread) ``exc``, an error of work on the account, as ``AccessLost`` when the
    database refused this role the account (or no longer shows it: ``NoAccount``); None
    for any other error. Whether the role is off the team is asked then, once."""
    lost = access.lost(db, exc) or (exc if isinstance(exc, outbox.NoAccount) else None)
    if lost is None:
        return None
    return AccessLost(account_id, str(lost), team=access.off_the_team(db, exc) is not None)


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
        lost = access_lost(db, account.id, exc)
        if lost is None:
            raise
        return lost
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


class StatusReads:
    """When the app reads its status, and what it keeps of what comes back."""

    def __init__(self, app: OfcrmApp) -> None:
        self.app = app
        # What the last poll said went wrong, until one succeeds (job events set it).
        self.sync_error: str | None = None
        self._timer: Timer | None = None
        self._busy = False
        self._again = False
        self._asked = False

    def start(self) -> None:
        self._timer = self.app.set_interval(STATUS_EVERY_SECONDS, self.load)

    def pause(self) -> None:
        """Access was lost: nothing more is read on the timer (until ``resume``)."""
        if self._timer is not None:
            self._timer.pause()

    def resume(self) -> None:
        """Another account was opened after access was lost: read on the timer again."""
        if self._timer is not None:
            self._timer.resume()

    def load(self) -> None:
        """Read the status (and look for what others wrote); one read at a time, the
        next at once after it when asked for meanwhile."""
        app = self.app
        self._asked = False
        if app.account is None or app.cut_off is not None:
            return
        if self._busy:
            self._again = True
            return
        self._busy = True
        mark, number = app.follow.read_started()
        account, now, context = app.account, app.now_utc(), app.context
        app.run_worker(
            lambda: app.post_message(read(context, account, now, mark, number,
                                          workers_send=app.keyless)),
            thread=True, exclusive=True, group="status", exit_on_error=False,
        )

    def judge(self, error: BaseException) -> None:
        """A worker was told a table or a function does not exist (``access.unfound``):
        the database is asked, in a thread worker, whether this role lost the schema
        (``AccessLost``, said once) or the error is one to show (it fails the worker
        again, in the ``JUDGED`` group)."""
        app, account = self.app, self.app.account
        if account is None:
            return

        def ask() -> None:
            lost = access_lost(app.context.db, account.id, error)
            if lost is None:
                raise error
            app.post_message(lost)

        app.run_worker(ask, thread=True, group=JUDGED, exit_on_error=False)

    def finished(self) -> None:
        """A read ended (loaded or failed): the one asked for meanwhile starts."""
        self._busy = False
        if self._again:
            self._again = False
            self.load()

    def published(self, change: DataChanged) -> None:
        """Every change published, the app's own or what a look found: a read follows
        at once, so that the next look knows what the screens read."""
        self.app.follow.published(change)
        if not self._asked:
            self._asked = True
            self.app.call_next(self._if_asked)

    def _if_asked(self) -> None:
        if self._asked:  # (no read started since it was asked for)
            self.load()

    def loaded(self, message: StatusLoaded) -> DataChanged | None:
        """A read came back: the status bar's, and what others wrote since the last."""
        app = self.app
        if app.account is None or message.account_id != app.account.id:
            return None
        info = message.info
        if message.polled:
            self.sync_error = None
        if info.sync_error is None and self.sync_error:
            info = replace(info, sync_error=self.sync_error)
        app.status = info
        return app.follow.looked(message.read, message.mark, message.moves)
