"""Where to write the analytics shown, and what: one row per day, per KPI or per chatter."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, RadioSet, Static

from ofcrm_tui.core.analytics import export
from ofcrm_tui.core.analytics.export import ExportKind
from ofcrm_tui.core.analytics.figures import Dashboard
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.dialogs.file_export import FileExportDialog, Job, default_path
from ofcrm_tui.tui.widgets.fields import FileBox, RadioChoice
from ofcrm_tui.tui.widgets.footer import KeyFooter

KIND_LABELS = {
    ExportKind.DAILY: "Revenue by type per hour, day or week, as charted",
    ExportKind.KPIS: "The KPIs, one per row",
    ExportKind.CHATTERS: "Chatter performance, one chatter per row",
}


class AnalyticsExportDialog(FileExportDialog):
    """Writes the figures the screen shows (``dashboard``) and returns how many rows;
    it stays open, the path as typed, while the file cannot be written (the reason on
    one line) and at the first export to a file that exists (what it would replace)."""

    CSS_PATH = "../styles/analytics.tcss"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="analytics_export.cancel"),
        Binding("ctrl+s", "save", "Export", id="analytics_export.save"),
    ]
    REASON = "#analytics-export-error"

    def __init__(self, db: Database, dashboard: Dashboard) -> None:
        super().__init__()
        self.db = db
        self.dashboard = dashboard

    def compose(self) -> ComposeResult:
        with Vertical(id="analytics-export-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Export {self.dashboard.period.label}"
            yield Label("File (CSV)")
            shown = self.dashboard.period
            yield FileBox(str(default_path("analytics", shown.first_day, shown.last_day)),
                          id="analytics-export-path")
            yield Label("What")
            with RadioSet(id="analytics-export-kind"):
                for kind, label in KIND_LABELS.items():
                    yield RadioChoice(label, value=kind == ExportKind.DAILY, name=kind.value)
            yield Static(id="analytics-export-error")
        yield KeyFooter()

    @property
    def kind(self) -> ExportKind:
        pressed = self.query_one(RadioSet).pressed_button
        return ExportKind(pressed.name) if pressed is not None and pressed.name else ExportKind.DAILY

    def action_save(self) -> None:
        self.start_export()

    def job(self, path: Path) -> Job:
        db, shown, kind = self.db, self.dashboard, self.kind

        def write() -> tuple[int, str]:
            count = export.write_csv(db, shown, path, kind)
            return count, export.rows_written(count, shown, kind)

        return write
