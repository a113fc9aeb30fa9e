"""The base of ofcrm's modal dialogs: dismissed once.

Keys typed fast reach a dialog before it is gone: a second Enter (or ctrl+s) read
behind the first would hand its result again and pop the screen under the dialog
(``ScreenStackError`` when that was the mode's last). A dismissed dialog takes no
second dismissal until it is shown again, nor one while another screen is above it
(which ``pop_screen`` would have taken away instead).
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    _dismissed = False

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self._dismissed = False
