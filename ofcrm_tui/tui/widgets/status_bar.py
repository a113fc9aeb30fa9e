"""One line of health: sync state and poll age, unread conversations, queue depth,
failures, send budget."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, age, local_now, stamp
from ofcrm_tui.tui.widgets.styling import span_style


@dataclass(frozen=True)
class StatusInfo:
    account: str = ""
    last_poll_at: datetime | None = None
    sync_error: str | None = None
    queue_depth: int = 0
    sends_left: int | None = None
    send_limit: int | None = None
    failed: int = 0
    blocked_until: datetime | None = None
    unread: int = 0  # conversations with unread fan messages
    next_send_at: datetime | None = None  # the queue's next send, estimated
    unreachable_retry_at: datetime | None = None  # the platform refuses connections
    workers_send: bool = False  # team mode: workers poll and send, not this app
    cut_off: str | None = None  # the database refused this role the account: all it says


class StatusBar(Widget):
    """Follows the app's ``status`` reactive; the ages tick every second."""

    COMPONENT_CLASSES = {
        "status-bar--ok",
        "status-bar--stale",
        "status-bar--error",
        "status-bar--dim",
        "status-bar--unread",
    }

    info: reactive[StatusInfo] = reactive(StatusInfo, layout=False)

    def __init__(self, *, clock: Clock = local_now, stale_after: float = 15.0) -> None:
        super().__init__()
        self.clock = clock
        self.stale_after = stale_after

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._follow)
        self.set_interval(1.0, self.refresh)

    def _follow(self, info: StatusInfo) -> None:
        self.info = info

    def _style(self, name: str) -> Style:
        return span_style(self, f"status-bar--{name}")

    def render(self) -> Text:
        """The health part first, then the counts; when the line is too narrow the
        account goes, then the send budget, then the separators narrow, and the health
        part is cut last, so the unread, queue and failed counts stay at 80 columns."""
        info, now = self.info, self.clock()
        if info.cut_off:  # nothing is read any more: the counts would stand still
            return Text(f"● {clean(info.cut_off, single_line=True)}", self._style("error"),
                        no_wrap=True, overflow="ellipsis")
        width = max(1, self.content_size.width)
        counts = self._counts(info, now)
        optional = self._optional(info, now)
        head = self._health(info, now)
        while optional and _width(head, counts + optional, SEPARATOR) > width:
            optional.pop()
        parts = counts + optional
        separator = SEPARATOR if _width(head, parts, SEPARATOR) <= width else NARROW_SEPARATOR
        room = width - _width(Text(), parts, separator)
        if head.cell_len > room:
            head.truncate(max(1, room), overflow="ellipsis")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(head)
        for part in parts:
            text.append(separator, self._style("dim"))
            text.append_text(part)
        return text

    def _health(self, info: StatusInfo, now: datetime) -> Text:
        """Sync state and poll age (the part that may be long and is cut to fit)."""
        text = Text()
        if info.unreachable_retry_at is not None:
            left = (info.unreachable_retry_at - now).total_seconds()
            when = f"in {math.ceil(left)} s" if left > 0 else "now"
            text.append(f"● platform unreachable, retrying {when}", self._style("error"))
        elif info.sync_error:
            text.append("● sync failed", self._style("error"))
            text.append(f": {clean(info.sync_error, single_line=True)}", self._style("dim"))
        elif info.last_poll_at is None:
            text.append("○ not synced yet", self._style("stale"))
        else:
            seconds = (now - info.last_poll_at).total_seconds()
            style = "ok" if seconds < self.stale_after else "stale"
            text.append(f"● synced {age(seconds)} ago", self._style(style))
        if info.workers_send:  # team mode: the sync above is the workers'
            text.append(" · workers send", self._style("dim"))
        return text

    def _counts(self, info: StatusInfo, now: datetime) -> list[Text]:
        """What always shows: unread conversations, the queue (with, while its messages
        are held, when the next may go), failures."""
        unread = Text(f"✉ {info.unread} unread", self._style("unread" if info.unread else "dim"))
        failed = Text(f"{info.failed} failed", self._style("error" if info.failed else "dim"))
        queue = Text(f"queue {info.queue_depth}")
        held = held_until(info, now)
        if held is not None:
            queue.append(f" · next {stamp(held, now)}", self._style("stale"))
        return [unread, queue, failed]

    def _optional(self, info: StatusInfo, now: datetime) -> list[Text]:
        """What may go on a narrow line, least needed last: the send budget, the account."""
        found = []
        if info.sends_left is not None and info.unreachable_retry_at is None:
            sends = Text(f"sends left {info.sends_left}/{info.send_limit}")
            if info.blocked_until is not None and info.blocked_until > now:
                left = (info.blocked_until - now).total_seconds()
                sends.append(f" rate limited {age(left)}", self._style("stale"))
            found.append(sends)
        if info.account:
            found.append(Text(clean(info.account, single_line=True), self._style("dim")))
        return found


def held_until(info: StatusInfo, now: datetime) -> datetime | None:
    """When the next queued message may go, while none may go now (the minute's budget
    spent, the account blocked, a backoff); None when one goes now, nothing is queued,
    or the platform is unreachable (the bar's head says when it tries again)."""
    if info.unreachable_retry_at is not None or info.next_send_at is None:
        return None
    return info.next_send_at if info.next_send_at > now else None


SEPARATOR = "  │  "
NARROW_SEPARATOR = " │ "  # once nothing optional is left and the line is still too long


def _width(head: Text, parts: list[Text], separator: str) -> int:
    return head.cell_len + sum(len(separator) + part.cell_len for part in parts)
