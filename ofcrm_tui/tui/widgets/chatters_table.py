"""The analytics screen's chatter performance table, and how it writes a duration."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from ofcrm_tui.core.analytics.chatters import OUTSIDE_OFCRM, ChatterStats
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean


def duration(seconds: float | None, *, short: bool = False) -> str:
    """``42 s``, ``7 min 5 s``, ``2 h 10 min`` (``short``: ``42s``, ``7m 5s``, ``2h 10m``);
    an en dash when there is no figure."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    s, m, h = ("s", "m", "h") if short else (" s", " min", " h")
    if whole < 60:
        return f"{whole}{s}"
    if whole < 3600:
        return f"{whole // 60}{m} {whole % 60}{s}"
    return f"{whole // 3600}{h} {whole % 3600 // 60}{m}"



class ChattersTable(DataTable[object]):
    """Chatter performance, every column in view: where the full headings and times do
    not fit the table's width (80 columns, or beside the campaigns under about 150), it
    shows them short (``PPV rev``, ``p90``, ``2h 10m``) rather than leave the last
    columns, p90 among them, past the edge."""

    HEADINGS = ("Chatter", "Sent", "PPV", "Bought", "PPV revenue", "Per message",
                "Median reply", "p90 reply")
    SHORT_HEADINGS = ("Chatter", "Sent", "PPV", "Bought", "PPV rev", "Per msg", "Median", "p90")

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.chatters: Sequence[ChatterStats] = ()

    def show(self, chatters: Sequence[ChatterStats]) -> None:
        self.chatters = chatters
        self._fill(short=False)
        if self._too_wide():
            self._fill(short=True)

    def on_resize(self) -> None:
        self.show(self.chatters)

    def _too_wide(self) -> bool:
        width = self.scrollable_content_region.width
        return width > 0 and sum(c.get_render_width(self) for c in self.columns.values()) > width

    def _fill(self, *, short: bool) -> None:
        self.clear(columns=True)
        self.add_columns(*(self.SHORT_HEADINGS if short else self.HEADINGS))
        for c in self.chatters:
            name = Text(clean(c.chatter, single_line=True)) if c.chatter else Text(
                OUTSIDE_OFCRM, style="dim")
            self.add_row(
                name, f"{c.messages_sent:,}", f"{c.ppv_sent:,}", f"{c.ppv_bought:,}",
                Text(format_cents(c.ppv_revenue_cents), justify="right"),
                Text(format_cents(c.earnings_per_message_cents), justify="right"),
                duration(c.median_reply_seconds, short=short),
                duration(c.p90_reply_seconds, short=short),
            )
