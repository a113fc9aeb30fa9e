"""Import fans from a CSV file: the first rows, the detected delimiter and column mapping,
then the import with a progress bar, then its report (bad rows by line number).

The file was picked with ``textual_fspicker.FileOpen``; the preview and the import run
in thread workers (``csv_read.preview``, ``csv_import.import_fans``) that post messages.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Checkbox, DataTable, ProgressBar, Static

from ofcrm_tui.core.fans.csv_format import COLUMNS, PLATFORM_FIELDS
from ofcrm_tui.core.fans.csv_import import ImportReport, import_fans
from ofcrm_tui.core.fans.csv_read import ImportPreview, preview
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.widgets.fields import TickBox
from ofcrm_tui.tui.widgets.footer import KeyFooter

PREVIEW_ROWS = 5
CELL_CHARS = 24
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def mapping_text(found: ImportPreview) -> Text:
    """The columns read (``header → field`` where the header is not the field's name),
    the columns left out, and those the platform owns (left as it has them for the fans
    it knows)."""
    text = Text(f"{_DELIMITERS.get(found.delimiter, found.delimiter)}-separated, "
                f"{found.size_bytes:,} bytes. Columns read: ", style="dim")
    # One paragraph, not a line a column: at 80x24 the first rows stay in view below it.
    for index, (header, name) in enumerate(found.mapping.known.items()):
        text.append(", " if index else "")
        text.append(clean(header, single_line=True), style="bold")
        if header.strip().lower() != COLUMNS[name][0]:  # read as another name says
            text.append(f" → {COLUMNS[name][0]}")
    text.append("\n")
    ignored = [h for h, f in zip(found.mapping.headers, found.mapping.fields, strict=True) if f is None]
    if ignored:
        text.append("Ignored: " + ", ".join(clean(h, single_line=True) for h in ignored) + "\n",
                    style="yellow")
    # The username names the fan: the other columns the platform owns are the ones to say.
    owned = [clean(h, single_line=True) for h, name in found.mapping.known.items()
             if name in PLATFORM_FIELDS and name != "username"]
    if owned:
        stay = "stays" if len(owned) == 1 else "stay"
        text.append(f"For fans the platform knows, {', '.join(owned)} {stay} as the platform has "
                    "them: the file adds only nickname, tags and notes (it fills the rest for "
                    "fans made here or new; without a user id a fan has no subscription "
                    "status).", style="italic")
    return text


def report_text(report: ImportReport) -> Text:
    """The summary, then each bad row by its line in the file."""
    text = Text(report.summary() + "\n", style="bold green" if report.complete else "bold red")
    if kept := report.platform_line():
        text.append(kept + "\n", style="italic")
    for problem in report.problems:
        text.append(f"line {problem.line}: ", style="bold")
        text.append(clean(problem.reason, single_line=True) + "\n")
    if report.problem_count > len(report.problems):
        text.append(f"… and {report.problem_count - len(report.problems):,} more\n", style="dim")
    text.rstrip()  # no blank line at its end, where the view ends
    return text


class ImportDialog(Dialog[ImportReport | None]):
    """Returns the report of the import run (None: closed before importing)."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="fan_import.close"),
        Binding("ctrl+s", "run", "Import", id="fan_import.run"),
    ]

    class Previewed(Message):
        def __init__(self, found: ImportPreview | None, error: str = "") -> None:
            super().__init__()
            self.found = found
            self.error = error

    class Progressed(Message):
        def __init__(self, rows: int, read: int) -> None:
            super().__init__()
            self.rows = rows
            self.read = read

    class Done(Message):
        def __init__(self, report: ImportReport | None, error: str = "") -> None:
            super().__init__()
            self.report = report
            self.error = error

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.found: ImportPreview | None = None
        self.report: ImportReport | None = None
        self.running = False
        self.refused = False  # the preview refused the file: nothing to import

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-import-dialog", classes="dialog") as dialog:
            dialog.border_title = "Import fans"
            yield Static(Text(clean(str(self.path), single_line=True), style="bold"))
            # The first rows, then how their columns are read: at 80x24 the rows stay in
            # view above a report.
            with VerticalScroll(id="fan-import-body"):
                yield DataTable(id="fan-import-rows", show_cursor=False)
                yield Static("Reading the file…", id="fan-import-mapping")
            # The report in a view of its own, shown from its first line (a view whose
            # top is its first line needs no layout to scroll to), the preview above it
            # taking what is left.
            with VerticalScroll(id="fan-import-outcome"):
                yield Static(id="fan-import-report")
            with Horizontal(id="fan-import-options"):
                yield TickBox("Skip bad rows", id="fan-import-skip")
                yield TickBox("Dry run", id="fan-import-dry")
            # One place below the options: the bar while a run is under way, then what to
            # do next (out of the report, which may be longer than its view).
            yield ProgressBar(id="fan-import-progress", show_eta=False)
            yield Static(id="fan-import-next")
        yield KeyFooter()

    def on_mount(self) -> None:
        for hidden in (ProgressBar, "#fan-import-next", DataTable, "#fan-import-outcome"):
            self.query_one(hidden).display = False
        keep_toasts_over(self, self._toasts_area, self._report_region)
        self._preview(self.path)

    def _toasts_area(self) -> Region:
        """The dialog's inside down to its options: toasts right of them, more going up
        (under them were the next step, a line of it hidden, and the dialog's border)."""
        inside = self.query_one("#fan-import-dialog").scrollable_content_region
        options = self.query_one("#fan-import-options").region
        return Region.from_corners(inside.x, inside.y, inside.right, options.bottom)

    def _report_region(self) -> Region | None:
        """The report, which toasts keep off (stacked up over it, they hid its right)."""
        outcome = self.query_one("#fan-import-outcome")
        return outcome.region if outcome.display and outcome.region.area else None

    def _say_next(self, hint: str, style: str = "italic") -> None:
        """What to do next, on the dialog's own line under its options (not a toast:
        toasts over the dialog hid its report)."""
        next_step = self.query_one("#fan-import-next", Static)
        next_step.update(Text(hint, style=style))
        next_step.display = True

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _preview(self, path: Path) -> None:
        try:
            self.post_message(self.Previewed(preview(path, PREVIEW_ROWS)))
        except OfcrmError as exc:
            self.post_message(self.Previewed(None, str(exc)))

    def on_import_dialog_previewed(self, message: Previewed) -> None:
        mapping = self.query_one("#fan-import-mapping", Static)
        if message.found is None:
            mapping.update(Text(f"Cannot import this file: {clean(message.error)}", style="bold red"))
            self.refused = True
            self.refresh_bindings()  # no Import offered
            return
        self.found = found = message.found
        mapping.update(mapping_text(found))
        table = self.query_one(DataTable)
        table.add_column("line")
        for header in found.mapping.headers:
            table.add_column(_cell(header))
        for line, cells in found.rows:
            table.add_row(str(line), *(_cell(c) for c in cells[: len(found.mapping.headers)]),
                          *([""] * (len(found.mapping.headers) - len(cells))))
        table.display = bool(found.rows)
        self._say_next("ctrl+s imports.")

    def _imported(self) -> bool:
        return self.report is not None and self.report.written

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No Import offered for a file refused, or once it is imported."""
        return not (action == "run" and (self.refused or self._imported()))

    def action_run(self) -> None:
        """Import; again after a run that wrote nothing (a dry run, or bad rows refused),
        with the options changed."""
        app = ofcrm_app(self.app)
        if self.found is None or self._imported() or self.running or app.account is None:
            return
        self.running = True
        bar = self.query_one(ProgressBar)
        bar.update(total=max(self.found.size_bytes, 1), progress=0)
        bar.display = True
        self.query_one("#fan-import-next").display = False
        self._import(app.account.id, self.query_one("#fan-import-skip", Checkbox).value,
                     self.query_one("#fan-import-dry", Checkbox).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _import(self, account_id: int, skip_invalid: bool, dry_run: bool) -> None:
        app = ofcrm_app(self.app)
        try:
            report = import_fans(
                app.context.db, account_id, self.path, author=app.context.settings.chatter_name,
                dry_run=dry_run, skip_invalid=skip_invalid,
                progress=lambda rows, read: self.post_message(self.Progressed(rows, read)),
            )
        except OfcrmError as exc:
            self.post_message(self.Done(None, str(exc)))
            return
        self.post_message(self.Done(report))

    def on_import_dialog_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(progress=message.read)

    def on_import_dialog_done(self, message: Done) -> None:
        self.running = False
        self.query_one(ProgressBar).display = False  # done: the report says how it went
        outcome = self.query_one("#fan-import-outcome", VerticalScroll)
        outcome.display = True
        outcome.scroll_home(animate=False, immediate=True)  # from its summary
        shown = self.query_one("#fan-import-report", Static)
        if message.report is None:
            shown.update(Text(f"Not imported: {clean(message.error)}", style="bold red"))
            return
        self.report = report = message.report
        shown.update(report_text(report))
        step = _next_step(report)
        if step is not None:  # the option to change has the focus
            option, hint = step
            self._say_next(hint)
            self.query_one(f"#{option}", Checkbox).focus()
        if report.written:  # said at once (it was said only on a second ctrl+s)
            self._say_next("This file is imported: esc closes.")
            self.refresh_bindings()  # Import no longer offered
            if report.changed_fans:  # one own edit (``tui.presence``)
                ofcrm_app(self.app).changes.publish(DataChanged.of("fans", "inbox"))

    def action_close(self) -> None:
        if not self.running:  # an import under way finishes first: it is one transaction
            self.dismiss(self.report)


def _next_step(report: ImportReport) -> tuple[str, str] | None:
    """After a run that wrote nothing: the option to change (its id) and what to say."""
    if report.written or not report.rows:
        return None
    if report.dry_run:
        return "fan-import-dry", "space unticks Dry run, then ctrl+s imports."
    if report.problem_count and not report.skip_invalid:
        return "fan-import-skip", "space ticks Skip bad rows, then ctrl+s imports the other rows."
    return None


def _cell(value: str) -> Text:
    text = Text(clean(value, single_line=True))
    text.truncate(CELL_CHARS, overflow="ellipsis")
    return text
