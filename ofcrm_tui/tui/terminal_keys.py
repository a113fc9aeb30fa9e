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
followed by ``[`` or ``O`` still starts a sequence: until it can no longer become a key,
mouse event or terminal reply Textual reads (``_not_a_sequence``: ``\\x1b[j``,
``\\x1b[\\r``) or nothing follows in time, then it is Esc and the keys typed behind it
(Textual kept reading ``Esc [ j …`` as one sequence, then dropped the Esc).
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Generator, Iterable

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._loop import loop_last
from textual._parser import ParseError, Peek1, Read1, TokenCallback
from textual._xterm_parser import XTermParser, _re_mouse_event
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

ESC = "\x1b"
# What follows Esc in the longer sequences Textual knows (CSI, SS3).
SEQUENCE_STARTS = frozenset(s[1] for s in ANSI_SEQUENCES_KEYS if len(s) > 2 and s[0] == ESC)
# The beginnings of the longer sequences of Textual's table (``\x1b[[`` of the Linux
# console's ``\x1b[[A``, F1).
SEQUENCE_PREFIXES = frozenset(
    s[:end] for s in ANSI_SEQUENCES_KEYS if s[0] == ESC for end in range(2, len(s))
)
CSI, SS3 = ESC + "[", ESC + "O"


def _escape_then_key(sequence: str) -> bool:
    """``sequence`` is Esc and one key typed behind it, not a sequence's start nor a
    key of Textual's table."""
    return (len(sequence) == 2 and sequence[0] == ESC and sequence[1] != ESC
            and sequence[1] not in SEQUENCE_STARTS
            and not isinstance(ANSI_SEQUENCES_KEYS.get(sequence), tuple))


def _not_a_sequence(sequence: str) -> bool:
    """``sequence``, ``\\x1b[`` or ``\\x1bO`` and what followed, no key of Textual's
    table, can no longer become one, nor a mouse event or terminal reply: a CSI sequence
    is parameter and intermediate bytes up to one final byte (0x40–0x7E), SS3 one key
    after the ``O``. The mouse (``\\x1b[M`` and three bytes, ``\\x1b[<…M``, urxvt's
    ``\\x1b[1;2;3M``) and the terminal's replies (``\\x1b[?2026;2$y``) are left to
    Textual, which reads them after the keys."""
    if len(sequence) < 3 or sequence[:2] not in (CSI, SS3) or sequence in SEQUENCE_PREFIXES:
        return False
    if sequence[1] == "O":
        return True
    body, last = sequence[2:], ord(sequence[-1])
    if body[0] == "M":
        return False
    if not 0x20 <= last <= 0x7E:
        return True  # a key no sequence has (Enter, Backspace, a letter beyond ASCII)
    if last < 0x40:
        return False  # parameters: the final byte is still to come
    return body[0] not in "<=>?" and _re_mouse_event.match(sequence) is None


class EscapeFirstParser(XTermParser):
    def __init__(self, debug: bool = False) -> None:
        # An Esc that Textual reissues as ``^``: what it read after the Esc did not end a
        # sequence before another Esc came (``Esc [ Esc``), see ``parse``.
        self._escape_reissued = False
        super().__init__(debug)

    def parse(
        self, token_callback: TokenCallback[Message]
    ) -> Generator[Read1 | Peek1, str, None]:
        def on_token(token: Message) -> None:
            if (self._escape_reissued and isinstance(token, events.Key)
                    and token.key == "circumflex_accent"):
                token = events.Key("escape", ESC)
            self._escape_reissued = False
            token_callback(token)

        return super().parse(on_token)

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if sequence == ESC and not alt:
            # Only Textual's reissue of a sequence cut short by an Esc asks for Esc alone:
            # it turns the key into ``^``, which ``parse`` turns back.
            self._escape_reissued = True
        if alt and len(sequence) == 1:
            # A key behind an Esc, reissued when nothing ended the sequence in time
            # (``Esc [`` and no more): Textual drops the Esc unless it names ``alt+<key>``.
            yield from self._escape_and(sequence)
        elif _escape_then_key(sequence):
            yield from self._escape_and(sequence[1])
        elif keys := list(super()._sequence_to_key_events(sequence, alt)):
            yield from keys
        elif _not_a_sequence(sequence):
            yield from self._escape_and(sequence[1])
            for key in sequence[2:]:
                yield from super()._sequence_to_key_events(key)

    def _escape_and(self, key: str) -> Iterable[events.Key]:
        """Esc and ``key`` typed behind it: ``alt+<key>`` when Textual names one (see the
        module's docstring), else Esc, then the key."""
        keys = list(super()._sequence_to_key_events(key, alt=True))
        if not any(event.key.startswith("alt+") for event in keys):
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

