"""Add a fan by hand: one known from elsewhere, without a platform id."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from ofcrm_tui.core.fans import edits
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.dialogs.form import FormDialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter

FIELDS = ("username", "name", "nickname")


class NewFanDialog(FormDialog[int | None]):
    """Creates the fan (in a thread) and returns its id; a refused one keeps the dialog
    open with the reason in one line, what was typed and the cursor on the field at
    fault, its text selected (``point_at``), so that it can be typed over or corrected."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="fan_new.cancel"),
        Binding("ctrl+s", "save", "Add", id="fan_new.save"),
    ]

    class Done(Message):
        def __init__(self, fan_id: int | None, error: str = "", field: str | None = None) -> None:
            super().__init__()
            self.fan_id = fan_id
            self.error = error
            self.field = field

    def __init__(self, db: Database, account_id: int) -> None:
        super().__init__()
        self.db = db
        self.account_id = account_id
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-new-dialog", classes="dialog") as dialog:
            dialog.border_title = "New fan"
            yield Label("Username (required, new to this account)")
            yield TextBox(placeholder="e.g. lena_s", id="fan-new-username")
            yield Label("Name")
            yield TextBox(id="fan-new-name")
            yield Label("Nickname")
            yield TextBox(id="fan-new-nickname")
            yield Static(id="fan-new-error")
        yield KeyFooter()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "fan-new-nickname":
            self.action_save()
        else:
            self.focus_next()

    @on(Input.Changed)
    def _edited(self, _event: Input.Changed) -> None:
        """A field changed after a refusal: its reason no longer holds, so it goes."""
        line = self.query_one("#fan-new-error", Static)
        if line.display:
            line.update("")
            line.display = False

    def action_save(self) -> None:
        if self.saving:
            return
        values = {name: self.query_one(f"#fan-new-{name}", Input).value for name in FIELDS}
        self.saving = True
        self._create(values)

    @work(thread=True, group="fan-create", exit_on_error=False)
    def _create(self, values: dict[str, str]) -> None:
        try:
            fan_id = edits.create_fan(self.db, self.account_id, **values)
        except OfcrmError as exc:
            self.post_message(self.Done(None, f"Not added: {exc}", getattr(exc, "field", None)))
            return
        self.post_message(self.Done(fan_id))

    def on_new_fan_dialog_done(self, message: Done) -> None:
        self.saving = False
        if message.fan_id is not None:
            self.dismiss(message.fan_id)
            return
        error = Text(clean(message.error, single_line=True), no_wrap=True, overflow="ellipsis")
        line = self.query_one("#fan-new-error", Static)
        line.update(error)
        line.display = True
        if message.field in FIELDS:
            self.point_at(self.query_one(f"#fan-new-{message.field}", Input))
