"""Another chatter got to this fan first: what they sent (or that they are typing), and
whether to send the reply anyway, keep it as a draft, or throw it away.

Their names and text are data: shown literally, never as markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ofcrm_tui.core.team import Collision
from ofcrm_tui.core.team.guard import ago
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.footer import KeyFooter

SEND = "send"
KEEP = "keep"
DISCARD = "discard"
# Lines of another chatter's message shown.
TEXT_LINES = 6


def collision_text(collision: Collision, now: datetime) -> Text:
    text = Text()
    for send in collision.sends:
        who = clean(send.chatter, single_line=True) if send.chatter else "Someone outside ofcrm"
        verb = "queued" if send.pending else "sent"
        text.append(who, "bold")
        text.append(f" {verb} a message {ago(send.at, now)}:\n")
        lines = clean(send.text).splitlines() or [""]
        shown = lines[:TEXT_LINES] + (["…"] if len(lines) > TEXT_LINES else [])
        text.append("".join(f"  │ {line}\n" for line in shown), "italic")
        text.append("\n")
    for name in collision.typing:
        text.append(clean(name, single_line=True), "bold")
        text.append(" is typing to this fan now.\n\n")
    text.append("Your reply is still in the composer.")
    return text


class CollisionDialog(Dialog[str]):
    """Dismissed with ``SEND``, ``KEEP`` or ``DISCARD``."""

    DEFAULT_CSS = """
    CollisionDialog .dialog { max-width: 76; }
    CollisionDialog #collision-text { height: auto; max-height: 20; }
    CollisionDialog .buttons Button { min-width: 12; }
    """
    # Priority: acted on as read, so the keys typed behind them (more of the reply)
    # go where the answer leads, not to the button focused here.
    BINDINGS = [
        Binding("s", "choose('send')", "Send anyway", id="collision.send", priority=True),
        Binding("d,escape", "choose('keep')", "Keep as draft", id="collision.keep",
                priority=True),
        Binding("x", "choose('discard')", "Discard", id="collision.discard", priority=True),
    ]

    def __init__(self, collision: Collision, fan_name: str, now: datetime) -> None:
        super().__init__()
        self.collision = collision
        self.fan_name = fan_name
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            dialog.border_title = Text(
                f"Someone else is answering {clean(self.fan_name, single_line=True)}")
            yield Static(collision_text(self.collision, self.now), id="collision-text")
            with Horizontal(classes="buttons"):
                yield Button("Send anyway", variant="warning", id="collision-send")
                yield Button("Keep as draft", variant="primary", id="collision-keep")
                yield Button("Discard", variant="error", id="collision-discard")
        yield KeyFooter()

    def on_mount(self) -> None:
        # At once (``focus()`` waits a turn): the keys read behind the one that opened
        # the dialog are let go once it is mounted, and found "Send anyway" focused.
        self.set_focus(self.query_one("#collision-keep", Button))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("collision-"))

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
