"""The conversation list: one account's conversations through the inbox filter, two
lines each, on the virtual paging list (``paged_list.py``). Team mode adds who else is
on a conversation (after the name) and who owns it (after the preview)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual.strip import Strip

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.core.team import Present
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, local_now, short_time
from ofcrm_tui.tui.widgets.message_block import sent_by_me
from ofcrm_tui.tui.widgets.paged_list import PagedList

# Fans who have spent this much get the "$" marker.
SPENDER_CENTS = 100_00
# A chatter's name in a row is cut to this many cells.
NAME_CELLS = 10


def short_name(name: str) -> str:
    """A chatter's name for a list row: literal, one line, at most ``NAME_CELLS``."""
    text = Text(clean(name, single_line=True))
    text.truncate(NAME_CELLS, overflow="ellipsis")
    return text.plain


def _sender(sent_by: str | None, me: str) -> str:
    """Who sent an outbound message, before its preview: "You: " for this chatter's (or
    one sent outside ofcrm), another chatter's name."""
    if sent_by_me(sent_by, me):
        return "You: "
    return f"{short_name(sent_by or '')}: "


def preview_text(row: ConversationRow, me: str) -> str:
    """The row's second line before the owner and the unread count: the last message
    (after who sent it, when not the fan), or the failed message written after it."""
    if row.failed is not None and row.failed_last:
        return _sender(row.failed.created_by, me) + clean(row.failed.preview, single_line=True)
    sender = _sender(row.last_sent_by, me) if row.last_direction == "out" else ""
    return sender + clean(row.preview, single_line=True)


@dataclass(frozen=True)
class InboxSource:
    """What the list shows: one account's conversations through one filter."""

    db: Database
    account_id: int
    flt: InboxFilter = InboxFilter()

    def window(
        self, offset: int, limit: int, anchor: ConversationRow | None
    ) -> list[ConversationRow]:
        return inbox.conversations_window(
            self.db, self.account_id, self.flt, offset, limit, anchor=anchor)

    def count(self) -> int:
        return inbox.count_conversations(self.db, self.account_id, self.flt)

    def position(self, key: int) -> int | None:
        return inbox.position_of(self.db, self.account_id, self.flt, key)

    def key(self, row: ConversationRow) -> int:
        return row.conversation_id


class ConversationList(PagedList[ConversationRow]):
    """Two lines per conversation: name, markers and time; preview and unread count."""

    ROW_HEIGHT = 2
    COMPONENT_PREFIX = "conversation-list"
    # Scrolled down, the highlighted conversation keeps its screen line as others
    # arrive above it, out of sight: the title counts them (``RowView.above``). At the top,
    # they come into sight and it goes down with its own row (``page_reads.place``).
    COMPONENT_CLASSES = {
        "conversation-list--cursor",
        "conversation-list--open",
        "conversation-list--unread",
        "conversation-list--preview",
        "conversation-list--time",
        "conversation-list--badge",
        "conversation-list--spender",
        "conversation-list--tagged",
        "conversation-list--draft",
        "conversation-list--failed",
        "conversation-list--placeholder",
        "conversation-list--present",
        "conversation-list--typing",
        "conversation-list--owner",
        "conversation-list--mine",
    }

    class Opened(PagedList.Opened):
        """The chatter opened a conversation (enter, a click)."""

        row: ConversationRow

    class Listed(PagedList.Listed):
        """The list (re)loaded: its first rows are in (the count may follow)."""

    class Counted(PagedList.Counted):
        """The exact count is in: ``count`` conversations match the filter."""

    class Above(PagedList.Above):
        """``count`` conversations are above the view now (scrolled, or arrived there)."""

    source: InboxSource | None

    def __init__(
        self, *, clock: Clock = local_now, me: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.me = me  # this chatter: conversations they own are marked as theirs
        # Other chatters on each conversation (team mode), from the presence beats.
        self.presence: dict[int, tuple[Present, ...]] = {}
        # The key that clears the filters, as the screen's keymap names it: an empty list
        # that filters says it under its own line (the list is too narrow for both on one).
        self.clear_key = ""

    def mark_read(self, conversation_id: int) -> None:
        """Show a conversation as read at once; the next reload confirms it from the DB."""
        self.patch_row(conversation_id, unread_count=0)

    def mark_draft(self, conversation_id: int, present: bool) -> None:
        """Show (or stop showing) a conversation's draft marker at once."""
        self.patch_row(conversation_id, has_draft=present)

    def show_presence(self, presence: dict[int, tuple[Present, ...]]) -> None:
        """Who else is on which conversation now; repaints the rows that changed."""
        previous, self.presence = self.presence, presence
        for key in set(previous) | set(presence):
            if previous.get(key) != presence.get(key):
                self._refresh_key(key)

    # -- drawing -------------------------------------------------------------------

    def no_rows_text(self) -> str:
        flt = self.source.flt if self.source else InboxFilter()
        return "No conversations match" if flt.filtering else "No conversations yet"

    def _clears_text(self) -> str | None:
        """``x clears the filters`` (the search, when only a search), for an empty list
        that filters; else None."""
        flt = self.source.flt if self.source else InboxFilter()
        if self.count or self._first_load or not self.clear_key or not flt.filtering:
            return None
        what = "filters" if replace(flt, query=None).filtering else "search"
        return f"{self.clear_key} clears the {what}"

    def render_line(self, y: int) -> Strip:
        clears = self._clears_text()
        if clears is None or y + int(self.scroll_offset.y) != 2:  # under the empty text
            return super().render_line(y)
        width = self._width()
        text = Text(clears.center(width), style=self._style("placeholder"))
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(text.render(self.app.console), width).apply_style(self.rich_style)

    def render_row(self, row: ConversationRow, part: int, width: int) -> Text:
        return self._head(row, width) if part == 0 else self._preview(row, width)

    def _gutter(
        self, row: ConversationRow, marks: tuple[str, str], styles: tuple[str, str]
    ) -> Text:
        """The open-conversation bar and the two marker columns."""
        text = Text()
        text.append("▌" if row.conversation_id == self.open_id else " ", self._style("open"))
        text.append(marks[0], self._style(styles[0]))
        text.append(marks[1], self._style(styles[1]))
        return text

    def _head(self, row: ConversationRow, width: int) -> Text:
        spender = row.total_spent_cents >= SPENDER_CENTS
        marks = ("$" if spender else " ", "#" if row.tags else " ")
        text = self._gutter(row, marks, ("spender", "tagged"))
        # The time the list is sorted on: the times read newest first, top to bottom.
        order = self.source.flt.order if self.source else InboxFilter().order
        when = short_time(row.sorted_at(order), self.clock())
        here = self._here(row.conversation_id)
        name = Text(clean(row.display_name, single_line=True),
                    style=self._style("unread") if row.unread_count else "")
        name.truncate(max(1, width - len(text) - len(when) - here.cell_len - 1),
                      overflow="ellipsis", pad=True)
        text.append_text(name)
        text.append_text(here)
        text.append(" " + when, self._style("time"))
        return text

    def _here(self, conversation_id: int) -> Text:
        """Who else is on it: ``●sam`` (viewing) or ``●sam…`` (typing), ``+1`` for more."""
        people = self.presence.get(conversation_id, ())
        if not people:
            return Text()
        first = min(people, key=lambda p: (not p.typing, p.chatter))
        style = self._style("typing" if first.typing else "present")
        text = Text(" ●", style)
        text.append(short_name(first.chatter) + ("…" if first.typing else ""), style)
        if len(people) > 1:
            text.append(f"+{len(people) - 1}", style)
        return text

    def _owner(self, row: ConversationRow) -> Text:
        if row.owner is None:
            return Text()
        if row.owner == self.me:
            return Text(" →you", self._style("mine"))
        return Text(" →" + short_name(row.owner), self._style("owner"))

    def _preview(self, row: ConversationRow, width: int) -> Text:
        badge = f" {row.unread_count} " if row.unread_count else ""
        # Under the spend marker: a pencil for a draft left in the conversation; under
        # the tag marker: a cross for a message to the fan that failed (the thread's
        # "✗ failed"), until it is retried or discarded.
        marks = ("✎" if row.has_draft else " ", "✗" if row.failed else " ")
        text = self._gutter(row, marks, ("draft", "failed"))
        body = Text(preview_text(row, self.me),
                    style=self._style("failed" if row.failed_last else "preview"))
        owner = self._owner(row)
        body.truncate(max(1, width - len(text) - len(badge) - owner.cell_len - 1),
                      overflow="ellipsis", pad=True)
        text.append_text(body)
        text.append_text(owner)
        text.append(" ")
        text.append(badge, self._style("badge"))
        return text
