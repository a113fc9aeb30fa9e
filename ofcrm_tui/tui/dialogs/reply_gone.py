"""The reply cut off: the fan it was for was deleted meanwhile (here, by another chatter
or the CLI) while the chatter typed it.

The notice comes up by itself as the chatter types, who goes on typing for a moment
before seeing it: those keys were meant for the reply, and on the inbox's list they act
(``m``, ``o``; ``u`` opened the next unread conversation and ``r`` its reply box, which
took the keys after, for another fan). So every key read while it is up that types is
the reply's (``TypedOnDialog``: characters, Backspace, a paste), and the clipboard holds
the whole reply, what the box held and what was typed on (the notice says so). Only
Enter and Esc close it (its footer names both); the focus is then on the inbox's list. An Enter typed within ``UNSEEN_SECONDS`` of the
notice showing, or of the last key typed into it, is the reply's new line: typed on
without a pause, the chatter has not read the notice yet.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from ofcrm_tui.tui.dialogs.typed_on import TypedOnDialog
from ofcrm_tui.tui.sanitize import clean, typed_end
from ofcrm_tui.tui.twice import UNSEEN_SECONDS, Twice
from ofcrm_tui.tui.widgets.footer import KeyFooter

# The most of the reply the notice shows (its end: what was typed last).
KEPT_SHOWN_CHARS = 60


class ReplyGoneDialog(TypedOnDialog[None]):
    """``kept``: the whole reply, on the clipboard (what the box held, then ``typed``,
    what the chatter typed on while the notice was up)."""

    # Nothing to focus: Enter comes up to the dialog, whose own key it is (a second
    # Enter read right behind it is that press twice, not the list's open).
    AUTO_FOCUS = ""
    # Esc's action is its own: the footer shows one key per action (it named only Enter).
    BINDINGS = [
        Binding("enter", "dismiss(None)", "OK", id="reply_gone.ok"),
        Binding("escape", "close", "Close", id="reply_gone.close"),
    ]

    def __init__(self, fan_name: str, in_box: str) -> None:
        super().__init__()
        self.fan_name = fan_name
        self.in_box = in_box
        self._typing = Twice()  # when the notice showed, or a key was last typed into it

    def enter_types(self) -> bool:
        return self._typing.again(within=UNSEEN_SECONDS)

    @property
    def kept(self) -> str:
        return self.in_box + self.typed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reply-gone-dialog") as dialog:
            dialog.border_title = "Reply not sent"
            yield Static(id="reply-gone-text")
            yield Static(id="reply-gone-kept", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.typed_changed()

    def action_close(self) -> None:
        self.dismiss(None)

    def typed_changed(self) -> None:
        """The whole reply on the clipboard, and the notice saying so."""
        self._typing.did()
        kept = self.kept
        has_text = bool(kept.strip())
        if has_text:
            self.app.copy_to_clipboard(kept)
        text = Text()
        text.append(clean(self.fan_name, single_line=True), "bold")
        text.append(" was deleted meanwhile.")
        text.append(" Your unsent reply is on the clipboard, with what you type here."
                    if has_text else " Nothing was sent.")
        self.query_one("#reply-gone-text", Static).update(text)
        shown = self.query_one("#reply-gone-kept", Static)
        shown.update(f"Your reply: {typed_end(kept, KEPT_SHOWN_CHARS)}")
        shown.display = has_text
