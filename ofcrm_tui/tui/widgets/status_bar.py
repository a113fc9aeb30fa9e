"""One line of health: sync state and poll age, queue depth, send budget, failures."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, age, local_now
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
    unreachable_retry_at: datetime | None = None  # the platform refuses connections


class StatusBar(Widget):
    """Follows the app's ``status`` reactive; the ages tick every second."""

    COMPONENT_CLASSES = {
        "status-bar--ok",
        "status-bar--stale",
        "status-bar--error",
        "status-bar--dim",
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
        info = self.info
        now = self.clock()
        dim = self._style("dim")
        text = Text(no_wrap=True, overflow="ellipsis")
        if info.unreachable_retry_at is not None:
            left = (info.unreachable_retry_at - now).total_seconds()
            when = f"in {math.ceil(left)} s" if left > 0 else "now"
            text.append(f"● platform unreachable, retrying {when}", self._style("error"))
        elif info.sync_error:
            text.append("● sync failed", self._style("error"))
            text.append(f": {clean(info.sync_error, single_line=True)}", dim)
        elif info.last_poll_at is None:
            text.append("○ not synced yet", self._style("stale"))
        else:
            seconds = (now - info.last_poll_at).total_seconds()
            style = "ok" if seconds < self.stale_after else "stale"
            text.append(f"● synced {age(seconds)} ago", self._style(style))
        text.append("  │  ", dim)
        text.append(f"queue {info.queue_depth}")
        if info.sends_left is not None and info.unreachable_retry_at is None:
            text.append("  │  ", dim)
            text.append(f"sends left {info.sends_left}/{info.send_limit}")
        if info.blocked_until is not None and info.blocked_until > now:
            left = (info.blocked_until - now).total_seconds()
            text.append(f"  rate limited {age(left)}", self._style("stale"))
        text.append("  │  ", dim)
        text.append(f"{info.failed} failed", self._style("error" if info.failed else "dim"))
        if info.account:
            text.append("  │  ", dim)
            text.append(clean(info.account, single_line=True), dim)
        return text
