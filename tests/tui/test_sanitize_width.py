"""Cleaned fan text is as wide on every terminal as Rich measures it.

Rich 15 measures some emoji sequences as one grapheme (a ZWJ family: 2 cells) and
others per code point, while terminals measure them per code point (xterm, VTE;
tmux 3.3a draws ❤️ in 1 cell where Rich counts 2, and 👍🏽 in 4 where Rich counts 2) or
as graphemes of their own reckoning. ``clean`` rewrites them into characters each of
which has one width for everybody; these tests measure the result both ways.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size
from rich.text import Text

from ofcrm_tui.tui.sanitize import clean, literal

# Format characters that are zero cells to Rich, wcwidth and terminals alike.
_ZERO_WIDTH_FORMAT = set("\u200b\u200c\u2060\ufeff\u200e\u200f\u061c")
_REGIONAL_RUN = re.compile("[\U0001f1e6-\U0001f1ff]+")


def agreed_width(text: str) -> int:
    """Cells a per-code-point (wcwidth) terminal gives ``text``, from ``unicodedata``.

    Fails on a character whose width depends on who measures it: one that changes
    the width of its neighbours, or a spacing mark (0 cells to Rich, 1 to wcwidth).
    East Asian Ambiguous characters count 1, as Rich and non-CJK terminals have them.
    """
    width = 0
    for char in text:
        category = unicodedata.category(char)
        name = unicodedata.name(char, hex(ord(char)))
        assert category not in ("Mc", "Cc", "Cn") or char == "\n", f"{name}: no agreed width"
        assert not name.startswith("EMOJI MODIFIER"), f"{name}: no agreed width"
        assert char not in "\ufe0e\ufe0f", f"{name}: no agreed width"
        if category in ("Mn", "Me"):
            continue
        if category == "Cf":
            assert char in _ZERO_WIDTH_FORMAT, f"{name}: no agreed width"
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def assert_no_context(text: str) -> None:
    """No character left that joins, restyles or modifies the one before it."""
    for char in text:
        name = unicodedata.name(char, "")
        assert char != "\u200d"
        assert name not in ("VARIATION SELECTOR-15", "VARIATION SELECTOR-16")
        assert not name.startswith(("EMOJI MODIFIER", "TAG ", "CANCEL TAG", "LANGUAGE TAG"))
        assert char not in "\u3164\uffa0"
    # Regional indicators pair from the start of a run: every run is whole flags.
    assert all(len(run) % 2 == 0 for run in _REGIONAL_RUN.findall(text))


SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"

REWRITES = [
    ("👨\u200d👩\u200d👧", "👨👩👧"),  # family: its people
    ("👨‍👩‍👧‍👦 ok", "👨👩👧👦 ok"),
    ("I \u2764\ufe0f you", "I \u2764 you"),  # ❤️ -> ❤ (text default: 1 cell)
    ("\u2614\ufe0e", "\u2614"),  # ☔︎ -> ☔ (wide by default: 2 cells)
    ("\u00a9\ufe0f \u2122\ufe0f \u2747\ufe0f", "\u00a9 \u2122 \u2747"),
    ("👍🏽 👋🏿👋🏻", "👍 👋👋"),  # skin tones
    ("a🏽", "a"),  # a modifier after a letter: 1 cell to Rich, 3 to tmux
    ("1\ufe0f\u20e3 #\ufe0f\u20e3", "1\u20e3 #\u20e3"),  # keycaps keep the enclosing mark
    (SCOTLAND, "🏴"),  # tag sequence: the black flag
    ("🏳\ufe0f\u200d🌈", "🏳🌈"),
    ("👩🏽\u200d💻", "👩💻"),
    ("👁\ufe0f\u200d🗨\ufe0f", "👁🗨"),
    ("a\u200db", "ab"),  # Rich lets a ZWJ swallow the next character
    ("🇵🇹", "🇵🇹"),  # a flag is kept
    ("🇵", "P"),  # a lone indicator is its letter
    ("🇵🇹🇵", "🇵🇹P"),
    ("🇵🇹\ufe0f🇫🇷🇩", "🇵🇹🇫🇷D"),
    ("\u3164\u3164name", "  name"),  # Hangul fillers: 0 cells to Rich, 2 to tmux
    ("x\uffa0y", "x y"),
    ("cafe\u0301 n\u0303", "caf\u00e9 \u00f1"),  # composed (NFC): one cell everywhere
]


@pytest.mark.parametrize(("raw", "shown"), REWRITES)
def test_clean_rewrites_sequences_terminals_disagree_on(raw: str, shown: str) -> None:
    assert clean(raw) == shown


@pytest.mark.parametrize("raw", [raw for raw, _ in REWRITES])
def test_rich_measures_cleaned_text_as_a_wcwidth_terminal_does(raw: str) -> None:
    for shown in (clean(raw), clean(raw, single_line=True)):
        assert_no_context(shown)
        # Rich's grapheme rules have nothing left to join: per code point it is.
        assert cell_len(shown) == sum(map(get_character_cell_size, shown))
        assert cell_len(shown) == agreed_width(shown)


def test_the_width_model_sees_the_bug_in_raw_text() -> None:
    """The check above would fail without ``clean``: Rich and wcwidth disagree."""
    for raw in ("\u2764\ufe0f", "👍🏽", "1\ufe0f\u20e3", "a\u200db", "👨\u200d👩\u200d👧", "\u3164"):
        with pytest.raises(AssertionError):
            assert_no_context(raw)
        assert cell_len(raw) != sum(
            0 if unicodedata.category(c) in ("Mn", "Me", "Cf") else
            2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in raw)


ORDINARY = [
    "hey babe, how was your day?",
    "[bold]hi[/bold] :smile: <b>x</b> &amp;",
    "café naïve Ærø Ωμέγα привет",
    "a\u20dd x\u0331\u0301",  # combining marks with no composed form stay on their letter
    "漢字かなカナ 한국어 ｱｲｳ ＡＢＣ ´¨ ^`",
    "שלום 👋 привет مرحبا",
    "می\u200cخواهم",  # Persian ZWNJ stays
    "😀 🎂 🔥🔥 ❤ ☔ 🇵🇹 🇫🇷🇩🇪 🏴 👍",
    "น้ำ ไทย",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_accents_cjk_and_single_emoji_are_untouched(text: str) -> None:
    assert clean(text) == text
    assert clean(text, single_line=True) == text
    assert cell_len(text) == agreed_width(text)


# The pieces the tricky cases are made of, for mixtures of up to eight.
_PIECES = [piece for piece, _ in REWRITES] + ORDINARY + [
    "\u200d", "\ufe0f", "\ufe0e", "🏽", "\U000e0067", "🇵", "🇹", " ", "\n", "\t", "é", "漢",
    "\x1b[31m", "\u202e",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join))
def test_random_mixtures_always_come_out_measured_alike(raw: str) -> None:
    for shown in (clean(raw), clean(raw, single_line=True)):
        assert_no_context(shown)
        for line in shown.split("\n"):
            assert cell_len(line) == agreed_width(line), repr(raw)


@pytest.mark.parametrize("raw", [raw for raw, _ in REWRITES] + ORDINARY)
def test_a_list_row_fits_its_border_in_every_terminal(raw: str) -> None:
    """A row laid out by Rich to 24 cells is 24 cells on a wcwidth terminal too."""
    row = Text("▌$#") + literal(raw * 3, single_line=True)
    row.truncate(24, overflow="ellipsis", pad=True)
    assert cell_len(row.plain) == 24
    assert agreed_width(row.plain) == 24


def test_indicator_letters_and_the_dropped_ranges_are_what_unicode_names_them() -> None:
    for code in range(0x1F1E6, 0x1F200):
        letter = unicodedata.name(chr(code)).removeprefix("REGIONAL INDICATOR SYMBOL LETTER ")
        assert clean(chr(code)) == letter
    for code in range(0x1F3FB, 0x1F400):
        assert unicodedata.name(chr(code)).startswith("EMOJI MODIFIER FITZPATRICK")
        assert clean("👍" + chr(code)) == "👍"
    for code in range(0xE0000, 0xE0080):
        assert "TAG" in unicodedata.name(chr(code), "TAG (unassigned)")
        assert clean("🏴" + chr(code)) == "🏴"


def test_controls_are_still_made_visible_around_emoji() -> None:
    assert clean("❤️\x1b[31m\u202e👍🏽") == "❤␛[31m\ufffd👍"
    assert clean(" 👨\u200d👩 \n\t \u200d ok ", single_line=True) == "👨👩 ok"


def test_single_line_folds_every_unicode_space_as_before() -> None:
    spaces = [chr(code) for code in range(0x3000 + 1) if chr(code).isspace()]
    assert "\u2028" in spaces and "\x1c" in spaces and "\u3000" in spaces
    for space in spaces:
        assert clean(f"{space}a{space}{space}b{space}", single_line=True) == "a b"
