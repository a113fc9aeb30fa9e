"""The base of the dialogs that export to a file (fans, analytics): the path typed in a
``FileBox``, the file written in a thread worker; the dialog closes once it is written
(a toast says where) and otherwise stays open with the path as typed and the reason on
one line (no path, a file it would replace, a folder that does not exist, a directory)."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Input, Static

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.fields import FileBox, exported

# What a dialog's export does, in the worker: how many it wrote, and that in words for
# the toast (``1 fan``, ``24 hourly rows``).
Job = Callable[[], tuple[int, str]]


def default_path(what: str, *days: date) -> Path:
    """The file an export suggests: ``ofcrm-fans-2026-12-01.csv``,
    ``ofcrm-analytics-2026-11-25-2026-12-01.csv`` (a day given twice named once), in the
    home folder: an absolute path, whatever folder ofcrm was started in."""
    named = "-".join(day.isoformat() for day in dict.fromkeys(days))
    return Path.home() / f"ofcrm-{what}-{named}.csv"


class _AbstractDialog(ABCMeta, type(Dialog)):  # type: ignore[misc]
    """A dialog's metaclass (Textual's) that also refuses to make an abstract class."""


class FileExportDialog(Dialog[int | None], metaclass=_AbstractDialog):
    """Returns how many rows the file holds (None: closed before exporting). A subclass
    composes a ``FileBox`` and the ``Static`` named by ``REASON`` and says what to write
    (``job``)."""

    REASON: ClassVar[str]  # the selector of the line that says why not
    running = False  # an export is being written: Esc and Enter wait for it
    written: int | None = None

    class Done(Message):
        def __init__(self, written: int | None, what: str, path: Path, error: str = "") -> None:
            super().__init__()
            self.written = written
            self.what = what
            self.path = path
            self.error = error

    @abstractmethod
    def job(self, path: Path) -> Job:
        """What writing ``path`` takes: read from the dialog now, run in the worker."""

    def export_started(self) -> None:
        """The export is under way (a subclass shows its progress)."""

    def export_failed(self) -> None:
        """The export stopped short (a subclass hides its progress)."""

    def say(self, reason: Text | str) -> None:
        self.query_one(self.REASON, Static).update(reason)

    @on(Input.Submitted, "FileBox")
    def start_export(self) -> None:
        if self.running:
            return
        path = self.query_one(FileBox).checked()
        if isinstance(path, str):
            self.say(Text(clean(path), style="bold"))
            return
        self.say("")
        self.running = True
        self.export_started()
        self._export(path, self.job(path))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _export(self, path: Path, job: Job) -> None:
        try:
            written, what = job()
        except OfcrmError as exc:
            self.post_message(self.Done(None, "", path, str(exc)))
            return
        self.post_message(self.Done(written, what, path))

    def on_file_export_dialog_done(self, message: Done) -> None:
        self.running = False
        if message.written is None:
            self.export_failed()  # nothing is going on any more
            self.say(Text(f"Not exported: {clean(message.error, single_line=True)}",
                          style="bold red"))
            return
        # Done: the dialog goes, so the next key is the screen's again (not typed into
        # the file name), and a toast says where the file is.
        self.written = message.written
        self.app.notify(exported(message.what, message.path), markup=False)
        self.dismiss(message.written)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(self.written)
