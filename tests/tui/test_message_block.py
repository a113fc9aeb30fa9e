"""Who a thread's outbound message is from, as the chatter looking at it reads it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from rich.style import Style

from ofcrm_tui.core.inbox import ThreadMessage
from ofcrm_tui.tui.widgets.message_block import Drawing, message_lines

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _sent(by: str | None) -> ThreadMessage:
    return ThreadMessage(
        message_id=1, platform_message_id=1, outbound_id=None, direction="out", text="hey",
        created_at=NOW, price_cents=0, is_opened=False, is_tip=False, tip_cents=0,
        media_count=0, state="sent", sent_by=by, last_error=None,
    )


def _header(by: str | None, chatter: str, width: int = 60) -> str:
    drawing = Drawing(lambda name: Style(), Console(), NOW, "Mia", None, chatter)
    return message_lines(_sent(by), width, drawing)[0].plain.strip()


@pytest.mark.parametrize(
    ("by", "chatter", "who"),
    [
        ("alex", "alex", "You (alex)"),  # mine
        (None, "alex", "You"),  # sent before team mode, or from elsewhere as the creator
        ("sam", "alex", "sam"),  # another chatter's: not "You (sam)"
    ],
)
def test_an_outbound_message_names_its_sender_as_the_reader_sees_it(
    by: str | None, chatter: str, who: str
) -> None:
    header = _header(by, chatter)
    assert header.startswith(who + " · "), header
    assert "You" not in header or by != "sam"


def test_a_narrow_view_keeps_another_chatters_name_rather_than_you() -> None:
    header = _header("samantha-the-night-shift", "alex", width=24)
    assert "You" not in header and header.startswith("sam"), header


def test_a_queued_message_shows_the_queues_next_send_plus_its_wait() -> None:
    """Behind 107 campaign rows a queued message goes after them, not at the queue's
    next send (which showed ~12:00 and crept on a minute at a time)."""
    queued = replace(_sent("alex"), message_id=None, platform_message_id=None, outbound_id=7,
                     state="queued", queue_wait=timedelta(minutes=13))
    drawing = Drawing(lambda name: Style(), Console(), NOW, "Mia", NOW, "alex")
    header = message_lines(queued, 60, drawing)[0].plain
    assert "◷ queued · ~12:13" in header, header


@pytest.mark.parametrize(
    ("state", "is_opened", "fact"),
    [
        ("queued", False, "PPV $20.00 · 1 media"),
        ("failed", False, "PPV $20.00 · 1 media"),
        ("sending", False, "PPV $20.00 · 1 media"),
        ("sent", False, "PPV $20.00 not bought · 1 media"),
        ("sent", True, "PPV $20.00 bought · 1 media"),
    ],
)
def test_a_ppv_says_whether_it_was_bought_only_once_it_was_sent(
    state: str, is_opened: bool, fact: str
) -> None:
    """A queued campaign PPV read `PPV $20.00 not bought` before it had gone out."""
    ppv = replace(_sent("alex"), state=state, price_cents=2000, media_count=1,
                  is_opened=is_opened, last_error=None)
    drawing = Drawing(lambda name: Style(), Console(), NOW, "Mia", None, "alex")
    header = message_lines(ppv, 100, drawing)[0].plain
    assert header.rstrip().endswith(fact), header
