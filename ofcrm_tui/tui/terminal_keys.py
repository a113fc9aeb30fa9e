"""The terminal's bytes read as the keys typed: Esc and the key right behind it.

Textual's parser (``textual._xterm_parser``) reads Esc as the start of a sequence and
keeps reading while keys come, waiting for one it knows: a burst (``Esc j j Enter``, a
laggy link, tmux ``send-keys``) grew into ``\\x1bjj\\r…`` until the next Esc, and was
then reissued with that Esc as a ``^`` key (``'^jj\\nryy2'`` was sent as a reply). Esc
and a digit it reads as macOS Option characters (its table's WezTerm entries: Esc 2 is
``™``), Esc and ``/``, space or Enter as that key with the Esc dropped. Here Esc and the
key behind it end the sequence as soon as they are read: ``alt+<key>`` for a key
Textual names ``alt+`` (which ``KeysInOrder`` splits back into Esc and the key, unless a
binding answers it), else Esc and the key. The two-byte sequences that Textual's table
reads as keys a terminal sends for one press (Option+Backspace, the Linux console's
shift+Tab, iTerm's Option+arrows as ``\\x1bb``/``\\x1bf``) stay those keys, and Esc
followed by ``[`` or ``O`` still starts a sequence.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

ESC = "\x1b"
# What follows Esc in the longer sequences Textual knows (CSI, SS3).
SEQUENCE_STARTS = frozenset(s[1] for s in ANSI_SEQUENCES_KEYS if len(s) > 2 and s[0] == ESC)


def _escape_then_key(sequence: str) -> bool:
    """``sequence`` is Esc and one key typed behind it, not a sequence's start nor a
    key of Textual's table."""
    return (len(sequence) == 2 and sequence[0] == ESC and sequence[1] != ESC
            and sequence[1] not in SEQUENCE_STARTS
            and not isinstance(ANSI_SEQUENCES_KEYS.get(sequence), tuple))


class EscapeFirstParser(XTermParser):
    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if not _escape_then_key(sequence):
            yield from super()._sequence_to_key_events(sequence, alt)
            return
        keys = list(super()._sequence_to_key_events(sequence[1], alt=True))
        if not any(key.key.startswith("alt+") for key in keys):
            yield events.Key("escape", ESC)
        yield from keys


class EscapeFirstDriver(LinuxDriver):
    """Textual's driver, reading with ``EscapeFirstParser``."""

    def run_input_thread(self) -> None:
        # Textual's own (textual 8.2.8, pinned), with the parser above.
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = EscapeFirstParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break  # stdin piped
                    for event in parser.feed(data):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass

