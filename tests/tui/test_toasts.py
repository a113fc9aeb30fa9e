"""What a new-message toast says: one short line, fan text neutralised."""

from __future__ import annotations

from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.tui.notices import TOAST_CHARS, toast_body


def body(text: str, tip_cents: int = 0, media_count: int = 0) -> str:
    return toast_body(NewInbound(1, "Fan", text, tip_cents, media_count))


def test_a_toast_says_what_the_message_holds() -> None:
    assert body("see you\nlater") == "see you later"
    assert body("", tip_cents=1234) == "Tip $12.34"
    assert body("for the set", tip_cents=2000) == "Tip $20.00 · for the set"
    assert body("", media_count=2) == "Media (2)"
    assert body("") == "(empty message)"


def test_a_toast_is_one_short_line_with_controls_made_visible() -> None:
    long = body("word " * 40)
    assert len(long) == TOAST_CHARS and long.endswith("…") and "\n" not in long
    hostile = body("\x1b[31mred\x1b[0m [b]x[/b]")
    assert "\x1b" not in hostile and hostile.startswith("␛[31mred")
