"""Fan text is data: make it safe to put on a terminal, and never parse it as markup.

Every string that came from a fan (names, previews, message text, toast bodies) goes
through ``clean`` or ``literal`` before it reaches a widget. Control characters are
replaced by visible stand-ins, so an escape sequence shows up as text (``␛[31m``)
instead of reaching the terminal; ``literal`` wraps the result in a Rich ``Text``,
which never interprets ``[b]`` or ``[link=...]``.

``clean`` also rewrites the emoji sequences whose width Rich and terminals disagree
on (Rich measures some as one grapheme, a terminal per code point, or the other way
round), so a bordered line is as wide on screen as Textual laid it out. What is left
has no character that changes its neighbour's width, so Rich, ``wcwidth``-style
terminals (xterm, VTE, tmux) and grapheme-aware ones all add up per character. Not
fixed here, as no rewrite keeps the text: emoji newer than a terminal's tables,
East Asian Ambiguous characters on a CJK-width terminal, and Indic spacing marks
(U+093F: none to Rich, a cell to wcwidth).

- ZWJ sequences fall apart into their pieces: 👨‍👩‍👧 is shown as 👨👩👧.
- Variation selectors U+FE0E/U+FE0F go: ❤️ is shown as ❤ (one cell, its default),
  1️⃣ as 1⃣.
- Skin-tone modifiers and tag characters go: 👍🏽 is shown as 👍, 🏴󠁧󠁢󠁳󠁣󠁴󠁿 as 🏴.
- Regional indicators stay in pairs (🇵🇹, two cells for everyone); one left without
  a partner becomes its capital letter (🇵 -> P), as one alone is a cell to Rich and
  to wcwidth but two to a grapheme-aware terminal.
- Text is composed (NFC): a letter and its combining accent become one character
  where Unicode has one.
- The Hangul fillers U+3164/U+FFA0 (blank "invisible name" characters; zero cells to
  Rich, one or two to terminals) become a space.
"""

from __future__ import annotations

import re
import unicodedata

from rich.style import Style
from rich.text import Text

# C0 (except tab and newline), DEL and C1 controls; and the bidi overrides, embeddings
# and isolates, which would let text reorder what is drawn after it.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Every character whose width Rich and some terminal disagree on in context, in runs.
_WIDTH = re.compile(
    "[\u200d\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f"  # dropped
    "\u3164\uffa0"  # Hangul fillers: a space each
    "\U0001f1e6-\U0001f1ff]+"  # regional indicators: pairs kept, a lone one spelled
)
_DROPPED = [0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400), *range(0xE0000, 0xE0080)]
_REWRITE = {**dict.fromkeys(_DROPPED), 0x3164: " ", 0xFFA0: " "}
# Left to right, so indicators pair up as Unicode pairs them, from the start of a run.
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]{1,2}")
_REGIONAL_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟, e.g. ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 and bidi controls


def _flag_or_letter(match: re.Match[str]) -> str:
    found = match.group()
    return found if len(found) == 2 else chr(ord("A") + ord(found) - _REGIONAL_A)


def _one_width(match: re.Match[str]) -> str:
    return _REGIONAL.sub(_flag_or_letter, match.group().translate(_REWRITE))


def clean(text: str, *, single_line: bool = False) -> str:
    """``text`` with every control character made visible and harmless, and emoji
    sequences reduced to characters every terminal draws as wide as Rich measures.

    ``single_line`` folds all whitespace (newlines included) into single spaces,
    for list previews, headers and toasts.
    """
    text = text.replace("\r\n", "\n")
    if not text.isascii():
        # Composed first: "cafe" + U+0301 is one cell to a terminal that composes it,
        # two to one that does not; "café" is one to every terminal and to Rich.
        text = _WIDTH.sub(_one_width, unicodedata.normalize("NFC", text))
    if single_line:
        text = " ".join(text.split())
    else:
        text = text.replace("\t", "    ")
    # Every character _CONTROL matches is unprintable (Cc or Cf).
    return text if text.isprintable() else _CONTROL.sub(_stand_in, text)


def literal(text: str, style: str | Style = "", *, single_line: bool = False) -> Text:
    """A Rich ``Text`` showing ``text`` exactly as typed (after ``clean``)."""
    return Text(clean(text, single_line=single_line), style=style)


def typed_end(text: str, chars: int) -> str:
    """``text`` as one line (``clean``), cut to its last ``chars`` with ``…`` before:
    what was typed last, as a dialog that keeps a reply typed on shows it."""
    shown = clean(text, single_line=True)
    return shown if len(shown) <= chars else "…" + shown[-(chars - 1):]


def first_words(text: str, chars: int) -> str:
    """``text`` as one line (``clean``), cut within ``chars`` at a word's end (a word
    longer than half of them is cut) with ``…`` after: what a note starts with, as a
    question or a choice names it."""
    shown = clean(text, single_line=True)
    if len(shown) <= chars:
        return shown
    cut = shown[:chars - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > chars // 2 else cut).rstrip() + "…"
