"""The base of ofcrm's modal dialogs: dismissed once.

Keys typed fast reach a dialog before it is gone: a second Enter (or ctrl+s) read
behind the first would hand its result again and pop the screen under the dialog
(``ScreenStackError`` when that was the mode's last). A dismissed dialog takes no
second dismissal until it is shown again, nor one while another screen is above it
(which ``pop_screen`` would have taken away instead).

Its own keys (ctrl+s, Esc) and its fields' Enter take what was typed before them, not
the keys read behind them: the app holds those (``KeysInOrder``) until the dialog has
closed, or has stayed open (a refusal: then they are its own, as typed). A save in a
worker holds them until it is done. An Enter that closed it, read again right behind it,
is that press twice (``choice_picked``): it does not act on the screen under the dialog
(the fans list's Enter opened a fan). Esc twice backs out twice; a second ctrl+s reaches
the reply box, which says to check the offer before sending (``Composer``).
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input
from textual.worker import Worker

from ofcrm_tui.tui.keymap import answers_first, bound
from ofcrm_tui.tui.screens.base import ofcrm_app

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    _dismissed = False
    # The workers one of its keys started (a save in a thread): the keys read behind it
    # wait for their outcome.
    _key_workers: frozenset[Worker[object]] = frozenset()
    _key = ""  # the key they wait after

    def keys_wait_after(self, key: str) -> bool:
        """The keys read behind ``key`` wait for what the dialog does with it: ``key`` is
        its own (``own_bindings``), or the Enter of its focused one-line field, which it
        may act on (``Input.Submitted``: the fan filter applies, a new fan is added)."""
        if self._priority(key):
            return False
        focused = self.focused
        if isinstance(focused, Input) and any(b.action == "submit" for b in bound(focused, key)):
            return True
        return bool(self.own_bindings(key))

    def own_bindings(self, key: str) -> list[Binding]:
        """Its bindings of ``key`` when ``key`` is its own: no priority binding has it, and
        no widget between the focus and the dialog binds or types it."""
        return [] if self._priority(key) else answers_first(self, key, self)

    def _priority(self, key: str) -> bool:
        return any(b.priority for _, bindings in self._binding_chain
                   for b in bindings.key_to_bindings.get(key, ()))

    async def _on_key(self, event: events.Key) -> None:
        """Its own key, come up from the focused field once that has typed the keys read
        before it; the app holds those read behind it (``KeysInOrder``) until the dialog
        has closed, or has stayed open (then they are its own)."""
        bindings = self.own_bindings(event.key)
        if not bindings:
            return
        before = self._workers_running()
        for binding in bindings:
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                break
        self._keys_wait_for(self._workers_running() - before, event.key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # After the dialog's own handlers of the field's Enter (base class last).
        self._keys_wait_for(self._workers_running(), "enter")

    def _keys_wait_for(self, workers: frozenset[Worker[object]], key: str) -> None:
        self._key_workers, self._key = workers, key
        if workers:
            return
        app = ofcrm_app(self.app)
        if self._dismissed and key == "enter":
            app.choice_picked(key)
        app.dialog_ready(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # After what the worker posted (its outcome) has been handled: the same queue.
        if event.worker in self._key_workers and event.worker.is_finished:
            self._keys_wait_for(self._key_workers - {event.worker}, self._key)

    def _workers_running(self) -> frozenset[Worker[object]]:
        return frozenset(w for w in self.app.workers if w.node is self and not w.is_finished)

    def dismiss(self, result: T | None = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete.nothing()
        self._dismissed = True
        return super().dismiss(result)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self._dismissed = False
