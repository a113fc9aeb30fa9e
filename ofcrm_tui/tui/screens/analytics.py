"""Analytics for a period: KPI cards, top fans and revenue charts, campaigns and chatters.

A period switch never waits: the dashboard is read in a thread worker (a second or two
at 100k fans and 90 days) while the figures shown stay, marked "loading"; a generation
counter drops a late result for a period no longer asked for. Every dashboard read is
kept, so going back to a period draws at once; the presets not read yet are read one
after another in the background once the first is shown. New data (a poll, a send, a
fan edited) marks what is kept as stale: while the screen is seen, the period shown is
read again at once, then at most every ``REFRESH_SECONDS`` while more comes; hidden, it
reads nothing, and reads once when shown again if the data moved on meanwhile. The bar
says when the figures drawn were read ("as of 09:41"). The export writes the dashboard
shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from ofcrm_tui.core.analytics import figures, period
from ofcrm_tui.core.analytics.figures import Dashboard
from ofcrm_tui.core.analytics.period import PRESETS, Period
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.timefmt import user_zone
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.analytics_charts import RevenueChart, TopFansChart
from ofcrm_tui.tui.widgets.chatters_table import ChattersTable, duration
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import NO_ACCESS
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar

REFRESH_SECONDS = 15.0
# The keys of the presets, in ``PRESETS`` order: today, 7, 30 and 90 days.
PRESET_KEYS = ("t", "w", "m", "n")
KPI_NAMES = (
    "Revenue", "Net", "Fans", "Active", "New", "Churned",
    "Avg lifetime", "Per active", "PPV bought", "Median reply",
)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def kpi_cards(dashboard: Dashboard) -> list[str]:
    """The value of each card, in ``KPI_NAMES`` order (money exact, from cents)."""
    k = dashboard.kpis
    return [
        format_cents(k.revenue_cents),
        format_cents(k.net_cents),
        f"{k.total_fans:,}",
        f"{k.active_fans:,}",
        f"{k.new_fans:,}",
        f"{k.churned_fans:,}",
        format_cents(k.avg_lifetime_value_cents),
        format_cents(k.revenue_per_active_fan_cents),
        f"{k.ppv_bought:,}/{k.ppv_sent:,} {percent(k.ppv_conversion)}",
        duration(k.median_reply_seconds),
    ]


@dataclass
class Kept:
    dashboard: Dashboard
    version: int  # the data version it was read at (stale when the data moved on)
    read_at: datetime  # the app's clock when the read began: "as of"


class AnalyticsScreen(OfcrmScreen):
    CSS_PATH = "../styles/analytics.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        *(
            Binding(key, f"preset({days})", label, show=False,
                    id="analytics.today" if days == 1 else f"analytics.days_{days}")
            for key, (label, days) in zip(PRESET_KEYS, PRESETS.items(), strict=True)
        ),
        Binding("c", "custom", "Custom period", id="analytics.custom"),
        # The period shown moved by its own length (the presets end today: back first).
        Binding("left_square_bracket", "move(-1)", "Previous period", id="analytics.previous"),
        Binding("right_square_bracket", "move(1)", "Next period", id="analytics.next",
                show=False),
        # At 80x24 the tables are below the fold: j/k scroll as on a fan's page (the
        # arrows too, the body's own); named while there is more than fits.
        Binding("j", "scroll(1)", "Scroll", id="analytics.scroll_down"),
        Binding("k", "scroll(-1)", "Scroll up", id="analytics.scroll_up", show=False),
        Binding("e", "export", "Export", id="analytics.export"),
        Binding("r", "reload", "Refresh", id="analytics.refresh"),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="analytics.inbox"),
    ]
    # Left out first at 80 columns, for j Scroll: the palette exports too (as on the fans).
    FOOTER_MINOR = frozenset({"export"})

    class Read(Message):
        """A worker read ``dashboard`` for ``generation`` (0: a background read)."""

        def __init__(self, generation: int, kept: Kept) -> None:
            super().__init__()
            self.generation = generation
            self.kept = kept

    def __init__(self) -> None:
        super().__init__()
        self.period: Period | None = None  # the period asked for
        self.shown: Dashboard | None = None  # the figures drawn (maybe of an older period)
        self.generation = 0
        self.version = 0  # bumped by every data change
        self.kept: dict[Period, Kept] = {}
        self.loading = False
        self.as_of: datetime | None = None  # when the figures drawn were read
        self._asked_at = -REFRESH_SECONDS  # monotonic time of the last read of the shown period

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(id="analytics-bar")
        with VerticalScroll(id="analytics-body"):
            with Grid(id="kpis"):
                for name in KPI_NAMES:
                    card = Static("–", classes="kpi")
                    card.border_title = name
                    yield card
            with Horizontal(id="charts"):
                yield TopFansChart(id="top-fans-chart")
                yield RevenueChart(id="revenue-chart")
            with Horizontal(id="tables"):
                with Vertical(id="campaigns-pane"):
                    yield DataTable(id="campaigns-table", cursor_type="row", zebra_stripes=True)
                    yield Static("No campaign sent in this period", id="campaigns-empty")
                yield ChattersTable(id="chatters-table")
        yield StatusBar(clock=self.ofcrm.clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Analytics"
        self.query_one("#campaigns-table", DataTable).add_columns(
            "Campaign", "Sent", "Bought", "Revenue")
        self.query_one("#campaigns-pane").border_title = "Revenue by campaign"
        self.query_one("#chatters-table").border_title = "Chatters"
        self.follow_changes(self._on_changed)
        self.set_interval(REFRESH_SECONDS, self._refresh_if_stale)
        # Notices over the revenue chart's lines as far as they are in view: never over
        # its amounts, legend or dates (nor the KPI cards and tables around it).
        body, chart = self.query_one("#analytics-body"), self.query_one(RevenueChart)
        self._fit_toasts = keep_toasts_over(
            self, lambda: chart.lines_region().intersection(body.scrollable_content_region))
        self.watch(body, "scroll_y", self._fit_toasts, init=False)
        self.watch(body, "show_vertical_scrollbar", self.refresh_bindings, init=False)
        self.action_preset(PRESETS["7 days"])

    # -- periods ---------------------------------------------------------------------

    def _zone(self) -> tzinfo:
        return user_zone(self.ofcrm.clock)

    def _preset(self, days: int) -> Period:
        return period.last_days(days, tz=self._zone(), now=self.ofcrm.now_utc())

    def action_preset(self, days: int) -> None:
        self.show_period(self._preset(days))

    def action_move(self, steps: int) -> None:
        """The period before (``-1``) or after (``1``) the one shown, as long; never
        past today."""
        if self.period is None:
            return
        moved = self.period.moved(steps, today=self._preset(1).last_day)
        if moved is None:
            self.notify("The period shown ends today" if steps > 0 else "No earlier period",
                        severity="warning")
            return
        self.show_period(moved)

    def action_custom(self) -> None:
        from ofcrm_tui.tui.dialogs.period import PeriodDialog

        if self.period is None:
            return
        self.app.push_screen(PeriodDialog(self.period, self._zone(), now=self.ofcrm.now_utc()),
                             self._custom_chosen)

    def _custom_chosen(self, chosen: Period | None) -> None:
        if chosen is not None:
            self.show_period(chosen)

    def shows_now(self, binding: Binding) -> bool:
        if binding.action == "scroll(1)":
            bodies = self.query("#analytics-body")  # (none while composed or pruned)
            return bool(bodies) and bodies.first().show_vertical_scrollbar
        return super().shows_now(binding)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#analytics-body").scroll_relative(y=lines, animate=False)

    def action_reload(self) -> None:
        if self.period is not None:
            self.kept.pop(self.period, None)
            self.show_period(self.period)

    def show_period(self, chosen: Period) -> None:
        """Draw ``chosen`` now if it was read, else keep what is shown, marked loading,
        and read it in a worker."""
        account = self.ofcrm.account
        if account is None or self.ofcrm.cut_off is not None:
            return
        self.period = chosen
        self.generation += 1
        kept = self.kept.get(chosen)
        if kept is not None and kept.dashboard.account_id == account.id:
            self._draw(kept)
            if kept.version == self.version:
                self.loading = False
                self._draw_bar()
                return
        self.loading = True
        self._draw_bar()
        self._asked_at = time.monotonic()
        self._read(self.generation, self.version, account.id, chosen)

    @work(thread=True, exclusive=True, group="analytics-read", exit_on_error=False)
    def _read(self, generation: int, version: int, account_id: int, chosen: Period) -> None:
        read_at = self.ofcrm.clock()
        found = figures.dashboard(self.ofcrm.context.db, account_id, chosen,
                                  now=read_at.astimezone(UTC))
        self.post_message(self.Read(generation, Kept(found, version, read_at)))

    @work(thread=True, exclusive=True, group="analytics-ahead", exit_on_error=False)
    def _read_ahead(self, version: int, account_id: int, periods: list[Period]) -> None:
        for ahead in periods:
            read_at = self.ofcrm.clock()
            found = figures.dashboard(self.ofcrm.context.db, account_id, ahead,
                                      now=read_at.astimezone(UTC))
            self.post_message(self.Read(0, Kept(found, version, read_at)))

    def on_analytics_screen_read(self, message: Read) -> None:
        account = self.ofcrm.account
        kept = message.kept
        found = kept.dashboard
        if account is None or found.account_id != account.id:
            return  # read for another account: not kept
        # Read before newer data, it is kept as stale (read again when shown), and
        # drawn if asked for: newer than what is shown, with its time.
        previous = self.kept.get(found.period)
        if previous is None or previous.version <= kept.version:
            self.kept[found.period] = kept
        if message.generation != self.generation:
            return  # a period no longer asked for (or a read ahead): kept, not drawn
        self.loading = False
        self._draw(kept)
        self._draw_bar()
        missing = [p for days in PRESETS.values()
                   if (p := self._preset(days)) not in self.kept]
        if missing:
            self._read_ahead(self.version, account.id, missing)

    def let_go(self) -> None:
        """No figure of the account stays shown (nor exported), none is read again."""
        super().let_go()
        self.generation += 1  # a read on its way is not drawn
        self.kept.clear()
        self.shown = self.as_of = None
        self.loading = False
        self.query_one("#analytics-body").display = False
        self._draw_bar()

    def _on_changed(self, change: DataChanged) -> None:
        """Handled while the screen is seen; those made while hidden, once it is shown
        again (``follow_changes``), so a hidden screen reads nothing."""
        if change.touches("account"):
            self.kept.clear()
            self.version += 1
            self.action_preset(PRESETS["7 days"])
        elif change.touches("inbox", "outbox", "fans"):
            self.version += 1
            self._refresh_if_stale()

    def on_screen_suspend(self) -> None:
        self._asked_at = -REFRESH_SECONDS  # shown again, what moved on is read at once

    def on_screen_resume(self) -> None:
        # After the changes missed meanwhile are handled (``follow_changes``).
        self.call_after_refresh(self._refresh_if_stale)

    def _refresh_if_stale(self) -> None:
        """Read the period shown again if the data moved on since it was read: not while
        hidden, nor twice within ``REFRESH_SECONDS`` (the timer comes back for it)."""
        chosen = self.period
        if chosen is None or not self.seen:
            return
        kept = self.kept.get(chosen)
        if kept is not None and kept.version >= self.version:
            return
        if time.monotonic() - self._asked_at >= REFRESH_SECONDS:
            self.show_period(chosen)

    # -- drawing ---------------------------------------------------------------------

    def on_resize(self) -> None:
        self._draw_bar()

    def _draw_bar(self) -> None:
        """The periods' keys (``c`` too), the period shown and when it was read; its
        time zone, which the days are counted in, in the header (80 columns keep them
        all: the keys close up, and the zone, of any length, is not squeezed in)."""
        bar = Text()
        asked = self.period
        narrow = self.size.width < 100
        pad = "" if narrow else " "
        keys = [(key, label, days) for key, (label, days)
                in zip(PRESET_KEYS, PRESETS.items(), strict=True)]
        for key, label, days in [*keys, ("c", "custom", None)]:
            chosen = days is not None and asked is not None and asked == self._preset(days)
            if narrow:
                label = label.replace(" days", "d")
            bar.append(f" {key} ", "reverse" if chosen else "bold")
            bar.append(f"{pad}{label}{pad} ", "bold" if chosen else "dim")
        if asked is not None:
            bar.append(f" {asked.label}", "bold")
        if self.as_of is not None and not (narrow and self.loading):  # no room for both
            bar.append(f"  as of {self.as_of.astimezone(self._zone()):%H:%M}")
        if self.loading:
            bar.append("  loading…", "italic")
        if self.ofcrm.cut_off is not None:
            bar.append(f"  {NO_ACCESS}", "bold")
        self.query_one("#analytics-bar", Static).update(bar)
        self.sub_title = "Analytics" if asked is None else f"Analytics · {asked.tz} time"

    def _draw(self, kept: Kept) -> None:
        shown = self.shown = kept.dashboard
        self.query_one("#analytics-body").display = True  # (hidden by ``let_go``)
        self.as_of = kept.read_at
        for card, value in zip(self.query(".kpi").results(Static), kpi_cards(shown), strict=True):
            card.update(value)
        self.query_one(TopFansChart).show(shown.top_fans)
        self.query_one(RevenueChart).show(shown.series, shown.period)
        self._fit_toasts()  # its legend may have more lines, or fewer
        self._draw_campaigns(shown)
        self.query_one(ChattersTable).show(shown.chatters)

    def _draw_campaigns(self, shown: Dashboard) -> None:
        table = self.query_one("#campaigns-table", DataTable)
        table.clear()
        for c in shown.campaigns:
            table.add_row(Text(clean(c.name, single_line=True)), f"{c.sent:,}",
                          f"{c.ppv_bought:,}", Text(format_cents(c.revenue_cents), justify="right"))
        table.display = bool(shown.campaigns)
        self.query_one("#campaigns-empty").display = not shown.campaigns

    # -- export ----------------------------------------------------------------------

    def action_export(self) -> None:
        """The dialog writes the figures shown, and stays open while it cannot."""
        from ofcrm_tui.tui.dialogs.analytics_export import AnalyticsExportDialog

        shown = self.shown
        if shown is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        self.app.push_screen(AnalyticsExportDialog(self.ofcrm.context.db, shown))
