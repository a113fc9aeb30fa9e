"""Messages that failed in the last week, with the reason; retry or discard them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from ofcrm_tui.core import outbox
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.timefmt import short_time
from ofcrm_tui.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp


class FailedScreen(Screen[None]):
    BINDINGS = [
        Binding("j", "cursor(1)", "Down", id="failed.down", show=False),
        Binding("k", "cursor(-1)", "Up", id="failed.up", show=False),
        Binding("R", "retry", "Retry", id="failed.retry"),
        Binding("d", "discard", "Discard", id="failed.discard"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[outbox.OutboundView]) -> None:
            super().__init__()
            self.rows = rows

    class Acted(Message):
        def __init__(self, note: str) -> None:
            super().__init__()
            self.note = note

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[outbox.OutboundView] = []

    @property
    def ofcrm(self) -> OfcrmApp:
        return cast("OfcrmApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Text] = DataTable(cursor_type="row", id="failed-table")
        table.add_columns("When", "Fan", "Message", "Tries", "Reason")
        yield table
        yield StatusBar(clock=self.ofcrm.clock)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Failed messages"
        self.ofcrm.changes.subscribe(self, self._on_changed)
        self._reload()

    def _on_changed(self, change: DataChanged) -> None:
        if change.outbox or change.account:
            self._reload()

    def _reload(self) -> None:
        if self.ofcrm.account is not None:
            self._load(self.ofcrm.account.id)

    @work(thread=True, exclusive=True, group="failed-load", exit_on_error=False)
    def _load(self, account_id: int) -> None:
        self.post_message(self.Loaded(outbox.failed(self.ofcrm.context.db, account_id)))

    @work(thread=True, group="failed-act", exit_on_error=False)
    def _act(self, account_id: int, action: str, outbound_id: int) -> None:
        db = self.ofcrm.context.db
        try:
            if action == "retry":
                outbox.retry(db, account_id, [outbound_id],
                             by=self.ofcrm.context.settings.chatter_name)
                note = "Queued again"
            else:
                outbox.discard(db, account_id, [outbound_id])
                note = "Discarded"
        except OfcrmError as exc:
            note = str(exc)
        self.post_message(self.Acted(note))

    def on_failed_screen_acted(self, message: Acted) -> None:
        self.notify(message.note, markup=False)
        self.ofcrm.queue_changed()

    def _selected(self) -> int | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row].id if self.rows and 0 <= row < len(self.rows) else None

    def on_failed_screen_loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = self.ofcrm.clock()
        for row in self.rows:
            text = literal(row.text, single_line=True)
            text.truncate(60, overflow="ellipsis")
            if row.price_cents:
                text = Text(f"PPV {format_cents(row.price_cents)} · ") + text
            table.add_row(
                Text(short_time(row.updated_at or row.created_at, now)),
                Text("@" + clean(row.fan_username, single_line=True)),
                text,
                Text(str(row.attempts)),
                literal(row.last_error or "", "red", single_line=True),
            )
        table.border_title = Text(f"Failed in the last 7 days  {len(self.rows)}")
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_retry(self) -> None:
        self._act_on_selected("retry")

    def action_discard(self) -> None:
        self._act_on_selected("discard")

    def _act_on_selected(self, action: str) -> None:
        selected = self._selected()
        if selected is not None and self.ofcrm.account is not None:
            self._act(self.ofcrm.account.id, action, selected)
