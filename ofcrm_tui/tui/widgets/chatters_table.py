"""The analytics screen's chatter performance table, and how it writes a duration."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
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
        rows = self._rows(short=False)
        if self._too_wide(self.HEADINGS, rows):
            self._fill(self.SHORT_HEADINGS, self._rows(short=True))
        else:
            self._fill(self.HEADINGS, rows)

    def on_resize(self) -> None:
        self.show(self.chatters)

    def _too_wide(self, headings: Sequence[str], rows: list[tuple[str | Text, ...]]) -> bool:
        """Measured from the cells themselves: the table's own column widths grow only
        once it has drawn its new rows: its headings alone were measured, and wider
        rows pushed ``p90 reply`` past the edge. Room is kept for the scrollbar its
        rows may bring (it comes after them)."""
        width = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            width -= self.styles.scrollbar_size_vertical
        needed = sum(2 * self.cell_padding + max(cell_len(str(cell)) for cell in column)
                     for column in zip(headings, *rows, strict=True))
        return width > 0 and needed > width

    def _rows(self, *, short: bool) -> list[tuple[str | Text, ...]]:
        return [(Text(clean(c.chatter, single_line=True)) if c.chatter
                 else Text(OUTSIDE_OFCRM, style="dim"),
                 f"{c.messages_sent:,}", f"{c.ppv_sent:,}", f"{c.ppv_bought:,}",
                 Text(format_cents(c.ppv_revenue_cents), justify="right"),
                 Text(format_cents(c.earnings_per_message_cents), justify="right"),
                 duration(c.median_reply_seconds, short=short),
                 duration(c.p90_reply_seconds, short=short))
                for c in self.chatters]

    def _fill(self, headings: Sequence[str], rows: list[tuple[str | Text, ...]]) -> None:
        self.clear(columns=True)
        self.add_columns(*headings)
        self.add_rows(rows)
