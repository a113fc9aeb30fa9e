"""A dialog of several fields, whose Tab moves to the next field as it is read.

Textual's Tab is a binding of the app, acted on once the key has come back up from the
focused field, after that field has typed the letters read behind it: ``user Tab Name``
typed fast (or over a laggy link) put ``userName`` in the first field. As a priority
binding it moves the focus first (``set_focus`` at once), and the letters follow it.
"""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding

from ofcrm_tui.tui.dialogs.dialog import Dialog

T = TypeVar("T")


class FormDialog(Dialog[T]):
    BINDINGS = [
        Binding("tab", "app.focus_next", "Next field", id="form.next_field", show=False,
                priority=True, system=True),
        Binding("shift+tab", "app.focus_previous", "Previous field",
                id="form.previous_field", show=False, priority=True, system=True),
    ]
