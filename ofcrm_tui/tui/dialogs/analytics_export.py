"""Where to write the analytics shown, and what: one row per day, per KPI or per chatter."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from ofcrm_tui.core.analytics.export import ExportKind
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.fields import FileBox
from ofcrm_tui.tui.widgets.footer import KeyFooter

KIND_LABELS = {
    ExportKind.DAILY: "Revenue by type per hour, day or week, as charted",
    ExportKind.KPIS: "The KPIs, one per row",
    ExportKind.CHATTERS: "Chatter performance, one chatter per row",
}


class AnalyticsExportDialog(Dialog[tuple[Path, ExportKind] | None]):
    """Returns ``(path, kind)``; the screen writes the figures it shows. The first export
    to a file that exists stays open, saying what it would replace (``FileBox``)."""

    CSS_PATH = "../styles/analytics.tcss"
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="analytics_export.cancel"),
        Binding("ctrl+s", "save", "Export", id="analytics_export.save"),
    ]

    def __init__(self, period_label: str, default_path: Path) -> None:
        super().__init__()
        self.period_label = period_label
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(id="analytics-export-dialog", classes="dialog") as dialog:
            dialog.border_title = f"Export {self.period_label}"
            yield Label("File (CSV)")
            yield FileBox(str(self.default_path), id="analytics-export-path")
            yield Label("What")
            with RadioSet(id="analytics-export-kind"):
                for kind, label in KIND_LABELS.items():
                    yield RadioButton(label, value=kind == ExportKind.DAILY, name=kind.value)
            yield Static(id="analytics-export-error")
        yield KeyFooter()

    @property
    def kind(self) -> ExportKind:
        pressed = self.query_one(RadioSet).pressed_button
        return ExportKind(pressed.name) if pressed is not None and pressed.name else ExportKind.DAILY

    @on(Input.Submitted)
    def action_save(self) -> None:
        path = self.query_one(FileBox).checked()
        if isinstance(path, str):
            self.query_one("#analytics-export-error", Static).update(Text(clean(path)))
            return
        self.dismiss((path, self.kind))
