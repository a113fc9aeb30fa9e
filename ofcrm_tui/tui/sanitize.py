"""Fan text is data: make it safe to put on a terminal, and never parse it as markup.

Every string that came from a fan (names, previews, message text, toast bodies) goes
through ``clean`` or ``literal`` before it reaches a widget. Control characters are
replaced by visible stand-ins, so an escape sequence shows up as text (``␛[31m``)
instead of reaching the terminal; ``literal`` wraps the result in a Rich ``Text``,
which never interprets ``[b]`` or ``[link=...]``.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# C0 (except tab and newline), DEL and C1 controls; and the bidi overrides, embeddings
# and isolates, which would let text reorder what is drawn after it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟, e.g. ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 and bidi controls


def clean(text: str, *, single_line: bool = False) -> str:
    """``text`` with every control character made visible and harmless.

    ``single_line`` folds all whitespace (newlines included) into single spaces,
    for list previews, headers and toasts.
    """
    text = text.replace("\r\n", "\n")
    if single_line:
        text = _SPACES.sub(" ", text).strip()
    else:
        text = text.replace("\t", "    ")
    return _CONTROL.sub(_stand_in, text)


def literal(text: str, style: str | Style = "", *, single_line: bool = False) -> Text:
    """A Rich ``Text`` showing ``text`` exactly as typed (after ``clean``)."""
    return Text(clean(text, single_line=single_line), style=style)
