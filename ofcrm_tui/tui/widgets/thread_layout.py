"""A thread's messages laid out as strips for one width: the lines, the message each
line belongs to, where each message starts, and each message's block, kept for the
next layout while its width, day, fan's name and (queued messages) send estimate hold."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime

from textual.strip import Strip

from ofcrm_tui.core.inbox import ThreadMessage
from ofcrm_tui.tui.widgets.message_block import Drawing, message_lines


class ThreadLayout:
    def __init__(self) -> None:
        self.lines: list[Strip] = []
        self.owners: list[int] = []  # each line's message index; -1 for the gap after one
        self.starts: list[int] = []  # each message's first line
        self.width = 0
        self.send_minute: datetime | None = None  # queued messages show it
        # Each shown message's lines at ``width`` on ``_day`` ("14:05" today is
        # "Mon 14:05" tomorrow).
        self._day: date | None = None
        self._fan_name = ""  # inbound blocks are labelled with it
        self._blocks: dict[ThreadMessage, list[Strip]] = {}

    def lay_out(self, messages: list[ThreadMessage], width: int, drawing: Drawing) -> list[Strip]:
        """Lay ``messages`` out at ``width``; returns the lines of the layout before.

        Blocks drawn at another width, on another day or with another fan's name (a new
        nickname) are stale, and so are those of
        queued messages when the send estimate they show moved (the status bar's reads
        move it often, and a passed estimate moves with the clock); those of messages no longer shown are dropped. A block drawn
        again the same is kept as the same object, so unchanged lines compare by
        identity."""
        today = drawing.now.date()
        same = (width, today, drawing.fan_name) == (self.width, self._day, self._fan_name)
        drawn = self._blocks if same else {}
        estimate_moved = drawing.send_minute != self.send_minute
        self.width, self._day, self.send_minute = width, today, drawing.send_minute
        self._fan_name = drawing.fan_name
        self._blocks = {}
        lines: list[Strip] = []
        owners: list[int] = []
        starts: list[int] = []
        if width > 0:
            blank = Strip.blank(width)
            for index, message in enumerate(messages):
                block = drawn.get(message)
                if block is None or (estimate_moved and message.state == "queued"):
                    fresh = [
                        Strip(text.render(drawing.console)).adjust_cell_length(width)
                        for text in message_lines(message, width, drawing)
                    ]
                    block = block if fresh == block else fresh
                self._blocks[message] = block
                starts.append(len(lines))
                lines.extend(block)
                owners.extend([index] * len(block))
                lines.append(blank)
                owners.append(-1)
        shown, self.lines, self.owners, self.starts = self.lines, lines, owners, starts
        return shown

    def span(self, index: int) -> tuple[int, int]:
        """The first line of message ``index`` and the line after its last."""
        following = index + 1
        end = self.starts[following] if following < len(self.starts) else len(self.lines)
        return self.starts[index], end

    def anchor(self, top: int) -> tuple[int, int] | None:
        """The message drawn on line ``top``, and which of its lines that is."""
        if not self.starts:
            return None
        index = max(0, bisect_right(self.starts, top) - 1)
        return index, top - self.starts[index]


def changed_lines(shown: list[Strip], lines: list[Strip]) -> tuple[int, int] | None:
    """The first line and the count of lines that differ between two layouts of the same
    length: ``(0, 0)`` when none do; None when all must be redrawn (the count changed, or
    there are no lines: the placeholder may have)."""
    if not lines or len(lines) != len(shown):
        return None
    changed = [y for y, (old, new) in enumerate(zip(shown, lines)) if old is not new and old != new]
    return (changed[0], changed[-1] - changed[0] + 1) if changed else (0, 0)
