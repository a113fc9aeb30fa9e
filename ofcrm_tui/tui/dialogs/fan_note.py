"""Write or edit a note on a fan (several lines; saved with ctrl+s). A note the rules
refuse keeps the dialog open with its text; Esc asks before it throws typed text away."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import TextArea

from ofcrm_tui.core.fans import edits
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.choice import ask_to_discard
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.fields import MultilineBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


class NoteDialog(Dialog[str | None]):
    """Returns the note's text, or None when cancelled. ``delete_key``: the key of the
    screen under it that deletes the note edited, named when its text is emptied."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="fan_note.cancel"),
        Binding("ctrl+s", "save", "Save", id="fan_note.save"),
    ]

    def __init__(self, body: str = "", *, delete_key: str = "") -> None:
        super().__init__()
        self.body = body
        self.delete_key = delete_key

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
            hint = f": {self.delete_key} deletes it" if self.body and self.delete_key else ""
            self.notify(f"An empty note is not saved{hint}", severity="warning", markup=False)
            return
        try:
            edits.check_values(note=text)
        except OfcrmError as exc:
            self.notify(clean(f"not saved: {exc}", single_line=True), severity="error",
                        markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.query_one(TextArea).text == self.body:
            self.dismiss(None)
            return
        what = "the changes to this note" if self.body else "this note"
        ask_to_discard(self.app, f"Discard {what}?", lambda: self.dismiss(None))
