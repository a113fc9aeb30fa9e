"""Messages that failed in the last week, with the reason; retry or discard them."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Footer, Header, Static

from ofcrm_tui.core import outbox
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.timefmt import short_time
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from ofcrm_tui.tui.wording import messages

DAYS_SHOWN = 7
FAN_WIDTH = 30  # cells of the Fan column: the name first, the @username if it fits


def fan_cell(row: outbox.OutboundView) -> Text:
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


class FailedScreen(OfcrmScreen):
    BINDINGS = [
        Binding("j", "cursor(1)", "Down", id="failed.down", show=False),
        Binding("k", "cursor(-1)", "Up", id="failed.up", show=False),
        Binding("R", "retry", "Retry", id="failed.retry"),
        Binding("d", "discard", "Discard", id="failed.discard"),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="failed.inbox"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[outbox.OutboundView]) -> None:
            super().__init__()
            self.rows = rows

    class Acted(Message):
        def __init__(self, note: str, severity: SeverityLevel = "information") -> None:
            super().__init__()
            self.note = note
            self.severity = severity

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[outbox.OutboundView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Text] = DataTable(cursor_type="row", id="failed-table")
        table.add_columns("When", "Fan", "Message", "Tries", "Reason")
        yield table
        # The selected message's reason in full: the table's column is cut at 80 columns.
        yield Static(id="failed-detail")
        yield StatusBar(clock=self.ofcrm.clock)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Failed messages"
        self.ofcrm.changes.subscribe(self, self._on_changed)
        self._reload()

    def _on_changed(self, change: DataChanged) -> None:
        if change.touches("outbox", "account"):
            self._reload()

    def _reload(self) -> None:
        if self.ofcrm.account is not None:
            self._load(self.ofcrm.account.id, self.ofcrm.now_utc())

    @work(thread=True, exclusive=True, group="failed-load", exit_on_error=False)
    def _load(self, account_id: int, now: datetime) -> None:
        failed = outbox.failed(self.ofcrm.context.db, account_id, DAYS_SHOWN, now=now)
        self.post_message(self.Loaded(failed))

    @work(thread=True, group="failed-act", exit_on_error=False)
    def _act(self, account_id: int, action: str, outbound_id: int) -> None:
        db = self.ofcrm.context.db
        severity: SeverityLevel = "information"
        try:
            if action == "retry":
                result = outbox.retry_detailed(db, account_id, [outbound_id],
                                               by=self.ofcrm.context.settings.chatter_name)
                done = bool(result.retried)
                note = "Queued again" if done else "That message is no longer failed"
            else:
                count = outbox.discard(db, account_id, [outbound_id])
                done = count > 0
                note = (f"Discarded {messages(count)}" if done
                        else "Nothing discarded: that message is no longer failed")
            severity = "information" if done else "warning"
        except OfcrmError as exc:
            verb = "retried" if action == "retry" else "discarded"
            note, severity = f"Not {verb}: {exc}", "error"
        self.post_message(self.Acted(note, severity))

    def on_failed_screen_acted(self, message: Acted) -> None:
        self.notify(clean(message.note, single_line=True), severity=message.severity,
                    markup=False)
        self.ofcrm.queue_changed()

    def _selected(self) -> outbox.OutboundView | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

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
                fan_cell(row),
                text,
                Text(str(row.tries)),
                literal(row.last_error or "", "red", single_line=True),
            )
        table.border_title = Text(f"Failed in the last {DAYS_SHOWN} days  {len(self.rows)}")
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        self._show_detail()

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        selected = self._selected()
        detail = Text()
        if selected is not None:
            detail.append(f"Tried {selected.tries}×  ·  ", "dim")
            detail.append_text(literal(selected.last_error or "no reason recorded", "red",
                                       single_line=True))
        self.query_one("#failed-detail", Static).update(detail)

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_retry(self) -> None:
        selected, account = self._selected(), self.ofcrm.account
        if selected is not None and account is not None:
            self._act(account.id, "retry", selected.id)

    def action_discard(self) -> None:
        """Ask first: a discarded message is never sent."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        selected, account = self._selected(), self.ofcrm.account
        if selected is None or account is None:
            return
        name = clean(selected.fan_display_name or selected.fan_username, single_line=True)
        choices = [(Text("Discard the message to ") + Text(name, style="bold"), True),
                   (Text("Keep it"), False)]

        def answered(discard: bool | None) -> None:
            if discard:
                self._act(account.id, "discard", selected.id)

        self.app.push_screen(ChoiceDialog("Discard this failed message?", lambda: choices),
                             answered)
