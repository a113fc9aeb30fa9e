"""A conversation opened in the inbox from another screen (Failed, the fans), a part of
``InboxScreen`` kept apart for size: the list's filters kept where they list it.

Unread only, it is listed through ``InboxFilter.keep`` (read, as the one open always is).
Each other filter is kept unless it hides the conversation; those that do are cleared,
and named in one notice ("Filters cleared to show Hiroshi K.: purchased, tag vip").
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import work
from textual.message import Message
from textual.worker import Worker, WorkerState

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.inbox_list import narrowing
from ofcrm_tui.tui.screens.inbox_reads import InboxReads


def hiding(db: Database, account_id: int, flt: InboxFilter,
           conversation_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Those of ``narrowing(flt)`` that leave the conversation out of the list (each one
    tried alone once all of them together do: they narrow it together)."""
    if inbox.position_of(db, account_id, replace(flt, unread_only=False, keep=None),
                         conversation_id) is not None:
        return []
    plain = InboxFilter(order=flt.order, me=flt.me)
    return [(name, fields) for name, fields in narrowing(flt)
            if inbox.position_of(db, account_id, replace(plain, **fields), conversation_id)
            is None]


class InboxOpen(InboxReads):
    """``InboxScreen``'s ``open_conversation`` (its only subclass, which opens rows)."""

    # The conversation asked to be opened, until the filters that hide it are known.
    _placing: int | None = None

    class Placed(Message):
        """The conversation to open, its fan's name (None: it is gone) and the filters
        that hide it: (name, fields)."""

        def __init__(self, conversation_id: int, name: str | None,
                     hidden: list[tuple[str, dict[str, Any]]]) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.name = name
            self.hidden = hidden

    def holds_keys(self) -> bool:
        """The keys typed behind the open wait for it (as for any open)."""
        return self._placing is not None or super().holds_keys()

    def open_conversation(self, conversation_id: int) -> None:
        """Show the conversation in the list, filtered as it is where that lists it
        (the filters that hide it cleared, and said), and open it."""
        account = self.ofcrm.account
        if account is None:
            return
        self._placing = conversation_id
        self._place(account.id, self.flt, conversation_id)

    @work(thread=True, group="place", exclusive=True, exit_on_error=False)
    def _place(self, account_id: int, flt: InboxFilter, conversation_id: int) -> None:
        db = self.ofcrm.context.db
        rows = inbox.conversation_rows(db, account_id, [conversation_id], me=self.me)
        if not rows:
            self.post_message(self.Placed(conversation_id, None, []))
            return
        hidden = hiding(db, account_id, flt, conversation_id)
        self.post_message(self.Placed(conversation_id, rows[0].display_name, hidden))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "place" and event.state is WorkerState.ERROR:
            self._placing = None  # nothing comes: the keys held go on

    def on_inbox_open_placed(self, message: Placed) -> None:
        if message.conversation_id != self._placing:
            return  # another one asked for since
        self._placing = None
        if message.name is None:
            self.notify("That conversation is no longer in the inbox", severity="warning")
            return
        cleared = InboxFilter(order=self.flt.order, me=self.flt.me)
        flt = self.flt
        for _name, fields in message.hidden:
            flt = replace(flt, **{field: getattr(cleared, field) for field in fields})
        self.flt = replace(flt, keep=message.conversation_id if flt.unread_only else None)
        if message.hidden:
            names = ", ".join(name for name, _ in message.hidden)
            filters = "Filters" if len(message.hidden) > 1 else "Filter"
            self.notify(clean(f"{filters} cleared to show {message.name}: {names}",
                              single_line=True), markup=False)
        self._open_first = self._open
        self._show_list(keep_id=message.conversation_id)
