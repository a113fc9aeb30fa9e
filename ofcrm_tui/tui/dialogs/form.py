"""A dialog of several fields, whose Tab moves to the next field as it is read, and whose
refusals point at the field at fault.

Textual's Tab is a binding of the app, acted on once the key has come back up from the
focused field, after that field has typed the letters read behind it: ``user Tab Name``
typed fast (or over a laggy link) put ``userName`` in the first field. As a priority
binding it moves the focus first (``set_focus`` at once), and the letters follow it.
"""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input

from ofcrm_tui.tui.dialogs.dialog import Dialog

T = TypeVar("T")


class FormDialog(Dialog[T]):
    BINDINGS = [
        Binding("tab", "app.focus_next", "Next field", id="form.next_field", show=False,
                priority=True, system=True),
        Binding("shift+tab", "app.focus_previous", "Previous field",
                id="form.previous_field", show=False, priority=True, system=True),
    ]

    def point_at(self, box: Input) -> None:
        """A value refused: the cursor on its field (``box``), the text selected, so that
        what is typed next replaces it and an arrow key keeps it to be corrected. (The
        cursor was left at the end of the refused text, which the next keys added to;
        a field focused already was not selected again.) Called once the reason is shown;
        the field is scrolled into view after it (the filter's, at 80x24, had scrolled to
        the reason, the field at fault out of view)."""
        self.set_focus(box)  # at once (``focus()`` waits a turn): keys may come fast
        box.select_all()
        self.call_after_refresh(box.scroll_visible, animate=False)


class FieldsScroll(VerticalScroll, can_focus=False):
    """A form's fields, scrolled when the screen is short (80x24), the focused one kept in
    view as they are resized: the refusal's line shown under them takes their last lines
    once laid out, after ``point_at`` has scrolled, and hid half the field at fault."""

    def on_resize(self) -> None:
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            focused.scroll_visible(animate=False)
