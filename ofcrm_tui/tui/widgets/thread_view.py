"""One conversation's messages, oldest at the top, newest at the bottom.

Like the conversation list it draws lines itself (the Line API): messages are laid
out into strips for the current width, so prepending an older page shifts the
scroll offset by exactly the lines added and nothing on screen moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from ofcrm_tui.core import inbox, team
from ofcrm_tui.core.inbox import ThreadMessage
from ofcrm_tui.core.team import ThreadMark
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.timefmt import Clock, local_now
from ofcrm_tui.tui.widgets.message_block import Drawing, shown_send_minute
from ofcrm_tui.tui.widgets.thread_layout import ThreadLayout, changed_lines
from ofcrm_tui.tui.widgets.styling import span_style

PAGE_SIZE = 50
# Load the previous page when the view comes this close to the top.
OLDER_MARGIN = 4
# Opening keeps the previous conversation on screen until the newest page is in, so the
# page and everything else the open changes are drawn in one frame; only a page slower
# than this shows the "Loading…" line first.
LOADING_AFTER_SECONDS = 0.1
# How often a queued message's "~12:04" is checked against the clock.
ESTIMATE_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class ThreadSource:
    db: Database
    account_id: int
    conversation_id: int
    fan_name: str
    reply_reserve: int  # the settings' (a queued message's time counts it)


class ThreadView(ScrollView, can_focus=True):
    """Inbound messages on the left, outbound on the right with their queue state."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Newer", id="thread.down", show=False),
        Binding("k,up", "cursor_up", "Older", id="thread.up", show=False),
        Binding("g,home", "first", "Oldest", id="thread.first", show=False),
        Binding("G,end", "last", "Newest", id="thread.last", show=False),
        Binding("pageup", "page_up", "Page up", id="thread.page_up", show=False),
        Binding("pagedown", "page_down", "Page down", id="thread.page_down", show=False),
        Binding("R", "retry", "Retry failed", id="thread.retry"),
    ]

    COMPONENT_CLASSES = {
        "thread--inbound",
        "thread--outbound",
        "thread--meta",
        "thread--money",
        "thread--failed",
        "thread--pending",
        "thread--cursor",
        "thread--placeholder",
    }

    class RetryRequested(Message):
        """The chatter asked to send a failed message again (its queue row)."""

        def __init__(self, outbound_id: int) -> None:
            super().__init__()
            self.outbound_id = outbound_id

    class Loaded(Message):
        """(internal) Newest page and pending sends; ``replace`` drops what was shown."""

        def __init__(
            self,
            generation: int,
            page: list[ThreadMessage],
            pending: list[ThreadMessage],
            mark: ThreadMark,
            *,
            replace: bool,
        ) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.pending = pending
            self.mark = mark
            self.replace = replace

    class NewestFailed(Message):
        """(internal) Reading the newest page failed."""

        def __init__(self, generation: int) -> None:
            super().__init__()
            self.generation = generation

    class OlderLoaded(Message):
        """(internal) A page of older messages, newest first."""

        def __init__(self, generation: int, page: list[ThreadMessage]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    def __init__(self, *, clock: Clock = local_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.source: ThreadSource | None = None
        self.generation = 0
        self.stored: list[ThreadMessage] = []  # oldest first
        self.pending: list[ThreadMessage] = []
        # The newest message and queue row drawn: what the chatter has seen (the
        # collision guard asks about anything newer). None until the first page is in.
        self.mark: ThreadMark | None = None
        self.has_older = False
        self._retry_offered = False  # a failed send shown: R in the footer
        # A page is being read. Not Textual's own `loading` reactive: that mounts a
        # LoadingIndicator over the widget (and disables it) on every open.
        self._loading = False
        # A conversation being opened whose newest page is not in yet: its generation,
        # its source and what to call when it replaces the one on screen.
        self._opening: tuple[int, ThreadSource, Callable[[], None] | None] | None = None
        self._loading_timer: Timer | None = None
        self._awaiting_newest = False  # the opened conversation's first page is not in
        # Newest-page reads of a conversation run one at a time, so that an older read
        # (a send's "sending") never lands after a newer one ("sent"): the generation
        # of the read in flight, and the read asked for meanwhile (one stands for all).
        self._newest_busy: int | None = None
        self._newest_again: tuple[int, ThreadSource, bool] | None = None
        # At the newest message: the view stays there when the size changes.
        self._follow = True
        self.cursor: int | None = None
        self.strips = ThreadLayout()

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._status_changed, init=False)
        # A passed estimate shows the clock's minute, which moves without a new status.
        self.set_interval(ESTIMATE_CHECK_SECONDS, self._status_changed)

    def _status_changed(self) -> None:
        """A new send estimate: redraw the queued messages' "~12:04"."""
        shown = shown_send_minute(ofcrm_app(self.app).status.next_send_at, self.clock())
        if shown != self.strips.send_minute and any(
            m.state == "queued" for m in self.pending
        ):
            self._relayout()

    @property
    def messages(self) -> list[ThreadMessage]:
        return self.stored + self.pending

    # -- loading -------------------------------------------------------------------

    def show(
        self, source: ThreadSource | None, *, on_shown: Callable[[], None] | None = None
    ) -> None:
        """Open a conversation (or none): newest page first, older ones on scroll.

        What is on screen stays until the newest page is in; then ``on_shown`` (the
        caller's changes that go with the open: header, composer, …) runs just before
        the page is laid out, so all of it is drawn in the same frame. A page slower
        than ``LOADING_AFTER_SECONDS`` shows the "Loading…" line (and ``on_shown``) first.
        Closing (``None``) is immediate.
        """
        self.generation += 1
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        if source is None:
            self._loading = self._awaiting_newest = False
            self._switch(None, on_shown)
            return
        self._loading = self._awaiting_newest = True
        self._opening = (self.generation, source, on_shown)
        self._loading_timer = self.set_timer(
            LOADING_AFTER_SECONDS, partial(self._show_loading, self.generation)
        )
        self._read_newest(self.generation, source, replace=True)

    def _switch(
        self,
        source: ThreadSource | None,
        on_shown: Callable[[], None] | None,
        *,
        relayout: bool = True,
    ) -> None:
        """Replace what is on screen by ``source``, empty until its page is applied."""
        self._opening = None
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        self.source = source
        self.stored, self.pending, self.cursor = [], [], None
        self.mark = None
        self.has_older = False
        if on_shown is not None:
            on_shown()
        if relayout:
            self._relayout()

    def _show_loading(self, generation: int) -> None:
        """The page is slow: show the opened conversation with its "Loading…" line."""
        if self._opening is not None and self._opening[0] == generation == self.generation:
            _, source, on_shown = self._opening
            self._switch(source, on_shown)

    def reload(self) -> None:
        """New messages or send states: merge the newest page, keep the view where it is."""
        if self._opening is not None:
            # Not shown yet: read its page again, as a whole (the first read may predate
            # the change).
            self._read_newest(self.generation, self._opening[1], replace=True)
        elif self.source is not None:
            self._read_newest(self.generation, self.source, replace=False)

    def rename(self, fan_name: str) -> None:
        """The fan's display name changed (a nickname): label their messages with the new
        one, without reading the thread again."""
        if self._opening is not None:
            generation, source, on_shown = self._opening
            self._opening = (generation, dataclasses.replace(source, fan_name=fan_name), on_shown)
        if self.source is not None and self.source.fan_name != fan_name:
            self.source = dataclasses.replace(self.source, fan_name=fan_name)
            self._relayout()

    def _read_newest(self, generation: int, source: ThreadSource, *, replace: bool) -> None:
        if self._newest_busy == generation:
            # After the read in flight; a whole read asked for stays whole.
            again = self._newest_again
            self._newest_again = (generation, source, replace or bool(again and again[2]))
            return
        self._newest_busy, self._newest_again = generation, None
        self._load_newest(generation, source, replace=replace)

    def _newest_read(self, generation: int) -> None:
        """The read in flight is done: start the one asked for meanwhile."""
        if generation != self._newest_busy:
            return  # a read of a conversation no longer open
        self._newest_busy = None
        again, self._newest_again = self._newest_again, None
        if again is not None and again[0] == self.generation:
            self._read_newest(again[0], again[1], replace=again[2])

    @work(thread=True, group="thread-newest", exit_on_error=False)
    def _load_newest(self, generation: int, source: ThreadSource, *, replace: bool) -> None:
        try:
            # Before the page: nothing drawn is newer than the mark.
            mark = team.thread_mark(source.db, source.account_id, source.conversation_id)
            # The sends still pending before the page: one sent between the two reads is
            # then in both for a moment (the send's change reads again), never in neither
            # (the other way round a message just sent vanished from the thread).
            pending = inbox.pending_in_thread(
                source.db, source.account_id, source.conversation_id,
                reply_reserve=source.reply_reserve,
            )
            page = inbox.thread_page(
                source.db, source.account_id, source.conversation_id, limit=PAGE_SIZE
            )
        except BaseException:
            self.post_message(self.NewestFailed(generation))
            raise  # the app reports it
        self.post_message(self.Loaded(generation, page, pending, mark, replace=replace))

    def on_thread_view_newest_failed(self, message: NewestFailed) -> None:
        message.stop()
        self._newest_read(message.generation)

    def on_thread_view_loaded(self, message: Loaded) -> None:
        message.stop()
        self._newest_read(message.generation)
        if message.generation != self.generation:
            return
        if self._opening is not None:
            if not message.replace:
                return  # a merge meant for the conversation being replaced
            _, source, on_shown = self._opening
            self._switch(source, on_shown, relayout=False)
        # Only the first newest page replaces: a second one (``reload`` while opening)
        # merges like any reload.
        replace = message.replace and self._awaiting_newest
        at_bottom = replace or self.scroll_offset.y >= self.max_scroll_y
        fresh = list(reversed(message.page))
        if replace:
            self._awaiting_newest = False
            self.stored = fresh
            self.has_older = len(message.page) == PAGE_SIZE
            self._loading = False
        else:
            known = {m.platform_message_id: i for i, m in enumerate(self.stored)}
            for item in fresh:
                if item.platform_message_id in known:
                    self.stored[known[item.platform_message_id]] = item
                else:
                    self.stored.append(item)
            self.stored.sort(key=lambda m: m.platform_message_id or 0)
        self.pending = list(reversed(message.pending))
        self.mark = message.mark
        if self.cursor is not None:
            self.cursor = min(self.cursor, len(self.messages) - 1) if self.messages else None
        self._relayout()
        if at_bottom:
            self._scroll_to_line(self.max_scroll_y)
        self._follow = self._at_bottom()
        self._maybe_load_older()

    def _maybe_load_older(self) -> None:
        if (
            self.source is None
            or not self.has_older
            or self._loading
            or not self.stored
            or self.scroll_offset.y > OLDER_MARGIN
        ):
            return
        self._loading = True
        self._load_older(self.generation, self.source, self.stored[0].platform_message_id)

    @work(thread=True, group="thread-older", exit_on_error=False)
    def _load_older(self, generation: int, source: ThreadSource, before: int | None) -> None:
        page = inbox.thread_page(
            source.db, source.account_id, source.conversation_id,
            before_platform_id=before, limit=PAGE_SIZE,
        )
        self.post_message(self.OlderLoaded(generation, page))

    def on_thread_view_older_loaded(self, message: OlderLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        self._loading = False
        self.has_older = len(message.page) == PAGE_SIZE
        if not message.page:
            return
        lines_before = len(self.strips.lines)
        self.stored[:0] = reversed(message.page)
        if self.cursor is not None:
            self.cursor += len(message.page)
        self._relayout()
        self._scroll_to_line(self.scroll_offset.y + len(self.strips.lines) - lines_before)

    # -- layout --------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return span_style(self, f"thread--{name}")

    def _width(self) -> int:
        return self.container_size.width - self.scrollbar_size_vertical

    def _relayout(self) -> None:
        app = ofcrm_app(self.app)
        drawing = Drawing(self._style, self.app.console, self.clock(),
                          self.source.fan_name if self.source else "",
                          app.status.next_send_at, app.context.settings.chatter_name)
        width = self._width()
        shown = self.strips.lay_out(self.messages, width, drawing)
        if self._retry_offered != bool(self._failed()):
            self._retry_offered = not self._retry_offered
            self.refresh_bindings()  # the footer's R (``check_action``)
        self.virtual_size = Size(width, len(self.strips.lines))
        # A reload that changed nothing, as most do while a campaign goes out, repaints
        # nothing.
        changed = changed_lines(shown, self.strips.lines)
        if changed is None:
            self.refresh()
        elif changed[1]:
            self.refresh_lines(*changed)

    def _scroll_to_line(self, y: float) -> None:
        # force: the scrollbars may not be shown yet when the content just grew.
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _at_bottom(self) -> bool:
        return self.scroll_offset.y >= self.max_scroll_y

    def on_resize(self) -> None:
        """Keep the place: at the newest message, stay there (like a new message does);
        scrolled up, keep the same line of the same message at the top.

        The size has changed already when this runs (a smaller view is no longer at the
        bottom), so where the view was is what ``_follow`` noted while scrolling."""
        follow = self._follow
        anchor = None if follow else self.strips.anchor(int(self.scroll_offset.y))
        if self._width() != self.strips.width:
            self._relayout()
            if anchor is not None and anchor[0] < len(self.strips.starts):
                index, offset = anchor
                start, end = self.strips.span(index)
                self._scroll_to_line(start + min(offset, max(0, end - start - 1)))
        if follow:
            self._scroll_to_line(self.max_scroll_y)
            self._follow = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._follow = new_value >= self.max_scroll_y
        self._maybe_load_older()

    def render_line(self, y: int) -> Strip:
        width = self._width()
        index = y + int(self.scroll_offset.y)
        lines = self.strips.lines
        if not lines:
            text = self.placeholder if y == 1 else ""
            strip = Strip(Text(text.center(width), style=self._style("placeholder")).render(
                self.app.console), width)
        elif index >= len(lines):
            strip = Strip.blank(width)
        else:
            strip = lines[index]
            if self.has_focus and self.cursor is not None and self.strips.owners[index] == self.cursor:
                strip = strip.apply_style(self.get_component_rich_style("thread--cursor"))
        return strip.apply_style(self.rich_style)

    @property
    def placeholder(self) -> str:
        if self._opening is not None or (self.source is not None and self._loading):
            return "Loading…"
        return "No conversation open" if self.source is None else "No messages yet"

    # -- cursor and actions --------------------------------------------------------

    def on_focus(self) -> None:
        if self.cursor is None and self.messages:
            self.cursor = len(self.messages) - 1
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _move(self, index: int) -> None:
        if not self.messages:
            return
        self.cursor = max(0, min(index, len(self.messages) - 1))
        start, end = self.strips.span(self.cursor)
        self.scroll_to_region(
            Region(0, start, 1, end - start), animate=False, immediate=True, force=True
        )
        self.refresh()
        self._maybe_load_older()

    def action_cursor_down(self) -> None:
        self._move((self.cursor if self.cursor is not None else -1) + 1)

    def action_cursor_up(self) -> None:
        self._move((self.cursor if self.cursor is not None else len(self.messages)) - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.messages) - 1)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def _failed(self) -> list[ThreadMessage]:
        """The thread's failed sends that can be queued again, oldest first."""
        return [m for m in self.messages if m.state == "failed" and m.outbound_id is not None]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``R`` is offered (in the footer) and acts only while the thread has a failed
        send."""
        if action == "retry":
            return bool(self._failed())
        return True

    def action_retry(self) -> None:
        """The failed send under the cursor, else the newest one."""
        messages, failed = self.messages, self._failed()
        target = messages[self.cursor] if self.cursor is not None and messages else None
        if target not in failed:
            target = failed[-1]
        self.post_message(self.RetryRequested(target.outbound_id))
