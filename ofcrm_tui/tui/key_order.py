"""The app's keys acted on in the order they are read, however fast they come.

Keys typed fast, over a laggy link or by tmux ``send-keys`` arrive together, before
the app has acted on the first. Textual then reads ``Esc`` and the key after it as one
``alt+<key>``, a dialog pushed by one key is not there yet for the keys behind it, nor
the conversation a key opens (``holds_keys``).
``KeysInOrder.on_event`` is the one place that puts them right (see the developer
guide on key bursts).
"""

from __future__ import annotations

import math
from typing import ClassVar

from textual.app import App
from textual.driver import Driver
from textual.events import Event, Key
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from ofcrm_tui.tui.keymap import answers_first, bound
from ofcrm_tui.tui.twice import Twice

# Keys read before a dialog just pushed can take them wait this long between checks,
# this long at most.
KEY_HOLD_SECONDS = 0.01
KEY_HOLD_MOST = 1.0
# Keys held while the screen says what they act on is on its way (``holds_keys``: the
# conversation ``u`` looks up) wait longer: a reply let go too soon goes to another fan.
SCREEN_HOLD_MOST = 5.0

# Textual's widgets whose keys move the focus a turn later (``focus()``): a drop-down's
# Enter (or Down) opens its list, the list's Enter or Esc goes back to the drop-down.
# The keys read behind them wait until the focus has moved (Down Enter typed behind the
# Enter that opens a drop-down went to the closed drop-down: nothing was chosen).
MOVES_FOCUS_LATER: tuple[tuple[type[Widget], frozenset[str]], ...] = (
    (Select, frozenset({"show_overlay"})),
    (SelectOverlay, frozenset({"select", "dismiss"})),
)


class KeysInOrder(App[None]):
    """The base of ``OfcrmApp``: its key handling."""

    # The app's actions that push a screen or a dialog after their key is read: their
    # keys are not priority bindings (a dialog's own ``q`` or ``?`` comes first), so they
    # act once the key has come back up from the focused widget (the help), or once a
    # worker has read what they ask (``quit`` reads what still waits to be sent). The
    # keys read behind theirs are held for the screen as the key is read (see
    # ``_asks_later``): ``? esc`` closes the help, not the screen under it.
    ASKS_LATER: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        # Keys read while a dialog is on its way (see ``on_event``), and the screen it
        # was asked for from.
        self._held_keys: list[Key] = []
        self._dialog_from: Screen[object] | None = None
        # The key being acted on, and the one that just picked a choice (``choice_picked``).
        self._acting_on: str | None = None
        self._picked = Twice()
        # When the last key acted on was read (its event's time): keys read together are
        # told apart from keys pressed after the user saw the first's outcome, however
        # long a loaded machine took to act on them.
        self.last_key_read_at = -math.inf
        # The widget whose key moves the focus a turn later, until it has.
        self._focus_from: Widget | None = None

    def get_driver_class(self) -> type[Driver]:
        """Textual's terminal driver, reading Esc and the key typed right behind it as
        such (``terminal_keys``; imported here only: it needs a POSIX terminal)."""
        driver = super().get_driver_class()
        if driver.__module__ != "textual.drivers.linux_driver":
            return driver
        from ofcrm_tui.tui.terminal_keys import EscapeFirstDriver

        return EscapeFirstDriver

    async def on_event(self, event: Event) -> None:
        """Keys as they are read, before Textual dispatches them (the one place).

        Esc and the key typed right after it, read as one ``alt+<key>`` (typed fast, a
        laggy link, tmux ``send-keys``), are two keys: Esc is acted on as it is read,
        then the key goes where the focus is after Esc, and so do the keys read behind
        it. Otherwise a text box would type the key (``j`` into a reply after Esc j),
        and the keys behind it, queued for the box before Esc moved the focus, too. An
        ``alt+<key>`` that a binding of the focus chain answers (a keymap may bind one)
        stays itself."""
        if not isinstance(event, Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._held_keys or self._screen_coming():
            # A key acted on as read pushed a dialog (ctrl+o from the reply box): the
            # keys behind it are the dialog's, held until it has its focus (they went
            # into the box before, or nowhere), in the order read.
            self._hold(event)
            return
        await self._act_on_key(event)

    def _hold(self, event: Key, *, first: bool = False) -> None:
        """Hold ``event`` until what it acts on is there (``first``: ahead of the keys
        held already, read behind it)."""
        self._held_keys.insert(0 if first else len(self._held_keys), event)
        if len(self._held_keys) == 1:
            self.set_timer(KEY_HOLD_SECONDS, self._release_keys)

    def expect_dialog(self) -> None:
        """A key acted on as read asked for a dialog (a message will push it), or the
        dialog shown waits for what its keys act on (``ChoiceDialog``'s choices, the
        saved replies, read in a worker): the keys read behind it wait, until another
        screen is shown or ``dialog_ready``."""
        self._dialog_from = self.screen

    def dialog_ready(self, screen: Screen[object]) -> None:
        """``screen`` has what its keys act on: the keys held for it go on."""
        if self._dialog_from is screen:
            self._dialog_from = None

    def choice_picked(self, key: str | None = None) -> None:
        """``key`` (by default the key being acted on: Enter) picked a choice, which
        closes. The same key read right behind it in the same burst is that press twice
        (a double Enter, by habit or a bounce), not meant for what the choice leads to,
        which the user has not seen: the closing choice takes it (it was a new line in
        the note, or opened the inbox's highlighted conversation). Any other key there
        goes on to what the choice opened (``e enter`` then the note's words); a key read
        after the burst (the app idle since) is the user's next (Enter on the campaign
        just started). A dialog that picks on its field's Enter (``Input.Submitted``,
        after the key was acted on) names the key."""
        self._picked.did(key or self._acting_on)

    def on_idle(self) -> None:
        if not self._held_keys:
            self._picked.forget()  # the burst is over: the next key is a new press

    def _screen_coming(self) -> bool:
        # Or the focus: a drop-down's key moves it a turn later (``MOVES_FOCUS_LATER``).
        if self._focus_from is not None and self._focus_from is self.focused:
            return True
        self._focus_from = None
        if self._dialog_from is self.screen:
            return True
        self._dialog_from = None
        if self._screen_holds():
            return True
        # Until its ``on_mount`` has run, where a dialog puts its focus (Textual focuses
        # its first field before that: a Tab read then moved on from the wrong one).
        return not self.screen.is_mounted

    def _screen_holds(self) -> bool:
        """The screen says what the keys act on is on its way (``holds_keys``: the
        conversation a key opens)."""
        holds_keys = getattr(self.screen, "holds_keys", None)
        return holds_keys is not None and bool(holds_keys())

    def _hold_most(self) -> float:
        return SCREEN_HOLD_MOST if self._screen_holds() else KEY_HOLD_MOST

    async def _release_keys(self, waited: float = 0.0) -> None:
        # A dialog asked for and not pushed (its request refused) does not hold the keys
        # for ever.
        if waited >= KEY_HOLD_MOST:
            self._dialog_from = self._focus_from = None
        while self._held_keys:
            if not self.screen_stack:  # the app is closing: nothing left to act on them
                self._held_keys.clear()
                return
            if self._screen_coming() and waited < self._hold_most():
                break
            await self._act_on_key(self._held_keys.pop(0))
        if self._held_keys:
            waited += KEY_HOLD_SECONDS
            self.set_timer(KEY_HOLD_SECONDS, lambda: self._release_keys(waited))

    async def _act_on_key(self, event: Key) -> None:
        twice = self._picked.again(event.key)
        self._picked.forget()
        if twice:
            return  # the choosing key twice: the choice took it
        if self._next_callbacks:
            # What the key before left to finish after it (the header of a screen just
            # pushed puts its title in) is done before this key acts: a key that took
            # that screen away at once made the header fail on a removed node.
            await self._flush_next_callbacks()
            if not self.screen_stack:
                return  # what it finished closed the app
        follow = after_escape(event)
        if follow is None or self._bound(event.key):
            await self._dispatch_key(event)
            return
        # The screen's Esc, priority or not (as if it had come up from the focused
        # widget), now: a binding moves the focus at once (``set_focus``), or closes
        # the dialog. Unbound, Esc goes where it always went.
        if not (await self._check_bindings("escape", priority=True)
                or await self._check_bindings("escape")):
            await super().on_event(Key("escape", "\x1b"))
        if self._screen_coming():
            # Esc waits for something first (the composer's fields to type the keys
            # read before it): so does the key read with it, as if read after it.
            self._hold(follow, first=True)
            return
        await self._dispatch_key(follow)

    async def _dispatch_key(self, event: Key) -> None:
        takes_key = getattr(self.screen, "takes_key", None)
        if takes_key is not None and takes_key(event):
            return  # the screen read it itself, as read (``OwnedDialog``: a reply typed on)
        if (self._asks_later(event.key) or self._focus_waits_after(event.key)
                or self._dialogs_own(event.key)):
            self.expect_dialog()
        elif self._moves_focus_later(event.key):
            self._focus_from = self.focused
        self._acting_on = event.key
        self.last_key_read_at = event.time
        try:
            await super().on_event(event)
        finally:
            self._acting_on = None

    def _dialogs_own(self, key: str) -> bool:
        """``key`` is one of the dialog's own keys (its ctrl+s, Esc) or its field's Enter:
        the keys read behind it wait for what it does (``dialogs.dialog.Dialog``, not
        imported here: the app module loads no dialog)."""
        keys_wait_after = getattr(self.screen, "keys_wait_after", None)
        return keys_wait_after is not None and bool(keys_wait_after(key))

    def _moves_focus_later(self, key: str) -> bool:
        """``key`` runs an action of the focused widget that moves the focus a turn later
        (``MOVES_FOCUS_LATER``)."""
        focused = self.focused
        for kind, actions in MOVES_FOCUS_LATER:
            if isinstance(focused, kind):
                return any(b.action in actions for b in bound(focused, key))
        return False

    def _focus_waits_after(self, key: str) -> bool:
        """``key`` runs one of the focused widget's ``WAIT_AFTER`` actions (the reply's
        send): the keys read behind it wait until the screen says ``dialog_ready``."""
        focused = self.focused
        actions: frozenset[str] = getattr(focused, "WAIT_AFTER", frozenset())
        if focused is None or not actions:
            return False
        return any(b.action in actions for b in bound(focused, key))

    def _bound(self, key: str) -> bool:
        return any(key in bindings.key_to_bindings for _, bindings in self.screen._binding_chain)

    def _shows_later(self, action: str) -> bool:
        """``action`` puts up a screen after the key is acted on: a dialog once a worker
        has read (``ASKS_LATER``), or another mode's screen (composed on its first visit:
        ``3 j`` moved the inbox's list, not the fans')."""
        return action in self.ASKS_LATER or _switches_mode(action, self.current_mode)

    def _asks_later(self, key: str) -> bool:
        """``key`` runs one of the app's ``ASKS_LATER`` actions: no binding below the
        app's answers it first and the focused box does not type it (a dialog's ``q``,
        or a ``q`` typed into a reply, is not the app's)."""
        if not any(self._shows_later(b.action) for b in bound(self, key)):
            return False  # the cheap answer for almost every key: no binding chain built
        return bool(answers_first(self.screen, key, self))


def _switches_mode(action: str, current: str) -> bool:
    """``action`` shows another mode's screen (``switch_mode('fans')`` from the inbox)."""
    return action.startswith("switch_mode(") and action != f"switch_mode({current!r})"


def after_escape(event: Key) -> Key | None:
    """The key that followed Esc, when the terminal read Esc and that key as one
    ``alt+<key>`` (a printable key only: ``alt+left`` and the like are keys of their own).
    Esc then a key Textual does not name ``alt+`` (``/``, space, Enter) is read as two
    keys already (``terminal_keys``)."""
    if not event.key.startswith("alt+") or not event.is_printable:
        return None
    key = event.key.removeprefix("alt+")
    if key.startswith("shift+") and len(key) == len("shift+") + 1:
        key = key[-1].upper()
    return Key(key, event.character)
