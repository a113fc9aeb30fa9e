"""Write or edit a note on a fan (several lines; saved with ctrl+s)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import TextArea

from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.widgets.fields import MultilineBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


class NoteDialog(Dialog[str | None]):
    """Returns the note's text, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="fan_note.cancel"),
        Binding("ctrl+s", "save", "Save", id="fan_note.save"),
    ]

    def __init__(self, body: str = "") -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-note-dialog", classes="dialog") as dialog:
            dialog.border_title = "Edit note" if self.body else "New note"
            yield MultilineBox(self.body, id="fan-note-body", soft_wrap=True, tab_behavior="focus")
        yield KeyFooter()

    def on_mount(self) -> None:
        body = self.query_one(TextArea)
        body.move_cursor(body.document.end)
        self.set_focus(body)  # at once (``focus()`` waits a turn): keys may come fast

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self.notify("A note needs some text", severity="warning")
            return
        self.dismiss(text)
