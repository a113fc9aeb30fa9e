"""Text fields of a form that Esc closes, for the keys typed right after Esc.

A terminal sends Esc as one byte. When the next key follows within Textual's escape
delay, or the app reads both at once under load, the two arrive as one ``alt+<key>``
and a field would type the key: "Esc q" put a "q" into the form instead of closing it.
These fields give such a key to their screen first (``KeyGate.take_key``), and so every
key while the screen is closing, so that it can close and hand the keys on in order.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual import events
from textual.widgets import Input, TextArea


@runtime_checkable
class KeyGate(Protocol):
    def take_key(self, event: events.Key) -> bool:
        """True: the screen took the key (the field must not type it)."""


def after_escape(event: events.Key) -> events.Key | None:
    """The key that followed Esc, when the terminal's Esc and that key arrived as one
    ``alt+<key>`` (a printable key only: ``alt+left`` and the like are keys of their own)."""
    if not event.key.startswith("alt+") or not event.is_printable:
        return None
    key = event.key.removeprefix("alt+")
    if key.startswith("shift+") and len(key) == len("shift+") + 1:
        key = key[-1].upper()
    return events.Key(key, event.character)


def copy_key(event: events.Key) -> events.Key:
    """A fresh event of the same key, to be handed on (an event is dispatched once)."""
    return events.Key(event.key, event.character)


class _Gated:
    """Asks the screen before the field's own key handling."""

    def on_key(self, event: events.Key) -> None:
        gate = self.screen  # type: ignore[attr-defined]
        if isinstance(gate, KeyGate) and gate.take_key(event):
            event.stop()
            event.prevent_default()


class GatedInput(_Gated, Input):
    pass


class GatedTextArea(_Gated, TextArea):
    pass
