"""One message of a thread as lines of text: who and when, delivery state, tip and PPV
facts, the text behind a coloured bar, and why a send failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.style import Style
from rich.text import Text

from ofcrm_tui.core.inbox import ThreadMessage
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.timefmt import stamp

# A name in a message header is cut down to this many cells (with "…") to keep the
# delivery state on the header's first line.
MIN_NAME_CELLS = 4

STATE_BADGES = {
    "queued": "◷ queued",
    "sending": "↻ sending",
    "sent": "✓ sent",
    "unknown": "? checking delivery",
    "failed": "✗ failed",
    "paused": "‖ paused",
    "cancelled": "⊘ cancelled",
}


@dataclass(frozen=True)
class Drawing:
    """What a layout of the thread draws with."""

    style: Callable[[str], Style]  # the thread view's span style by component name
    console: Console
    now: datetime
    fan_name: str
    next_send_at: datetime | None = None  # the queue's estimate, for "queued · ~12:04"
    chatter: str = ""  # who is looking: another chatter's sends carry their name alone

    @property
    def send_minute(self) -> datetime | None:
        """The minute queued messages show: the queue's estimate, or now once that has
        passed (a send the limit holds back goes no earlier than now)."""
        return shown_send_minute(self.next_send_at, self.now)


def shown_send_minute(next_send_at: datetime | None, now: datetime) -> datetime | None:
    if next_send_at is None:
        return None
    return max(next_send_at, now).replace(second=0, microsecond=0)


def message_lines(message: ThreadMessage, width: int, drawing: Drawing) -> list[Text]:
    """The lines of one message: the header, then the text behind a coloured bar and,
    for a failed send, why. Inbound messages sit on the left, outbound ones on the
    right; each line is at most ``width`` cells (the caller pads them)."""
    style = drawing.style
    outbound = message.direction == "out"
    side = style("outbound" if outbound else "inbound")
    body_width = max(10, min(width, int(width * 0.8)))
    rows = _header(message, width, drawing)
    if message.text.strip():
        for line in literal(message.text).wrap(drawing.console, body_width - 2):
            line.rstrip()
            row = Text()
            row.append("▎ ", side)
            row.append_text(line)
            rows.append(row)
    if message.state == "failed" and message.last_error:
        reason = Text(clean(message.last_error, single_line=True), style=style("failed"))
        for line in reason.wrap(drawing.console, body_width - 2):
            line.rstrip()
            rows.append(Text("  ") + line)
    # Outbound blocks hug the right edge: as wide as their widest line.
    block = min(width, max(row.cell_len for row in rows))
    out = []
    for row in rows:
        row.truncate(block, overflow="ellipsis", pad=outbound)
        if outbound:
            row = Text(" " * (width - block)) + row
        out.append(row)
    return out


def sent_by_me(sent_by: str | None, chatter: str) -> bool:
    """An outbound message of ``sent_by`` is this chatter's (or was sent outside
    ofcrm: no name)."""
    return not sent_by or sent_by == chatter


def _header(message: ThreadMessage, width: int, drawing: Drawing) -> list[Text]:
    """Who and when, then (for a reply) the delivery state and the facts, on more
    lines rather than cut off; the state stays on the first line, the name giving
    way for it, unless the view is too narrow even for that."""
    style = drawing.style
    meta = style("meta")
    mine = sent_by_me(message.sent_by, drawing.chatter)
    if message.direction == "out" and mine:
        who = Text("You" + (f" ({clean(message.sent_by, single_line=True)})"
                            if message.sent_by else ""), style("outbound"))
    elif message.direction == "out":
        who = Text(clean(message.sent_by or "", single_line=True), style("outbound"))
    else:
        who = Text(clean(drawing.fan_name, single_line=True), style("inbound"))
    when = Text(f" · {stamp(message.created_at, drawing.now)}", meta)
    items = _facts(message, style)
    badge = _state_badge(message, drawing)
    if badge is not None:
        items.insert(0, badge)
    first = when.cell_len + (3 + badge.cell_len if badge is not None else 0)
    if who.cell_len + first > width and message.direction == "out" and mine:
        who = Text("You", style("outbound"))  # without the chatter's name
    if who.cell_len + first > width and width - first >= MIN_NAME_CELLS:
        who.truncate(width - first, overflow="ellipsis")
    lines = [who + when]
    for item in items:
        if lines[-1].cell_len + 3 + item.cell_len <= width:
            lines[-1].append(" · ", meta)
            lines[-1].append_text(item)
        else:
            lines.append(Text("  ") + item)
    return lines


def _state_badge(message: ThreadMessage, drawing: Drawing) -> Text | None:
    if message.direction != "out":
        return None
    style = drawing.style
    badge_style = {"failed": style("failed"), "sent": style("meta")}.get(
        message.state, style("pending"))
    badge = Text(STATE_BADGES.get(message.state, message.state), style=badge_style)
    if message.state == "queued" and drawing.next_send_at is not None:
        # The queue's next send, then the rows that go before this one; not before this
        # row is due (a backoff).
        at = max(drawing.next_send_at + message.queue_wait, message.due_at or drawing.now,
                 drawing.now)
        badge.append(f" · ~{at.astimezone(drawing.now.tzinfo):%H:%M}")
    return badge


def _facts(message: ThreadMessage, style: Callable[[str], Style]) -> list[Text]:
    money = style("money")
    facts: list[Text] = []
    if message.is_tip:
        facts.append(Text(f"tip {format_cents(message.tip_cents)}", style=money))
    if message.price_cents:
        # A PPV not sent yet (queued, failed, …) has no purchase state to show.
        bought = ("bought" if message.is_opened
                  else "not bought" if message.state == "sent" else "")
        facts.append(Text(f"PPV {format_cents(message.price_cents)} {bought}".rstrip(),
                          style=money))
    if message.media_count:
        facts.append(Text(f"{message.media_count} media", style=style("meta")))
    return facts
