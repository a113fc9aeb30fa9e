"""Typing into a conversation another chatter owns: reply anyway, take it, or leave it.

The question comes up by itself as the chatter types (the reply box raises it), so the
keys read as it comes are the reply, typed by someone who has not seen it yet: ``r``
and ``t`` answered it ("thanks" took the conversation over, "really" replied anyway)
and the other letters were lost. Until the question is seen (``twice.UNSEEN_SECONDS``
with no key read since it showed, or since the key before: ``Twice``), the dialog
answers nothing and keeps what those keys type: printable characters and Enter as
typed, Backspace taking back the last one kept, as the app reads them (``takes_key``,
before any binding). It shows it, and hands it back
(``typed``) whatever the answer: the reply box types it in after what it held, and
with "reply anyway" or "take it" the chatter goes on typing there; "leave it" leaves
it there as the conversation's draft. Other keys read then (a send, Tab, arrows) are
not passed on: they would act on a reply the chatter has not said to write (a send
would send it). Esc answers at once: leaving, which changes nothing, is what Esc in
the reply box does too. A click is always an answer.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.twice import UNSEEN_SECONDS, Twice
from ofcrm_tui.tui.widgets.footer import KeyFooter

REPLY = "reply"
TAKE = "take"
# The most of the typed text the dialog shows (its end: what was typed last).
TYPED_SHOWN_CHARS = 60


class OwnedDialog(Dialog[str | None]):
    """Dismissed with ``REPLY`` (this once), ``TAKE`` (assign it to me) or None; ``typed``
    is what the chatter typed before they saw the question."""

    DEFAULT_CSS = """
    OwnedDialog .dialog { max-width: 70; }
    OwnedDialog #owned-text { height: auto; }
    OwnedDialog #owned-typed { height: auto; color: $text-muted; }
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
        self.typed = ""
        self._shown = Twice()  # when it showed, then when the last unseen key was read

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
        # At once (``focus()`` waits a turn): the keys read behind the one that opened
        # the dialog are let go once it is mounted, and found "Reply anyway" focused.
        self.set_focus(self.query_one("#owned-cancel", Button))
        self.query_one("#owned-typed", Static).display = False
        self._shown.did()

    @property
    def seen(self) -> bool:
        """The question has been on screen ``UNSEEN_SECONDS`` with no key read since."""
        return not self._shown.again(within=UNSEEN_SECONDS)

    def takes_key(self, event: events.Key) -> bool:
        """Called by the app as each key is read, before any binding (``KeysInOrder``: in
        the order typed, which the focused button's queue would not keep): until the
        question is seen, every key but Esc is the reply's, kept here."""
        if self.seen or event.key == "escape" or self._dismissed:
            return False
        if event.key == "enter":
            self.typed += "\n"
        elif event.key == "backspace":
            self.typed = self.typed[:-1]
        elif event.is_printable and event.character:
            self.typed += event.character
        self._shown.did()
        self._show_typed()
        return True

    def _show_typed(self) -> None:
        shown = clean(self.typed, single_line=True)
        if len(shown) > TYPED_SHOWN_CHARS:
            shown = "…" + shown[-(TYPED_SHOWN_CHARS - 1):]
        typed = self.query_one("#owned-typed", Static)
        typed.update(f"Kept for your reply: {shown}")
        typed.display = bool(self.typed)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice = (event.button.id or "").removeprefix("owned-")
        self.dismiss(None if choice == "cancel" else choice)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
