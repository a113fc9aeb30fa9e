"""Name and write a new saved reply (the composer's text is offered as its body)."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, TextArea

from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.core.inbox.saved_replies import SavedReplyError
from ofcrm_tui.tui.dialogs.form import FormDialog
from ofcrm_tui.tui.widgets.fields import MultilineBox, TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


class NewReplyDialog(FormDialog[tuple[str, str] | None]):
    """Returns ``(name, body)``; placeholders like ``{name}`` are kept as typed."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="new_reply.cancel"),
        Binding("ctrl+s", "save", "Save", id="new_reply.save"),
        # As it is read: the name's own Enter came once it had typed the keys read behind
        # it (the text typed fast went into the name).
        Binding("enter", "to_text", "Text", show=False, priority=True, system=True),
    ]

    def __init__(self, body: str) -> None:
        super().__init__()
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="new-reply-dialog", classes="dialog") as dialog:
            dialog.border_title = "New saved reply"
            yield Label("Name")
            yield TextBox(placeholder="e.g. welcome", id="new-reply-name")
            yield Label("Text: {name} and {username} are filled in for each fan")
            yield MultilineBox(self.body, id="new-reply-body", soft_wrap=True, tab_behavior="focus")
        yield KeyFooter()

    def on_mount(self) -> None:
        body = self.query_one(TextArea)
        body.move_cursor(body.document.end)

    def action_to_text(self) -> None:
        """Enter in the name goes on to the text (in the text, it is a new line)."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        self.set_focus(self.query_one(TextArea))

    def action_save(self) -> None:
        name = self.query_one(Input).value.strip()
        body = self.query_one(TextArea).text
        if not name or not body.strip():
            self.notify("A saved reply needs a name and some text", severity="warning")
            return
        try:  # refused here, the dialog stays open with what was typed
            saved_replies.check_new_body(body)
        except SavedReplyError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.dismiss((name, body))
