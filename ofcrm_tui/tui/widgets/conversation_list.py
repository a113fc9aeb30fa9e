"""The conversation list: a virtual list over SQL, so 100,000 chats open like 100.

The list is as tall as its row count (``virtual_size``). Rows come from a small
cache of keyset pages that thread workers fill; ``render_line`` never waits for
one and draws a placeholder until it arrives. A reload shows its first rows before
it knows the count: an exact count may cost tens of ms (a PostgreSQL scan of 100k
rows, a search for a common word) while the rows take a few; until the count is in,
the list is as tall as the rows it has. Every reload bumps ``generation`` so pages
and counts of an older query can never land in a newer list.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, local_now, short_time
from ofcrm_tui.tui.widgets.styling import span_style

ROW_HEIGHT = 2
PAGE_SIZE = 100
MAX_PAGES = 12
# The kept conversation's position and the rows are separate reads: when they disagree
# (the list changed in between), read again, this many times at most.
RELOAD_TRIES = 3
# Fans who have spent this much get the "$" marker.
SPENDER_CENTS = 100_00


@dataclass(frozen=True)
class InboxSource:
    """What the list shows: one account's conversations through one filter."""

    db: Database
    account_id: int
    flt: InboxFilter = InboxFilter()


@dataclass(frozen=True)
class _Snapshot:
    """A view of the list, loaded in one worker run."""

    count: int  # exact, or (``counted`` False) the count before the reload or the rows read
    counted: bool
    cursor: int
    top: int
    pages: dict[int, list[ConversationRow]]


def _place(cursor: int, page_rows: int, keep: tuple[int, int] | None) -> int:
    """The top row to show: the cursor in view on a fresh load; on a refresh, the
    cursor's row on the screen line it had, or the top kept if the list was there."""
    if keep is None:
        top = 0 if cursor < page_rows - 1 else cursor - page_rows // 3
    else:
        old_cursor, old_top = keep
        top = old_top + cursor - old_cursor
        if old_top == 0 and cursor < page_rows - 1:
            top = 0
    return max(0, top)


def _load(
    source: InboxSource,
    keep_id: int | None,
    keep: tuple[int, int] | None,
    page_rows: int,
    known: int | None,
) -> tuple[_Snapshot, bool]:
    """The rows to show (around ``keep_id`` if it is listed), and whether the kept
    conversation is at the position found for it (False: the list changed between the
    reads, e.g. a sync committed; read again). ``known``: the list's exact count before
    this reload, kept until the new one is in (so a refresh never shrinks the list)."""
    db, account_id, flt = source.db, source.account_id, source.flt
    found = inbox.position_of(db, account_id, flt, keep_id) if keep_id is not None else None
    wanted = found if found is not None else (keep[0] if keep else 0)
    top = _place(wanted, page_rows, keep)
    pages: dict[int, list[ConversationRow]] = {}
    if top + page_rows < PAGE_SIZE and wanted < PAGE_SIZE:
        # All on the first page: show it now, count afterwards.
        pages[0] = inbox.conversations_window(db, account_id, flt, 0, PAGE_SIZE)
        counted = len(pages[0]) < PAGE_SIZE  # a short first page is the whole list
        count = len(pages[0]) if counted else max(len(pages[0]), known or 0)
    else:
        counted, count = True, inbox.count_conversations(db, account_id, flt)
    position = found if found is not None else min(wanted, max(count - 1, 0))
    top = min(top, max(count - 1, 0))
    for page in range(top // PAGE_SIZE, (top + page_rows) // PAGE_SIZE + 1):
        if page not in pages and page * PAGE_SIZE < count:
            previous = pages.get(page - 1)
            pages[page] = inbox.conversations_window(
                db, account_id, flt, page * PAGE_SIZE, PAGE_SIZE,
                anchor=previous[-1] if previous else None,
            )
    snapshot = _Snapshot(count, counted, position, top, pages)
    page = pages.get(found // PAGE_SIZE) if found is not None else None
    if found is None or page is None:
        return snapshot, True
    index = found % PAGE_SIZE
    return snapshot, index < len(page) and page[index].conversation_id == keep_id


class ConversationList(ScrollView, can_focus=True):
    """Two lines per conversation: name, markers and time; preview and unread count."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False),
        Binding("g,home", "first", "First", id="list.first", show=False),
        Binding("G,end", "last", "Last", id="list.last", show=False),
        Binding("pagedown,space", "page_down", "Page down", id="list.page_down", show=False),
        Binding("pageup", "page_up", "Page up", id="list.page_up", show=False),
        Binding("enter", "open", "Open", id="list.open"),
    ]

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
        "conversation-list--placeholder",
    }

    class Opened(Message):
        """The chatter opened a conversation (enter, next unread, n/N)."""

        def __init__(self, row: ConversationRow) -> None:
            super().__init__()
            self.row = row

    class Listed(Message):
        """The list (re)loaded: its first rows are in (the count may follow)."""

    class Counted(Message):
        """The exact count is in: ``count`` rows match the filter."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class PageLoaded(Message):
        """(internal) A worker fetched one page of rows."""

        def __init__(self, generation: int, page: int, rows: list[ConversationRow]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    class Reloaded(Message):
        """(internal) A worker reloaded cursor position and visible rows (and maybe
        the count)."""

        def __init__(self, generation: int, snapshot: _Snapshot) -> None:
            super().__init__()
            self.generation = generation
            self.snapshot = snapshot

    class CountLoaded(Message):
        """(internal) The exact count of a reload that showed its rows first."""

        def __init__(self, generation: int, count: int) -> None:
            super().__init__()
            self.generation = generation
            self.count = count

    def __init__(self, *, clock: Clock = local_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.source: InboxSource | None = None
        self.generation = 0
        self.count = 0
        self.cursor = 0
        self.open_id: int | None = None
        self._pages: OrderedDict[int, list[ConversationRow]] = OrderedDict()
        self._loading: set[int] = set()
        # enter on a row whose page is still loading: open it when it arrives
        self._open_when_loaded = False
        self._first_load = False  # show() called, its rows not in yet
        self.counted = False  # the count is exact (not just the rows known so far)

    # -- what the rest of the screen asks ------------------------------------------

    @property
    def cursor_row(self) -> ConversationRow | None:
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> ConversationRow | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None or index % PAGE_SIZE >= len(page):
            return None
        return page[index % PAGE_SIZE]

    @property
    def loaded(self) -> bool:
        """True once the current query's visible rows are in (see ``counted``)."""
        return not self._first_load and not self._loading and all(
            p in self._pages for p in self._visible_pages())

    # -- loading -------------------------------------------------------------------

    def show(self, source: InboxSource, *, keep_id: int | None = None) -> None:
        """Show ``source`` from the top, or around ``keep_id`` if it matches."""
        self.source = source
        self.generation += 1
        self._pages.clear()
        self._loading.clear()
        self._first_load = True
        self.count = 0
        self.counted = False
        self.refresh()
        self._open_when_loaded = False
        self._reload(self.generation, source, keep_id, None, self._page_rows(), None)

    def refresh_rows(self) -> None:
        """New data arrived: reload count and rows, keeping the cursor's conversation
        on the same screen line (or the list at the top, if it was there)."""
        if self.source is None:
            return
        self.generation += 1
        row = self.cursor_row
        keep = (self.cursor, self._top_row()) if row else None
        self._reload(self.generation, self.source, row.conversation_id if row else None,
                     keep, self._page_rows(), self.count if self.counted else None)

    @work(thread=True, group="conversation-list-reload", exclusive=True, exit_on_error=False)
    def _reload(
        self,
        generation: int,
        source: InboxSource,
        keep_id: int | None,
        keep: tuple[int, int] | None,
        page_rows: int,
        known: int | None,
    ) -> None:
        for _ in range(RELOAD_TRIES):
            snapshot, settled = _load(source, keep_id, keep, page_rows, known)
            if settled:
                break
        self.post_message(self.Reloaded(generation, snapshot))
        if not snapshot.counted:
            count = inbox.count_conversations(source.db, source.account_id, source.flt)
            self.post_message(self.CountLoaded(generation, count))

    def on_conversation_list_reloaded(self, message: Reloaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        snap = message.snapshot
        self._pages = OrderedDict(snap.pages)
        self._loading.clear()
        self._first_load = False
        self.cursor = snap.cursor
        self._set_count(snap.count, snap.counted)
        self.scroll_to(y=snap.top * ROW_HEIGHT, animate=False, immediate=True, force=True)
        self.refresh()
        self.post_message(self.Listed())
        if self._open_when_loaded:
            self.action_open()

    def on_conversation_list_count_loaded(self, message: CountLoaded) -> None:
        message.stop()
        if message.generation == self.generation:
            self._set_count(message.count, True)

    def _set_count(self, count: int, counted: bool) -> None:
        self.count, self.counted = count, counted
        self.cursor = max(0, min(self.cursor, count - 1))
        self._size_to_count()
        self.refresh()
        if counted:
            self.post_message(self.Counted(count))
        self._fetch_visible()

    def _fetch_visible(self) -> None:
        for page in self._visible_pages():
            self._want(page)

    def _want(self, page: int) -> None:
        if self.source is None or page in self._pages or page in self._loading:
            return
        self._loading.add(page)
        anchor_page = self._pages.get(page - 1)
        anchor = anchor_page[-1] if anchor_page else None
        self._load_page(self.generation, self.source, page, anchor)

    @work(thread=True, group="conversation-list-pages", exit_on_error=False)
    def _load_page(
        self, generation: int, source: InboxSource, page: int, anchor: ConversationRow | None
    ) -> None:
        rows = inbox.conversations_window(
            source.db, source.account_id, source.flt, page * PAGE_SIZE, PAGE_SIZE, anchor=anchor
        )
        self.post_message(self.PageLoaded(generation, page, rows))

    def on_conversation_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        self._loading.discard(message.page)
        self._pages[message.page] = message.rows
        visible = set(self._visible_pages())
        while len(self._pages) > MAX_PAGES:
            oldest = next((p for p in self._pages if p not in visible), None)
            if oldest is None:
                break
            del self._pages[oldest]
        self.refresh()
        if self._open_when_loaded:
            self.action_open()

    # -- geometry ------------------------------------------------------------------

    def _page_rows(self) -> int:
        return max(1, self.container_size.height // ROW_HEIGHT + 1)

    def _top_row(self) -> int:
        return int(self.scroll_offset.y) // ROW_HEIGHT

    def _visible_pages(self) -> list[int]:
        if not self.count:
            return []
        first = self._top_row()
        last = min(self.count - 1, first + self._page_rows())
        return list(range(first // PAGE_SIZE, last // PAGE_SIZE + 1))

    def on_focus(self) -> None:
        self.refresh()  # the cursor is drawn differently with focus

    def on_blur(self) -> None:
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._fetch_visible()

    def _size_to_count(self) -> None:
        # A spare line when the view's height is odd, so scrolled to the end it starts
        # with a whole row.
        spare = self.container_size.height % ROW_HEIGHT if self.count else 0
        self.virtual_size = Size(0, self.count * ROW_HEIGHT + spare)

    def on_resize(self) -> None:
        self._size_to_count()
        self._fetch_visible()

    # -- cursor --------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if not self.count:
            return
        old = self.cursor
        self._open_when_loaded = False
        self.cursor = max(0, min(index, self.count - 1))
        self.refresh_lines(old * ROW_HEIGHT, ROW_HEIGHT)
        self.refresh_lines(self.cursor * ROW_HEIGHT, ROW_HEIGHT)
        # Scroll by whole rows, so the top line is always a row's first line.
        fit = max(1, self.container_size.height // ROW_HEIGHT)
        top = min(self._top_row(), self.cursor)
        top = max(top, self.cursor - fit + 1)
        self.scroll_to(y=top * ROW_HEIGHT, animate=False, immediate=True, force=True)
        self._fetch_visible()

    def mark_open(self, conversation_id: int | None) -> None:
        previous, self.open_id = self.open_id, conversation_id
        # Only the two rows whose bar changes: repainting the whole list would delay
        # the frame that shows the opened thread.
        for changed in {previous, conversation_id} - {None}:
            self._refresh_conversation(changed)

    def mark_read(self, conversation_id: int) -> None:
        """Show a conversation as read at once; the next reload confirms it from the DB."""
        self._patch(conversation_id, unread_count=0)

    def mark_draft(self, conversation_id: int, present: bool) -> None:
        """Show (or stop showing) a conversation's draft marker at once."""
        self._patch(conversation_id, has_draft=present)

    def _patch(self, conversation_id: int, **changes: object) -> None:
        for page in self._pages.values():
            for index, row in enumerate(page):
                if row.conversation_id == conversation_id:
                    page[index] = replace(row, **changes)  # type: ignore[arg-type]
        self._refresh_conversation(conversation_id)

    def _refresh_conversation(self, conversation_id: int | None) -> None:
        """Repaint the rows showing ``conversation_id`` (if loaded)."""
        for number, page in self._pages.items():
            for index, row in enumerate(page):
                if row.conversation_id == conversation_id:
                    self.refresh_lines((number * PAGE_SIZE + index) * ROW_HEIGHT, ROW_HEIGHT)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.count - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self._page_rows() - 1)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self._page_rows() + 1)

    def action_open(self) -> None:
        row = self.cursor_row
        # A row still loading opens when it arrives; an empty list has none to wait for.
        self._open_when_loaded = row is None and (self._first_load or self.count > 0)
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + int(self.scroll_offset.y)) // ROW_HEIGHT
        if index < self.count:
            self.move_to(index)
            self.action_open()

    # -- drawing -------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return span_style(self, f"conversation-list--{name}")

    def _width(self) -> int:
        return self.container_size.width - self.scrollbar_size_vertical

    def render_line(self, y: int) -> Strip:
        width = self._width()
        line = y + int(self.scroll_offset.y)
        index, part = divmod(line, ROW_HEIGHT)
        if index >= self.count and (self.count or line != 1):
            return Strip.blank(width, self.rich_style)
        if not self.count:
            text = Text(self.empty_text.center(width), style=self._style("placeholder"))
        elif (row := self.row_at(index)) is None:
            text = Text("  …" if part == 0 else "", style=self._style("placeholder"))
        else:
            text = self._head(row, width) if part == 0 else self._preview(row, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        if self.count and index == self.cursor:
            # Under the spans, so the badge keeps its colour.
            text.style = self.get_component_rich_style("conversation-list--cursor")
        return Strip(text.render(self.app.console), width).apply_style(self.rich_style)

    @property
    def empty_text(self) -> str:
        if self._first_load:
            return "Loading…"
        flt = self.source.flt if self.source else InboxFilter()
        return "No conversations match" if flt != InboxFilter() else "No conversations yet"

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
        when = short_time(row.last_message_at, self.clock())
        name = Text(clean(row.display_name, single_line=True),
                    style=self._style("unread") if row.unread_count else "")
        name.truncate(max(1, width - len(text) - len(when) - 1), overflow="ellipsis", pad=True)
        text.append_text(name)
        text.append(" " + when, self._style("time"))
        return text

    def _preview(self, row: ConversationRow, width: int) -> Text:
        badge = f" {row.unread_count} " if row.unread_count else ""
        # Under the spend marker: a pencil for a draft left in the conversation.
        text = self._gutter(row, ("✎" if row.has_draft else " ", " "), ("draft", "draft"))
        preview = ("You: " if row.last_direction == "out" else "") + clean(
            row.preview, single_line=True)
        body = Text(preview, style=self._style("preview"))
        body.truncate(max(1, width - len(text) - len(badge) - 1), overflow="ellipsis", pad=True)
        text.append_text(body)
        text.append(" ")
        text.append(badge, self._style("badge"))
        return text
