"""Add a fan by hand: one known from elsewhere, without a platform id."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label


class NewFanDialog(ModalScreen[dict[str, str] | None]):
    """Returns ``create_fan``'s keyword arguments (username, name, nickname)."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="fan_new.cancel"),
        Binding("ctrl+s", "save", "Add", id="fan_new.save"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="fan-new-dialog", classes="dialog") as dialog:
            dialog.border_title = "New fan"
            yield Label("Username (required, new to this account)")
            yield Input(placeholder="e.g. lena_s", id="fan-new-username")
            yield Label("Name")
            yield Input(id="fan-new-name")
            yield Label("Nickname")
            yield Input(id="fan-new-nickname")
        yield Footer()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "fan-new-nickname":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        values = {
            name: self.query_one(f"#fan-new-{name}", Input).value
            for name in ("username", "name", "nickname")
        }
        if not values["username"].strip().removeprefix("@"):
            self.notify("A fan needs a username", severity="warning")
            return
        values["username"] = values["username"].strip().removeprefix("@")
        self.dismiss(values)
