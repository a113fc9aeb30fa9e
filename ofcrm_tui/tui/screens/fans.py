"""The fans screen: every fan of the account, searched, sorted and filtered, on a
virtual list over SQL; opens a fan's detail or conversation, creates, deletes, imports
and exports fans.

Its dialogs are imported when first opened."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ofcrm_tui.core.fans import FanFilter
from ofcrm_tui.core.fans.filter import tags_as_stored
from ofcrm_tui.core.fans.listing import FanRow, FanSort
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.screens.fan_delete import confirm_delete
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen, show_conversation
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.fan_list import (
    SORT_NAMES,
    FanList,
    FanSource,
    describe_filter,
    header,
)
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import OPEN_AT_ONCE
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar

SORTS = tuple(FanSort)


class FanSearchBox(TextBox):
    """The fans search line, its keys in the footer as in the inbox's (the screen's
    keys are letters the line types, so the footer named none): Enter searches, Esc
    closes the line and keeps the search as it was. The keys read behind either wait
    until the line is closed (``WAIT_AFTER``), or they were typed into it."""

    BINDINGS = [
        Binding("enter", "submit", "Search", id="fans.run_search"),
        Binding("escape", "screen.close_search", "Close search", id="fans.close_search"),
    ]
    WAIT_AFTER: ClassVar[frozenset[str]] = frozenset({"submit", "screen.close_search"})


class FansScreen(OfcrmScreen):
    # As in the inbox: every key is acted on as it is read (priority), in the order
    # typed, Enter opens the fan at once and the search takes the focus at once, so that
    # the keys of a burst reach what they were typed for ("/ name enter" searches for
    # "name"; n made a new fan). What the search box types still types there.
    BINDINGS = [
        OPEN_AT_ONCE,
        Binding("slash", "search", "Search", id="fans.search", priority=True),
        # While a search is on Esc clears it (not the filter: x); else it goes back to
        # the inbox, as the other screens' (``check_action``: one of the two applies).
        Binding("escape", "clear_search", "Clear search", id="fans.back", priority=True),
        Binding("escape", "back", "Inbox", id="fans.back", priority=True),
        Binding("s", "cycle_sort", "Sort", id="fans.sort", priority=True),
        Binding("f", "filter", "Filter", id="fans.filter", priority=True),
        # Named while a filter is on (``shows_now``).
        Binding("x", "clear_filters", "Clear filters", id="fans.clear_filters", show=False,
                priority=True),
        Binding("c", "conversation", "Chat", id="fans.conversation", priority=True),
        Binding("plus,n", "new_fan", "New fan", id="fans.new", priority=True),
        Binding("I", "import_file", "Import", id="fans.import", priority=True),
        Binding("E", "export_file", "Export", id="fans.export", priority=True),
        # Last: the first key a narrow footer leaves out (the help lists it).
        Binding("D", "delete", "Delete", id="fans.delete", priority=True),
    ]
    ROW_ACTIONS = frozenset({"conversation", "delete"})
    ROW_LIST = FanList
    # Left out before the palette's key (at 80 and 100 columns), which runs them too
    # (Delete is in the help).
    FOOTER_MINOR = frozenset({"import_file", "export_file", "delete", "clear_filters"})

    class TagsNamed(Message):
        """A filter picked, its tags named as the account spells them."""

        def __init__(self, flt: FanFilter) -> None:
            super().__init__()
            self.flt = flt

    def __init__(self) -> None:
        super().__init__()
        self.flt = FanFilter()
        self.sort = FanSort.SPEND
        self._picked: FanFilter | None = None  # a filter picked, its tags being named

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield FanSearchBox(placeholder="Search names, usernames, notes and messages…",
                           id="fan-search")
        yield Static(id="fan-header")
        yield FanList(clock=self.ofcrm.clock, id="fans")
        yield StatusBar(clock=self.ofcrm.clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Fans"
        self.follow_changes(self._on_changed)
        self.set_focus(self.fans)
        # Notices over the list's bottom right, inside its border, as tall as they are
        # (measured, the rack cut a two-line notice's last line, and stood on the border).
        keep_toasts_over(self, self.fans)
        self._show_list()

    @property
    def fans(self) -> FanList:
        return self.query_one(FanList)

    # -- the list ------------------------------------------------------------------

    def source(self) -> FanSource | None:
        """The list's query as it stands (the export writes the same fans)."""
        account = self.ofcrm.account
        if account is None:
            return None
        return FanSource(self.ofcrm.context.db, account.id, self.flt, self.sort)

    def _show_list(self, *, refilter: bool = False) -> None:
        """Show the list from its top; ``refilter``: a filter changed, around the fan the
        cursor was on (``PagedList.refilter``: a filter that hid it, cleared, comes back
        to it)."""
        source = self.source()
        if source is not None:
            if refilter:
                self.fans.refilter(source)
            else:
                self.fans.show(source)
            self._title(None)
            self._draw_header()  # the order's column: Since, sorted by subscription
        self.refresh_bindings()  # esc Clear search, while a search is on

    def _title(self, count: int | None) -> None:
        """``Fans  12 · “ann” · #vip · by spend``: the search and filter in the title,
        where the eye goes first (and the notices, top right, leave it be)."""
        title = "Fans" if count is None else f"Fans  {count:,}"
        parts = [*describe_filter(self.flt), SORT_NAMES[self.sort]]
        self.fans.border_title = Text(" · ".join([title, *parts]))

    def on_fan_list_counted(self, message: FanList.Counted) -> None:
        self._title(message.count)

    def on_resize(self) -> None:
        self._draw_header()

    def on_fan_list_listed(self) -> None:
        self._draw_header()

    def _draw_header(self) -> None:
        fans = self.fans
        width = fans.container_size.width - fans.scrollbar_size_vertical
        if width > 0:
            self.query_one("#fan-header", Static).update(header(width, self.sort))

    def _set_filter(self, flt: FanFilter) -> None:
        self.flt = flt
        self._show_list(refilter=True)

    def action_cycle_sort(self) -> None:
        """The next order, shown from its top, the cursor on its first fan: it is what a
        new order is asked for. (A filter keeps the cursor's fan; kept here, that fan
        sat a third down a list that looked like the top, the new first fans above it.)"""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_list()

    def action_clear_filters(self) -> None:
        self._set_filter(FanFilter())

    def action_filter(self) -> None:
        from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog

        def picked(flt: FanFilter | None) -> None:
            if flt is not None:
                self._name_tags(flt)

        self.app.push_screen(FanFilterDialog(self.flt), picked)

    def _name_tags(self, flt: FanFilter) -> None:
        """Apply the filter picked once its tags are named as the account spells them
        (``vip`` typed is the account's ``VIP``: the title said ``#vip``); the keys read
        meanwhile wait for it (``holds_keys``)."""
        account = self.ofcrm.account
        if account is None or not (flt.tags_in or flt.tags_out):
            self._set_filter(flt)
            return
        self._picked = flt
        self._read_tag_names(account.id, flt)

    @work(thread=True, exclusive=True, group="fan-tag-names", exit_on_error=False)
    def _read_tag_names(self, account_id: int, flt: FanFilter) -> None:
        self.post_message(self.TagsNamed(tags_as_stored(self.ofcrm.context.db, account_id, flt)))

    def on_fans_screen_tags_named(self, message: TagsNamed) -> None:
        if self._picked is not None:  # (not: the account changed meanwhile)
            self._picked = None
            self._set_filter(message.flt)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if (event.worker.group == "fan-tag-names" and event.state is WorkerState.ERROR
                and self._picked is not None):
            picked, self._picked = self._picked, None
            self._set_filter(picked)  # as typed: it finds the same fans

    def holds_keys(self) -> bool:
        return self._picked is not None or super().holds_keys()

    # -- search --------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#fan-search", Input)
        search.value = self.flt.search or ""
        search.display = True
        self.set_focus(search)  # at once (``focus()`` waits a turn): its letters may follow

    @on(Input.Submitted, "#fan-search")
    def _search(self, event: Input.Submitted) -> None:
        self._close_search()
        self.flt = replace(self.flt, search=event.value.strip() or None)
        self._show_list()

    def _close_search(self) -> None:
        self.query_one("#fan-search", Input).display = False
        self.set_focus(self.fans)
        self.ofcrm.dialog_ready(self)  # the keys held behind Enter or Esc go on

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the search line Enter and Esc are the line's (``FanSearchBox``), and the
        footer names those: Enter searches, Esc closes the line. On the list, Esc clears
        a search, or goes back to the inbox when there is none."""
        if action in ("clear_search", "back", "open") and isinstance(self.focused, FanSearchBox):
            return False
        if action in ("clear_search", "back"):
            return bool(self.flt.search) == (action == "clear_search")
        return super().check_action(action, parameters)

    def shows_now(self, binding: Binding) -> bool:
        """x is named while it has a filter to clear (it clears the search with it)."""
        if binding.action == "clear_filters":
            return replace(self.flt, search=None) != FanFilter()
        return super().shows_now(binding)

    def action_close_search(self) -> None:
        self._close_search()

    def action_clear_search(self) -> None:
        self._set_filter(replace(self.flt, search=None))

    def action_back(self) -> None:
        self.app.switch_mode("inbox")

    # -- one fan -------------------------------------------------------------------

    def action_open(self) -> None:
        self.fans.open_cursor(self._open)

    def on_fan_list_opened(self, message: FanList.Opened) -> None:
        self._open(message.row)

    def _open(self, row: FanRow) -> None:
        self.app.push_screen(FanDetailScreen(row.fan_id))

    def _row(self) -> FanRow | None:
        row = self.fans.cursor_row
        if row is None:
            self.notify("No fan here", severity="warning")
        return row

    async def action_conversation(self) -> None:
        row = self._row()
        if row is not None:
            await show_conversation(self, row.conversation_id)

    def action_delete(self) -> None:
        row = self._row()
        if row is not None:
            confirm_delete(self, row.fan_id)

    def action_new_fan(self) -> None:
        from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog

        account = self.ofcrm.account
        if account is None:
            return

        def made(fan_id: int | None) -> None:
            if fan_id is not None:
                self.ofcrm.changes.publish(DataChanged.of("fans"))
                self.app.push_screen(FanDetailScreen(fan_id))

        self.app.push_screen(NewFanDialog(self.ofcrm.context.db, account.id), made)

    # -- files ---------------------------------------------------------------------

    def action_import_file(self) -> None:
        from textual_fspicker import Filters

        from ofcrm_tui.tui.dialogs.csv_picker import CsvPicker
        from ofcrm_tui.tui.dialogs.fan_import import ImportDialog

        def picked(path: Path | None) -> None:
            if path is not None:
                self.app.push_screen(ImportDialog(path))

        filters = Filters(("CSV", lambda p: p.suffix.lower() in (".csv", ".tsv", ".txt")),
                          ("Any", lambda _: True))
        self.app.push_screen(CsvPicker(Path.home(), "Import fans from", filters=filters), picked)

    def action_export_file(self) -> None:
        from ofcrm_tui.tui.dialogs.fan_export import ExportDialog

        source = self.source()
        if source is not None:
            self.app.push_screen(ExportDialog(source, today=self.ofcrm.clock().date()))

    # -- live data -----------------------------------------------------------------

    def _on_changed(self, change: DataChanged) -> None:
        if change.touches("account"):
            self.flt, self._picked = FanFilter(), None
            self._show_list()
        elif change.touches("fans", "inbox"):
            self.fans.refresh_rows()
