"""Name and write a new saved reply (the composer's text is offered as its body). What
the reply may not hold is said under the text as it is typed, each problem on a line, as
the price dialog says what its offer breaks; a save refused says why there too, the
dialog open."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea

from ofcrm_tui.core.inbox import saved_replies
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
            yield Static(id="new-reply-error", classes="refusal")
        yield KeyFooter()

    def on_mount(self) -> None:
        body = self.query_one(TextArea)
        body.move_cursor(body.document.end)
        self._check()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _check(self) -> None:
        """What the name and text typed break, each problem said, as they are typed."""
        self._say(saved_replies.typed_problems(self.query_one(Input).value,
                                               self.query_one(TextArea).text))

    def _say(self, problems: list[str]) -> None:
        self.query_one("#new-reply-error", Static).update(Text("\n".join(problems)))

    def action_to_text(self) -> None:
        """Enter in the name goes on to the text (in the text, it is a new line)."""
        if not isinstance(self.focused, Input):
            raise SkipAction()
        self.set_focus(self.query_one(TextArea))

    def action_save(self) -> None:
        name = self.query_one(Input).value.strip()
        body = self.query_one(TextArea).text
        # Refused here, the dialog stays open with what was typed.
        if problems := saved_replies.new_reply_problems(name, body):
            self._say(problems)
            return
        self.dismiss((name, body))
