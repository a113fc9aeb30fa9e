"""Export the fans the fans screen lists (its filter, in its sort) to a CSV file, with a
progress bar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from ofcrm_tui.core.fans.csv_export import export_fans
from ofcrm_tui.tui import wording
from ofcrm_tui.tui.dialogs.file_export import FileExportDialog, Job, default_path
from ofcrm_tui.tui.widgets.fan_list import SORT_NAMES, FanSource, describe_filter
from ofcrm_tui.tui.widgets.fields import FileBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


class ExportDialog(FileExportDialog):
    """Closes once the file is written and returns how many fans it holds (None: closed
    before exporting); a failed export stays open with the reason, the path to correct,
    and so does the first export to a file that exists (what it would replace)."""

    BINDINGS = [Binding("escape", "close", "Close", id="fan_export.close")]
    REASON = "#fan-export-result"

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    def __init__(self, source: FanSource, *, today: date) -> None:
        super().__init__()
        self.source = source
        self.today = today  # the app's clock's day: names the default file

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-export-dialog", classes="dialog") as dialog:
            dialog.border_title = "Export fans"
            which = " · ".join(describe_filter(self.source.flt)) or "all fans"
            yield Static(Text("Fans: ") + Text(which, style="bold")
                         + Text("\nIn the list's order: ")
                         + Text(SORT_NAMES[self.source.sort], style="bold"), id="fan-export-which")
            yield Label("To the file (enter exports)")
            yield FileBox(str(default_path("fans", self.today)), id="fan-export-path")
            yield ProgressBar(id="fan-export-progress", show_eta=False)
            yield Static(id="fan-export-result")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def job(self, path: Path) -> Job:
        src = self.source

        def write() -> tuple[int, str]:
            written = export_fans(src.db, src.account_id, path, fan_ids=src.selected(),
                                  sort=src.sort, progress=lambda done, total: self.post_message(
                                      self.Progressed(done, total)))
            return written, wording.fans(written)

        return write

    def export_started(self) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True

    def export_failed(self) -> None:
        self.query_one(ProgressBar).display = False

    def on_export_dialog_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=max(message.total, 1), progress=message.done)
