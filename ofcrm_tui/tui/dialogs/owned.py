"""Typing into a conversation another chatter owns: reply anyway, take it, or leave it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.footer import KeyFooter

REPLY = "reply"
TAKE = "take"


class OwnedDialog(Dialog[str | None]):
    """Dismissed with ``REPLY`` (this once), ``TAKE`` (assign it to me) or None."""

    DEFAULT_CSS = """
    OwnedDialog .dialog { max-width: 70; }
    OwnedDialog #owned-text { height: auto; }
    OwnedDialog .buttons Button { min-width: 10; }
    """
    # Priority: acted on as read, so the keys typed behind them (the reply) go where
    # the answer leads, not to the button focused here.
    BINDINGS = [
        Binding("r", "choose('reply')", "Reply anyway", id="owned.reply", priority=True),
        Binding("t", "choose('take')", "Take it", id="owned.take", priority=True),
        Binding("escape", "dismiss(None)", "Leave it", id="owned.cancel", priority=True),
    ]

    def __init__(self, owner: str, fan_name: str) -> None:
        super().__init__()
        self.owner = owner
        self.fan_name = fan_name

    def compose(self) -> ComposeResult:
        owner = clean(self.owner, single_line=True)
        fan = clean(self.fan_name, single_line=True)
        text = Text()
        text.append(fan, "bold")
        text.append(" is assigned to ")
        text.append(owner, "bold")
        text.append(". Reply anyway, or take the conversation over?")
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = Text(f"Assigned to {owner}")
            yield Static(text, id="owned-text")
            with Horizontal(classes="buttons"):
                yield Button("Reply anyway", id="owned-reply")
                yield Button("Take it", variant="primary", id="owned-take")
                yield Button("Leave it", id="owned-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        # At once (``focus()`` waits a turn): the keys read behind the one that opened
        # the dialog are let go once it is mounted, and found "Reply anyway" focused.
        self.set_focus(self.query_one("#owned-cancel", Button))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removeprefix("owned-")
        self.dismiss(None if choice == "cancel" else choice)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
