"""Export the fans the fans screen lists (its filter) to a CSV file, with a progress bar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, ProgressBar, Static

from ofcrm_tui.core.fans.csv_export import export_fans
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui import wording
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.fan_list import FanSource
from ofcrm_tui.tui.widgets.fields import FileBox, exported
from ofcrm_tui.tui.widgets.footer import KeyFooter


def default_path(today: date) -> Path:
    return Path.home() / f"ofcrm-fans-{today:%Y-%m-%d}.csv"


class ExportDialog(Dialog[int | None]):
    """Closes once the file is written and returns how many fans it holds (None: closed
    before exporting); a failed export stays open with the reason, the path to correct,
    and so does the first export to a file that exists (what it would replace)."""

    BINDINGS = [Binding("escape", "close", "Close", id="fan_export.close")]

    class Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Done(Message):
        def __init__(self, written: int | None, path: Path, error: str = "") -> None:
            super().__init__()
            self.written = written
            self.path = path
            self.error = error

    def __init__(self, source: FanSource, described: list[str], *, today: date) -> None:
        super().__init__()
        self.source = source
        self.described = described
        self.today = today  # the app's clock's day: names the default file
        self.running = False
        self.written: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-export-dialog", classes="dialog") as dialog:
            dialog.border_title = "Export fans"
            which = " · ".join(self.described) if self.described else "all fans"
            yield Static(Text("Fans: ") + Text(which, style="bold"))
            yield Label("To the file (enter exports)")
            yield FileBox(str(default_path(self.today)), id="fan-export-path")
            yield ProgressBar(id="fan-export-progress", show_eta=False)
            yield Static(id="fan-export-result")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    @on(Input.Submitted, "#fan-export-path")
    def _start(self) -> None:
        if self.running:
            return
        path = self.query_one(FileBox).checked()
        result = self.query_one("#fan-export-result", Static)
        if isinstance(path, str):
            result.update(Text(clean(path), style="bold"))
            return
        result.update("")
        self.running = True
        bar = self.query_one(ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._export(path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _export(self, path: Path) -> None:
        src = self.source
        try:
            written = export_fans(src.db, src.account_id, path, fan_ids=src.selected(),
                                  progress=lambda done, total: self.post_message(
                                      self.Progressed(done, total)))
        except OfcrmError as exc:
            self.post_message(self.Done(None, path, str(exc)))
            return
        self.post_message(self.Done(written, path))

    def on_export_dialog_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=max(message.total, 1), progress=message.done)

    def on_export_dialog_done(self, message: Done) -> None:
        self.running = False
        result = self.query_one("#fan-export-result", Static)
        if message.written is None:
            self.query_one(ProgressBar).display = False  # nothing is going on any more
            result.update(Text(f"Not exported: {clean(message.error)}", style="bold red"))
            return
        # Done: the dialog goes, so the next key is the screen's again (not typed into
        # the file name), and a toast says where the file is.
        self.written = message.written
        self.app.notify(exported(wording.fans(message.written), message.path), markup=False)
        self.dismiss(message.written)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(self.written)
