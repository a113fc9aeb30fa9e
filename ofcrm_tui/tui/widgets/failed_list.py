"""The failed-messages list: two lines a message (who, when, what; tries and reason), on
the virtual paging list, with a selection of several messages."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import FailedSpan, OutboundView
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.timefmt import Clock, local_now, short_time
from ofcrm_tui.tui.widgets.page_reads import PageSource
from ofcrm_tui.tui.widgets.paged_list import PagedList

FAN_WIDTH = 30  # cells of the fan's name at most: the name first, the @username if it fits


def fan_cell(row: OutboundView) -> Text:
    """The fan as the inbox names them, then ``@username`` (dim) when it fits."""
    handle = "@" + clean(row.fan_username, single_line=True)
    if not row.fan_display_name or row.fan_display_name == row.fan_username:
        cell = Text(handle)
    else:
        cell = Text(clean(row.fan_display_name, single_line=True))
        if cell.cell_len + cell_len("  " + handle) <= FAN_WIDTH:
            cell.append("  " + handle, style="dim")
    cell.truncate(FAN_WIDTH, overflow="ellipsis")
    return cell


def tries(row: OutboundView) -> str:
    return f"tried {row.tries}×"


@dataclass(frozen=True)
class FailedSource:
    """One account's messages that failed in a span, newest first."""

    db: Database
    account_id: int
    span: FailedSpan

    def window(self, offset: int, limit: int, anchor: OutboundView | None) -> list[OutboundView]:
        return outbox.failed_window(self.db, self.account_id, self.span, offset, limit, anchor)

    def count(self) -> int:
        return outbox.count_failed(self.db, self.account_id, self.span)

    def position(self, key: int) -> int | None:
        return outbox.failed_position(self.db, self.account_id, self.span, key)

    def key(self, row: OutboundView) -> int:
        return row.id

    def still_failed(self, ids: frozenset[int]) -> frozenset[int]:
        """Those of ``ids`` the list still shows (failed, in the span)."""
        return outbox.failed_among(self.db, self.account_id, self.span, ids)


class FailedList(PagedList[OutboundView]):
    ROW_HEIGHT = 2
    COMPONENT_PREFIX = "failed-list"
    COMPONENT_CLASSES = {
        "failed-list--cursor",
        "failed-list--placeholder",
        "failed-list--selected",
        "failed-list--time",
        "failed-list--reason",
        "failed-list--tries",
    }
    BINDINGS = [
        # Ticks (or unticks) the cursor's row and moves down, as the footer says.
        Binding("space", "toggle", "Select ↓", id="failed.select", priority=True),
    ]

    class Opened(PagedList.Opened):
        """The chatter asked for the message's conversation."""

        row: OutboundView

    class Listed(PagedList.Listed):
        """The list (re)loaded."""

    class Counted(PagedList.Counted):
        """The exact count is in."""

    class Changed(Message):
        """The cursor moved or the selection changed."""

    class SelectionRead(Message):
        """(internal) Which of the ids ``asked`` the list's ``source`` still shows."""

        def __init__(self, source: FailedSource, asked: frozenset[int],
                     kept: frozenset[int]) -> None:
            super().__init__()
            self.source, self.asked, self.kept = source, asked, kept

    source: FailedSource | None

    def __init__(self, *, clock: Clock = local_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.selected: set[int] = set()
        self._retried: int | None = None  # see ``follow_retried``
        self._retried_away = False  # it has left the list since

    def cursor_region(self) -> Region | None:
        """Where the cursor's row is on the screen (None with no row)."""
        if not self.count:
            return None
        inside = self.scrollable_content_region
        top = inside.y + self.cursor * self.ROW_HEIGHT - int(self.scroll_offset.y)
        return Region(inside.x, top, inside.width, self.ROW_HEIGHT)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "toggle" and self.empty) and super().check_action(action, parameters)

    def action_toggle(self) -> None:
        row = self.cursor_row
        if row is None:
            return
        self.selected.symmetric_difference_update({row.id})
        self.refresh()
        self.post_message(self.Changed())
        self.action_cursor_down()

    def follow_retried(self, key: int) -> None:
        """The cursor's row ``key`` was retried: queued again, it leaves the list (the
        cursor is on the next row meanwhile); failed again, it comes back at the top, and
        the cursor goes back to it, unless it was moved in between: a second R retries
        the same message, not the one that took its place. Once back under the cursor
        it is followed no more (every later reload still asked where it was)."""
        self._retried, self._retried_away = key, False

    def on_failed_list_listed(self) -> None:
        """A reload put the cursor on the retried row if it lists it (``prefer``); the
        selection is read again (``_read_selection``)."""
        if self.selected and self.source is not None:
            self._read_selection(self.source, frozenset(self.selected))
        if self._retried is None:
            return
        row = self.cursor_row
        if row is None or row.id != self._retried:
            self._retried_away = True
        elif self._retried_away:
            self._retried = None  # back, and the cursor on it

    @work(thread=True, group="failed-selection", exclusive=True, exit_on_error=False)
    def _read_selection(self, source: FailedSource, asked: frozenset[int]) -> None:
        """Which selected messages the list still shows: those retried or discarded
        meanwhile (by another chatter, ``ofcrm failed retry``, a worker) are no longer
        counted in the selection. Asked of SQL by id, not looked for in the rows held."""
        self.post_message(self.SelectionRead(source, asked, source.still_failed(asked)))

    def on_failed_list_selection_read(self, message: SelectionRead) -> None:
        message.stop()
        # Only the ids asked about: one ticked since is still listed.
        gone = (message.asked - message.kept) & self.selected
        if message.source is not self.source or not gone:
            return
        self.selected -= gone
        self.refresh()
        self.post_message(self.Changed())

    def refresh_rows(self, *, keep_place: bool = False, prefer: int | None = None) -> None:
        super().refresh_rows(keep_place=keep_place,
                             prefer=self._retried if prefer is None else prefer)

    def show(self, source: PageSource[OutboundView], *, keep_id: int | None = None) -> None:
        self._retried = None
        super().show(source, keep_id=keep_id)

    def let_go(self) -> None:
        self.selected.clear()
        super().let_go()

    def moved(self) -> None:
        self._retried = None
        self.post_message(self.Changed())

    def no_rows_text(self) -> str:
        return "No failed messages in this period"

    def render_row(self, row: OutboundView, part: int, width: int) -> Text:
        text = Text()
        text.append("▌ " if row.id in self.selected else "  ", self._style("selected"))
        if part == 1:
            text.append(tries(row) + " · ", self._style("tries"))
            text.append_text(literal(row.last_error or "no reason recorded",
                                     self._style("reason"), single_line=True))
            return text
        text.append(f"{short_time(row.updated_at or row.created_at, self.clock()):>6}  ",
                    self._style("time"))
        fan = fan_cell(row)
        fan.truncate(min(FAN_WIDTH, max(10, width // 3)), overflow="ellipsis", pad=True)
        text.append_text(fan)
        text.append("  ")
        if row.price_cents:
            text.append(f"PPV {format_cents(row.price_cents)} · ")
        text.append_text(literal(row.text, single_line=True))
        return text
