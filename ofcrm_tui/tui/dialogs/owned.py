"""Typing into a conversation another chatter owns: reply anyway, take it, or leave it.

The question comes up by itself as the chatter types (the reply box raises it), so the
keys read while it is up are the reply, typed on by someone who may not have seen it, or
who paused mid-word and then went on: a letter never answers it. Its answers are keys a
typist does not type in a reply: ctrl+g (reply anyway), ctrl+t (take it; ctrl+r is the
reply box's saved replies), Esc (leave it, which changes nothing, as Esc in the reply box),
and its buttons, reached with Tab or the arrows (no button has the focus until then) and
pressed with Enter or a click. Every key read while it is up that types is the reply's,
kept here as the app reads it (``TypedOnDialog``), Enter too (until a button has the
focus: a new line). The dialog shows what the reply box held when it came
up with what it kept, and hands what it kept back (``typed``) whatever the answer: the
reply box types it in, and with "reply anyway" or "take it" the chatter goes on typing
there; "leave it" leaves it there as the conversation's draft. A send (ctrl+s) is not
passed on: it would send a reply the chatter has not said to write.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ofcrm_tui.tui.dialogs.typed_on import TypedOnDialog
from ofcrm_tui.tui.sanitize import clean, typed_end
from ofcrm_tui.tui.widgets.footer import KeyFooter

REPLY = "reply"
TAKE = "take"
# The most of the kept text the dialog shows (its end: what was typed last).
TYPED_SHOWN_CHARS = 60


class OwnedDialog(TypedOnDialog[str | None]):
    """Dismissed with ``REPLY`` (this once), ``TAKE`` (assign it to me) or None; ``typed``
    is what the chatter typed while it was up."""

    DEFAULT_CSS = """
    OwnedDialog .dialog { max-width: 70; }
    OwnedDialog #owned-text { height: auto; }
    OwnedDialog #owned-typed { height: auto; color: $text-muted; }
    OwnedDialog .buttons Button { min-width: 10; }
    """
    # No button is focused as it comes (Textual would focus the first): an Enter typed
    # on is the reply's new line, until Tab or an arrow picks a button.
    AUTO_FOCUS = ""
    # Priority: acted on as read, so the keys typed behind them (the reply) go where
    # the answer leads, not to the button focused here.
    BINDINGS = [
        Binding("ctrl+g", "choose('reply')", "Reply anyway", id="owned.reply", priority=True),
        Binding("ctrl+t", "choose('take')", "Take it", id="owned.take", priority=True),
        Binding("escape", "dismiss(None)", "Leave it", id="owned.cancel", priority=True),
        Binding("left,up", "app.focus_previous", "Previous", id="owned.previous", show=False),
        Binding("right,down", "app.focus_next", "Next", id="owned.next", show=False),
    ]

    def __init__(self, owner: str, fan_name: str, in_box: str = "") -> None:
        """``in_box``: what the reply box held as the question came (the keys read
        before it), shown with what is kept here."""
        super().__init__()
        self.owner = owner
        self.fan_name = fan_name
        self.in_box = in_box

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
            yield Static(id="owned-typed", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Reply anyway", id="owned-reply")
                yield Button("Take it", variant="primary", id="owned-take")
                yield Button("Leave it", id="owned-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.typed_changed()

    def enter_types(self) -> bool:
        """Enter is the reply's new line while no button has the focus (one chosen with
        Tab or an arrow takes it)."""
        return not isinstance(self.focused, Button)

    def typed_changed(self) -> None:
        kept = self.in_box + self.typed
        typed = self.query_one("#owned-typed", Static)
        typed.update(f"Kept for your reply: {typed_end(kept, TYPED_SHOWN_CHARS)}")
        typed.display = bool(kept.strip())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removeprefix("owned-")
        self.dismiss(None if choice == "cancel" else choice)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
