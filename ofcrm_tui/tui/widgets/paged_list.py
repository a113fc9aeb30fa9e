"""A virtual list over SQL, so 100,000 rows open like 100: the base of every long list.

The list is as tall as its row count (``virtual_size``). Rows come from a small
cache of keyset pages (``page_cache``) that thread workers fill; ``render_line`` never
waits for one and draws a placeholder until it arrives. A reload shows its first rows before
it knows the count: an exact count may cost tens of ms (a PostgreSQL scan of 100k
rows, a search for a common word) while the rows take a few; until the count is in,
the list is as tall as the rows it has. Every reload bumps ``generation`` so pages
and counts of an older query can never land in a newer list.

How the rows held are laid on the screen and drawn is ``row_view``'s. A new list is
this base, a ``PageSource`` (its query: windows, count, positions) and ``render_row``
(how a row looks); see ``conversation_list.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events, work
from textual.actions import SkipAction
from textual.binding import Binding
from textual.message import Message

from ofcrm_tui.tui.widgets.page_reads import (
    END,
    PAGE_SIZE,
    RELOAD_TRIES,
    Kept,
    NoRows,
    PageSource,
    RowT,
    Snapshot,
    at,
    follow,
    load,
)
from ofcrm_tui.tui.widgets.row_view import RowView

# A screen's Enter for its list, for a screen that opens the list's rows as Enter is read
# (``PagedList.open_cursor`` in its ``action_open``): the list's binding id, so that a
# keymap moves both; shown and listed once, with the list's.
OPEN_AT_ONCE = Binding("enter", "open", "Open", id="list.open", show=False, system=True,
                       priority=True)
NO_ACCESS = "No access to this account"


class PagedList(RowView[RowT], can_focus=True):
    """Rows read over SQL, a cursor and an open row; subclasses redeclare ``Opened``,
    ``Listed``, ``Counted`` (and ``Above``, if their screen asks) so that a screen's
    handlers are named after the list (``on_conversation_list_opened``)."""

    # Acted on as the keys are read (priority), in the order typed: with a screen that
    # opens the row as Enter is read (``OPEN_AT_ONCE``), a burst of keys (j j enter r
    # hello) moves, opens, then goes on to what was opened. (Without, Enter still
    # posts ``Opened`` for the row it was read on.)
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", id="list.down", show=False, priority=True),
        Binding("k,up", "cursor_up", "Up", id="list.up", show=False, priority=True),
        Binding("g,home", "first", "First", id="list.first", show=False, priority=True),
        Binding("G,end", "last", "Last", id="list.last", show=False, priority=True),
        Binding("pagedown,space", "page_down", "Page down", id="list.page_down", show=False,
                priority=True),
        Binding("pageup", "page_up", "Page up", id="list.page_up", show=False, priority=True),
        Binding("enter", "open", "Open", id="list.open", priority=True),
    ]

    class Opened(Message):
        """The user opened a row (enter, a click)."""

        def __init__(self, row: Any) -> None:
            super().__init__()
            self.row = row

    class Listed(Message):
        """The list (re)loaded: its first rows are in (the count may follow)."""

    class Counted(Message):
        """The exact count is in: ``count`` rows match the query."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Above(Message):
        """The rows above the view changed in number (scrolled, or arrived there); the
        list's title says so (``RowView.above``)."""

    class PageLoaded(Message):
        """(internal) A worker fetched one page of rows."""

        def __init__(self, generation: int, page: int, rows: list[Any]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    class Reloaded(Message):
        """(internal) A worker reloaded cursor position and visible rows (and maybe
        the count)."""

        def __init__(self, generation: int, snapshot: Snapshot[Any]) -> None:
            super().__init__()
            self.generation = generation
            self.snapshot = snapshot

    class ReloadEnded(Message):
        """(internal) A reload's worker is done, its rows posted or not (an error)."""

        def __init__(self, generation: int) -> None:
            super().__init__()
            self.generation = generation

    class CountLoaded(Message):
        """(internal) The exact count of a reload that showed its rows first."""

        def __init__(self, generation: int, count: int) -> None:
            super().__init__()
            self.generation = generation
            self.count = count

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source: PageSource[RowT] | None = None
        self.generation = 0
        self.open_id: int | None = None
        # enter on a row whose page is still loading: open it with this when it arrives
        self._open_when_loaded: Callable[[RowT], object] | None = None
        # Moves read before the first rows are in (``3 j j`` typed fast), made once they are.
        self._moves_when_loaded: list[Callable[[], int]] = []
        self._first_load = False  # show() called, its rows not in yet
        self._show_around: int | None = None  # the row show() was asked to show
        self.counted = False  # the count is exact (not just the rows known so far)
        # Moves of the cursor, and how many there were when the last reload started: a
        # move made while it read wins over the row it was asked to keep.
        self._moves = 0
        self._moves_at_reload = 0
        # The row a filter change kept the cursor on, with the moves and what the screen
        # had open then (``refilter``); None once another query is shown.
        self._filter_kept: tuple[int | None, int, object] | None = None
        # Counted with no row: the keys that act on a row are not offered (the screens'
        # ``check_action``). Kept while a new query loads, so the footer does not flicker.
        self.empty = False
        # The account is out of reach (``let_go``), until another is opened
        # (``OfcrmScreen.reach``).
        self.cut_off = False
        # A refresh asked while a reload reads follows it (a timer and each drain threw
        # away every slow reload): the generation reading, and the refresh asked.
        self._reading: int | None = None
        self._refresh_again: tuple[bool, int | None] | None = None

    # -- what the rest of the screen asks ------------------------------------------

    @property
    def opens_later(self) -> bool:
        """An open asked for waits for its row's page (``open_with``)."""
        return self._open_when_loaded is not None

    @property
    def loaded(self) -> bool:
        """True once the current query's visible rows are in (see ``counted``)."""
        return not self._first_load and self._cache.holds(self._visible_pages())

    @property
    def empty_text(self) -> str:
        if self.cut_off:
            return NO_ACCESS
        return "Loading…" if self._first_load else self.no_rows_text()

    # -- loading -------------------------------------------------------------------

    def show(self, source: PageSource[RowT], *, keep_id: int | None = None) -> None:
        """Show ``source`` from the top, or around ``keep_id`` if it lists it."""
        self.source = source
        self.generation += 1
        self._cache.clear()
        self._first_load = True
        self.count = 0
        self.counted = False
        self.refresh()
        self._open_when_loaded = None
        self._moves_when_loaded.clear()
        self._show_around = keep_id
        self._moves_at_reload = self._moves
        self._filter_kept = None
        self._reading, self._refresh_again = self.generation, None
        self._reload(self.generation, self._asked(source), keep_id, None, self._page_rows(),
                     None)

    def refilter(self, source: PageSource[RowT], *, opened: object = None) -> None:
        """Show ``source``, the list's rows filtered anew, around the cursor's row; or,
        while neither the cursor has moved nor ``opened`` (what the screen has open)
        changed since the last filter change, around the row that one kept: a filter
        that hid it, taken back, finds the cursor on it again, not on the row it fell on
        (the inbox's ``m m m``, a fans filter set and cleared)."""
        kept = self._filter_kept
        if kept is None or kept[1:] != (self._moves, opened):
            row = self.cursor_row
            key = None if row is None or self.source is None else self.source.key(row)
            kept = (key, self._moves, opened)
        self.show(source, keep_id=kept[0])
        self._filter_kept = kept

    def refresh_rows(self, *, keep_place: bool = False, prefer: int | None = None) -> None:
        """New data arrived: reload count and rows, keeping the cursor's row on the
        same screen line (or the list at the top, if it was there); ``keep_place``: if that row moved up, the cursor
        stays in its place instead, on the row now just above the one that was below
        it (``kept_at``); ``prefer``: the row to keep instead when the list has it (a
        row that left it and may come back). The cursor moved while the rows are read
        (``j`` pressed meanwhile): the row it is on then is kept."""
        if self.source is None:
            return
        if self._reading == self.generation:
            self._refresh_again = (keep_place, prefer)
            return
        if self._first_load:
            # What ``show`` asked for is not in yet (the cursor has no row to keep):
            # read it again, around the same row.
            self._read_around(self._show_around, None)
            return
        row, below = self.cursor_row, None
        if keep_place and row is not None:
            under = self.row_at(self.cursor + 1)
            last = self.counted and self.cursor == self.count - 1
            below = self.source.key(under) if under is not None else END if last else None
        self._read_around(self.source.key(row) if row is not None else None,
                          self._kept() if row is not None else None, below, prefer)

    def _read_around(self, keep_id: int | None, keep: Kept | None, below: int | None = None,
                     prefer: int | None = None) -> None:
        """Reload the rows, the cursor on ``prefer`` if listed, else on ``keep_id`` (or
        ``keep``'s position, or the place ``below`` gives: ``kept_at``); the count read
        again unless it is exact and the rows are not loading for ``show``."""
        assert self.source is not None
        self.generation += 1
        self._reading = self.generation
        self._moves_at_reload = self._moves
        known = self.count if self.counted and not self._first_load else None
        self._reload(self.generation, self._asked(self.source), keep_id, keep,
                     self._page_rows(), known, below, prefer)

    def let_go(self) -> None:
        """The database no longer lets this role read the account: no row stays shown,
        and none is asked for again, whatever the list is given to show, until
        ``cut_off`` is dropped (another account opened)."""
        self.cut_off = True
        if self.source is not None:
            self.show(self.source)

    def _asked(self, source: PageSource[RowT]) -> PageSource[RowT]:
        """What a worker reads for ``source``: nothing once the account is out of reach."""
        return NoRows(source) if self.cut_off else source

    @work(thread=True, group="paged-list-reload", exclusive=True, exit_on_error=False)
    def _reload(
        self,
        generation: int,
        source: PageSource[RowT],
        keep_id: int | None,
        keep: Kept | None,
        page_rows: int,
        known: int | None,
        below: int | None = None,
        prefer: int | None = None,
    ) -> None:
        try:
            for _ in range(RELOAD_TRIES):
                snapshot, settled = load(source, keep_id, keep, page_rows, known, below, prefer)
                if settled:
                    break
            self.post_message(self.Reloaded(generation, snapshot))
            if not snapshot.counted:
                self.post_message(self.CountLoaded(generation, source.count()))
        finally:
            self.post_message(self.ReloadEnded(generation))

    def on_paged_list_reload_ended(self, message: ReloadEnded) -> None:
        """The refresh asked for while it read, if any, is made now."""
        message.stop()
        if message.generation != self._reading:
            return
        self._reading = None
        again, self._refresh_again = self._refresh_again, None
        if again is not None:
            self.refresh_rows(keep_place=again[0], prefer=again[1])

    def on_paged_list_reloaded(self, message: Reloaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        snap: Snapshot[RowT] | None = message.snapshot
        if not self._first_load and self._moves != self._moves_at_reload:
            snap = self._moved_meanwhile(message.snapshot)
            if snap is None:
                return
        self._cache.hold(snap.pages)
        self._first_load = False
        self.cursor = snap.cursor
        self._set_count(snap.count, snap.counted)
        self.scroll_to(y=snap.top * self.ROW_HEIGHT, animate=False, immediate=True, force=True)
        self.refresh()
        self.post_message(self.Listed())
        opening, self._open_when_loaded = self._open_when_loaded, None
        for target in self._moves_when_loaded:
            self.move_to(target())
        self._moves_when_loaded.clear()
        if opening is not None:
            self.open_with(opening)

    def _moved_meanwhile(self, snap: Snapshot[RowT]) -> Snapshot[RowT] | None:
        """``snap`` with the cursor on the row it was moved to while the reload read
        (the row it was asked to keep is the one the user left), on that row's screen
        line; None when the rows read do not hold it (a jump far off): read again."""
        assert self.source is not None
        keep, page_rows = self._kept(), self._page_rows()
        row = self.cursor_row
        if row is None:  # moved onto a row whose page is not in: keep its position
            return at(snap, self.cursor, keep, page_rows)
        key = self.source.key(row)
        followed = follow(snap, self.source, key, keep, page_rows)
        if followed is None:
            self._read_around(key, keep)
        return followed

    def on_paged_list_count_loaded(self, message: CountLoaded) -> None:
        message.stop()
        if message.generation == self.generation:
            self._set_count(message.count, True)

    def _set_count(self, count: int, counted: bool) -> None:
        self.count, self.counted = count, counted
        if self.empty != (count == 0):
            self.empty = count == 0
            self.screen.refresh_bindings()
        self.cursor = max(0, min(self.cursor, count - 1))
        self._size_to_count()
        self.refresh()
        if counted:
            self.post_message(self.Counted(count))
        self._tell_above()
        self._fetch_visible()

    def _fetch_visible(self) -> None:
        for page in self._visible_pages():
            self._want(page)

    def _want(self, page: int) -> None:
        if self.source is None or not self._cache.claim(page):
            return
        self._load_page(self.generation, self._asked(self.source), page,
                        self._cache.anchor(page))

    @work(thread=True, group="paged-list-pages", exit_on_error=False)
    def _load_page(
        self, generation: int, source: PageSource[RowT], page: int, anchor: RowT | None
    ) -> None:
        rows = source.window(page * PAGE_SIZE, PAGE_SIZE, anchor)
        self.post_message(self.PageLoaded(generation, page, rows))

    def on_paged_list_page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        self._cache.put(message.page, message.rows, set(self._visible_pages()))
        self.refresh()
        if self._open_when_loaded is not None:
            self.open_with(self._open_when_loaded)

    # -- the view moved: the rows it shows are read --------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._tell_above()
        self._fetch_visible()

    def _tell_above(self) -> None:
        if self._count_above():
            self.post_message(self.Above())

    def on_resize(self) -> None:
        self._size_to_count()
        if self.count:
            self._scroll_to_cursor()  # a smaller view keeps the cursor's row in sight
        self.border_title = self._title_set  # its marker kept in the new width
        self._fetch_visible()

    # -- cursor and open row -------------------------------------------------------

    def move_to(self, index: int) -> None:
        if self.count:
            old, height = self.cursor, self.ROW_HEIGHT
            self._open_when_loaded = None
            self._moves += 1
            self.cursor = max(0, min(index, self.count - 1))
            self.refresh_lines(old * height, height)
            self.refresh_lines(self.cursor * height, height)
            self._scroll_to_cursor()
            self._fetch_visible()
        self.moved()

    def moved(self) -> None:
        """A move was asked (a key, a click; on an empty list too): a list whose screen
        follows the cursor's row says so here (the keys its footer offers, its detail)."""

    def mark_open(self, key: int | None) -> None:
        previous, self.open_id = self.open_id, key
        # Only the rows whose mark changes: repainting the whole list would delay the
        # frame that shows what was opened.
        for changed in {previous, key} - {None}:
            self._refresh_key(changed)

    def patch_row(self, key: int, **changes: object) -> None:
        """Show a change to the loaded row ``key`` at once (the next reload confirms it)."""
        source = self.source
        assert source is not None
        self._cache.patch(lambda row: source.key(row) == key, **changes)
        self._refresh_key(key)

    def _refresh_key(self, key: int | None) -> None:
        """Repaint the rows showing ``key`` (if loaded)."""
        source = self.source
        if source is None:
            return
        for index in self._cache.positions(lambda row: source.key(row) == key):
            self.refresh_lines(index * self.ROW_HEIGHT, self.ROW_HEIGHT)

    def _move(self, target: Callable[[], int]) -> None:
        """Move to ``target()``: now, or once the first rows are in."""
        if self._first_load:
            self._moves_when_loaded.append(target)
        else:
            self.move_to(target())

    def action_cursor_down(self) -> None:
        self._move(lambda: self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(lambda: self.cursor - 1)

    def action_first(self) -> None:
        self._move(lambda: 0)

    def action_last(self) -> None:
        self._move(lambda: self.count - 1)

    def action_page_down(self) -> None:
        self._move(lambda: self.cursor + self._page_rows() - 1)

    def action_page_up(self) -> None:
        self._move(lambda: self.cursor - self._page_rows() + 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "open" and self.empty)

    def action_open(self) -> None:
        self.open_with(lambda row: self.post_message(self.Opened(row)))

    def open_cursor(self, open_row: Callable[[RowT], object]) -> None:
        """The screen's Enter (``OPEN_AT_ONCE``): open the cursor's row with ``open_row``
        now, so that the keys read after Enter reach what it opened (``Opened`` would
        be handled after them). Enter with the focus elsewhere (a search box) is not
        the list's: it goes on to the focused widget."""
        if self.screen.focused is not self:
            raise SkipAction()
        self.open_with(open_row)

    def open_with(self, open_row: Callable[[RowT], object]) -> None:
        """Open the cursor's row with ``open_row``: now, or when its page arrives."""
        row = self.cursor_row
        # An empty list has none to wait for.
        waiting = row is None and (self._first_load or self.count > 0)
        self._open_when_loaded = open_row if waiting else None
        if row is not None:
            open_row(row)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + int(self.scroll_offset.y)) // self.ROW_HEIGHT
        if index < self.count:
            self.move_to(index)
            self.action_open()
