"""The inbox's read marks, a part of ``InboxScreen`` kept apart for size: a conversation
marked read here and on the platform (opened, or gone into while shown unread) and
marked unread again (``M``, here only: the platform has no such mark)."""

from __future__ import annotations

import logging

from textual import events, work
from textual.message import Message

from ofcrm_tui.core import inbox
from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import PlatformError, Unreachable
from ofcrm_tui.tui.screens.inbox_list import InboxList
from ofcrm_tui.tui.screens.inbox_team import no_target
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.widgets.thread_view import ThreadView

log = logging.getLogger(__name__)

UNREACHABLE_READ = "Read here only: the platform is unreachable"


class InboxReads(InboxList):
    """The read marks of ``InboxScreen`` (its only subclass, which opens rows and binds
    their keys)."""

    class ActionFailed(Message):
        """A worker's action was refused; ``reason`` is a one-line message for the user."""

        def __init__(self, reason: str, *, quiet: bool = False) -> None:
            super().__init__()
            self.reason = reason
            self.quiet = quiet

    class MarkedRead(Message):
        """A conversation's unread count is zero in the database now."""

        def __init__(self, conversation_id: int, *, refresh: bool) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.refresh = refresh

    class MarkedUnread(Message):
        """A conversation is unread in the database now, with ``unread_count`` messages."""

        def __init__(self, conversation_id: int, unread_count: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.unread_count = unread_count

    def __init__(self) -> None:
        super().__init__()
        # The open conversation, when it is unread and shown unread (a search match, or
        # one marked unread while open).
        self._open_unread: int | None = None
        self._warned_quietly = False
        # Marked read, not yet shown as read in the list (that goes with the open's frame).
        self._read_unshown: set[int] = set()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The chatter goes into the thread or the reply of a conversation shown unread
        (``r``, ``tab``, a click): now it is read."""
        account, conversation_id = self.ofcrm.account, self._open_unread
        if (conversation_id is None or account is None
                or not isinstance(event.widget, (ThreadView, Composer))):
            return
        self._open_unread = None
        self.conversations.mark_read(conversation_id)
        self._mark_read(account, conversation_id)

    @work(thread=True, group="mark-read", exit_on_error=False)
    def _mark_read(
        self, account: AccountInfo, conversation_id: int, *, refresh: bool = False
    ) -> None:
        """Mark the chat read here, then on the platform; ``refresh``: reload the list
        once the local mark is in (so it never shows the unread count it replaced), or
        failed."""
        keyless = self.ofcrm.keyless  # a worker marks it read on the platform
        try:
            user_id = inbox.mark_read_locally(self.ofcrm.context.db, account.id,
                                              conversation_id, for_workers=keyless)
        finally:
            self.post_message(self.MarkedRead(conversation_id, refresh=refresh))
        if keyless:
            return
        try:
            self.ofcrm.platform(account).mark_as_read(user_id)
        except Unreachable as exc:
            # The status bar says the platform is unreachable; the log keeps the rest.
            log.warning("chat %s not marked read on the platform: %s", user_id, exc)
            self.post_message(self.ActionFailed(UNREACHABLE_READ, quiet=True))
        except (PlatformError, OfcrmError) as exc:
            reason = f"could not mark the chat read on the platform: {exc}"
            self.post_message(self.ActionFailed(reason, quiet=True))

    def on_inbox_reads_marked_read(self, message: MarkedRead) -> None:
        self._unread_changed()
        if message.refresh:
            self._refresh_list()

    def _unread_changed(self) -> None:
        """A read mark changed the unread count: the status bar's and the list title's."""
        self.ofcrm.status_reads.load()
        self._recount_unread()

    def action_mark_unread(self) -> None:
        """The ``target_row``'s conversation unread again. Open, it stays shown, as a
        search's match is: unread until the chatter opens it again (enter) or goes into
        its thread or reply (the focus goes back to the list), whatever comes in."""
        row, account = self.target_row, self.ofcrm.account
        if row is None or account is None:
            self.notify(no_target(self), severity="warning")
            return
        if self.open_row is not None and row.conversation_id == self.open_row.conversation_id:
            self._open_unread = row.conversation_id
            self.set_focus(self.conversations)
        self._mark_unread(account.id, row.conversation_id)

    @work(thread=True, group="mark-read", exit_on_error=False)
    def _mark_unread(self, account_id: int, conversation_id: int) -> None:
        try:
            unread_count = inbox.mark_unread_locally(self.ofcrm.context.db, account_id,
                                                     conversation_id)
        except OfcrmError as exc:
            self.post_message(self.ActionFailed(f"not marked unread: {exc}"))
            return
        self.post_message(self.MarkedUnread(conversation_id, unread_count))

    def on_inbox_reads_marked_unread(self, message: MarkedUnread) -> None:
        if self.conversations.source is not None:
            self.conversations.patch_row(message.conversation_id,
                                         unread_count=message.unread_count)
        self._unread_changed()

    def on_inbox_reads_action_failed(self, message: ActionFailed) -> None:
        if message.quiet:
            if self._warned_quietly:
                return
            self._warned_quietly = True
        self.notify(message.reason, severity="warning" if message.quiet else "error", markup=False)
