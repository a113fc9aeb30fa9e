"""The base of a dialog that comes up by itself as the chatter types a reply, and keeps
what is typed on while it is up.

The chatter goes on typing for a moment before seeing it, or pauses mid-word and then
goes on: those keys are the reply's, never an answer, nor keys for the screen under it.
Every key read while it is up that types is kept here as the app reads it
(``takes_key``, before any binding, in the order typed, which the focused widget's queue
would not keep): printable characters as typed, Backspace taking back the last one kept,
Enter as a new line where the dialog says so; a paste as pasted.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events

from ofcrm_tui.tui.dialogs.dialog import Dialog

T = TypeVar("T")


class TypedOnDialog(Dialog[T]):
    """``typed``: what the chatter typed while it was up; ``typed_changed`` shows it."""

    typed = ""

    def enter_types(self) -> bool:
        """Whether Enter is the reply's new line now, not the dialog's key."""
        return False

    def typed_changed(self) -> None:
        """Show (and keep) ``typed`` as it is now."""

    def takes_key(self, event: events.Key) -> bool:
        """Called by the app as each key is read, before any binding (``KeysInOrder``): a
        key that types is the reply's, kept here; the others act."""
        if self._dismissed:
            return False
        if event.key == "enter":
            if not self.enter_types():
                return False
            self.typed += "\n"
        elif event.key == "backspace":
            self.typed = self.typed[:-1]
        elif event.is_printable and event.character:
            self.typed += event.character
        else:
            return False
        self.typed_changed()
        return True

    def on_paste(self, event: events.Paste) -> None:
        """A paste while it is up is the reply's too (no field here takes it)."""
        if not self._dismissed:
            self.typed += event.text
            self.typed_changed()
