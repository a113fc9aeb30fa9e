"""The analytics charts (plotext through textual-plotext), in the colours of the app's theme:
top fans by spend as bars, revenue per day (per week past 90 days, per hour for one day)
as one line per type.

Top fans: one bar a row (a blank row between bars when there is room), the fan's name
beside it, cut with an ellipsis to a third of the chart's width, and the amount at the
bar's end; no axis to read values from. Plotext takes every character for one cell, so
it draws a run of one-cell marks as wide as each name and the names (CJK, emoji: two
cells a character) are put in their place once drawn (``named``).

Each chart keeps the figures it was given and plots them again when they or the theme
change, and whenever it is drawn at another size than it was plotted for: plotting fills
the figure for a size, the drawing happens at the widget's size. A chart given its
figures before it was laid out (the analytics kept from an earlier read) drew an empty
frame until its Resize was handled, seconds on a busy machine.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual.geometry import Region, Size
from textual_plotext import PlotextPlot

from ofcrm_tui.core.analytics.export import TYPE_COLUMNS
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, RevenuePoint, TopFan
from ofcrm_tui.core.analytics.period import Period
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean

# The theme colour of each revenue type's line, in ``REVENUE_TYPES`` order.
TYPE_COLOURS = ("primary", "success", "accent", "error", "foreground")
MIN_NAME_CELLS = 6  # a bar's label (the fan's name) is cut to a third of the width, not under this
# Rows of a chart that are not plot: the title and the frame's top and bottom.
CHART_CHROME_ROWS = 3
X_LABELS = 6  # dates under the revenue chart at most, from the first (the last comes too)


def theme_rgb(chart: PlotextPlot, name: str) -> tuple[int, int, int]:
    """The app theme's colour ``name`` as plotext takes it."""
    value = chart.app.theme_variables.get(name) or chart.app.theme_variables["foreground"]
    return Color.parse(value).rgb


# The first of the private-use characters that hold the names' places in plotext's
# drawing: one per bar, repeated as many times as its name has cells.
NAME_MARK = 0xE000


def bar_label(fan: TopFan, cells: int) -> str:
    """The fan's name on one line (its username when it has none), cut to ``cells``
    terminal cells with an ellipsis, as every list cuts (a double-width character
    counts two)."""
    name = " ".join(clean(fan.display_name, single_line=True).split())
    label = Text(name or "@" + clean(fan.username, single_line=True))
    label.truncate(cells, overflow="ellipsis")
    return label.plain


def named(drawn: Text, names: dict[str, str]) -> Text:
    """``drawn`` with each run of marks (a key of ``names``) replaced by its name, in
    the marks' style: as many cells, so nothing right of it moves."""
    for marks, name in names.items():
        start = drawn.plain.find(marks)
        if start < 0:
            continue
        before, marked, after = drawn.divide([start, start + len(marks)])
        label = Text(name, style=marked.style)
        for span in marked.spans:
            label.stylize(span.style, 0, len(name))
        replaced = drawn.blank_copy()
        for part in (before, label, after):
            replaced.append_text(part)
        drawn = replaced
    return drawn


def point_label(point: RevenuePoint, period: Period, *, year: bool = False) -> str:
    """A point's place under the revenue chart: its local hour, or its (first) day."""
    if period.hourly:
        return f"{point.start.astimezone(period.tz):%H:%M}"
    day = point.first_day
    return f"{day.day} {day:%b} {day.year}" if year else f"{day.day} {day:%b}"


def x_ticks(series: Sequence[RevenuePoint], period: Period, cells: int) -> dict[int, str]:
    """The points labelled under the revenue chart, ``cells`` wide, and their labels:
    the first, every step from it (as many as fit, ``X_LABELS`` at most) and the last,
    so the axis says where it ends. A period over more than a calendar year names the
    year at both ends and where it changes. The ends come first: plotext leaves out,
    tick and all, a label with no room left beside those placed before it."""
    count = len(series)
    years = not period.hourly and period.first_day.year != period.last_day.year
    slot = max(len(point_label(p, period, year=years)) for p in series) + 2
    step = max(-(-count // X_LABELS), -(-count * slot // max(1, cells)), 1)
    chosen = list(range(0, count, step))
    last = count - 1
    if chosen[-1] != last:
        if len(chosen) > 1 and (last - chosen[-1]) * cells < slot * last:
            chosen.pop()  # too close to the last for both labels
        chosen.append(last)
    labels = {}
    for n, i in enumerate(chosen):
        year = series[i].first_day.year
        with_year = years and (i in (0, last) or year != series[chosen[n - 1]].first_day.year)
        labels[i] = point_label(series[i], period, year=with_year)
    ends = [i for i in (0, last) if i in labels]
    return {i: labels[i] for i in [*ends, *(i for i in chosen if i not in ends)]}


def dollars(cents: int) -> float:
    """For plotting only: the figures shown in text stay integer cents."""
    return cents / 100


class ThemedChart(PlotextPlot):
    """A plot redrawn from its figures whenever they, the theme or its size change."""

    _plotted_for: Size | None = None  # the size the figure was last plotted for

    def on_mount(self) -> None:
        super().on_mount()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._replot())

    def on_resize(self) -> None:
        self._replot()

    def _replot(self) -> None:
        self._plot_at_size()
        self.refresh()

    def _plot_at_size(self) -> None:
        self.plt.clear_figure()
        self.plot()
        self._plotted_for = self.size

    def render(self) -> RenderResult:
        """Plotted again first if its size changed since (its Resize not handled yet)."""
        if self._plotted_for != self.size:
            self._plot_at_size()
        return super().render()

    def plot(self) -> None:
        raise NotImplementedError


class TopFansChart(ThemedChart):
    """Horizontal bars, the biggest spender on top."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fans: Sequence[TopFan] = ()
        self._names: dict[str, str] = {}  # the marks plotext draws -> the names they hold

    def show(self, fans: Sequence[TopFan]) -> None:
        self.fans = fans
        self._replot()

    def render(self) -> RenderResult:
        drawn = super().render()
        return named(drawn, self._names) if isinstance(drawn, Text) else drawn

    def plot(self) -> None:
        plt = self.plt
        self._names = {}
        if not self.fans:
            plt.title("Top fans: no purchases in this period")
            return
        width, rows = self.size.width, self.size.height - CHART_CHROME_ROWS
        if rows < 1 or width < 2 * MIN_NAME_CELLS:
            return  # not laid out yet, or no room: plotext draws an empty frame
        fans = list(self.fans[:rows])[::-1]  # plotext draws bottom up
        count = len(fans)
        labels = [bar_label(f, max(MIN_NAME_CELLS, width // 3)) for f in fans]
        marks = [chr(NAME_MARK + i) * cell_len(label) for i, label in enumerate(labels)]
        self._names = dict(zip(marks, labels, strict=True))
        amounts = [f" {format_cents(f.revenue_cents)}" for f in fans]
        values = [dollars(f.revenue_cents) for f in fans]
        # Rows per bar: two (a bar and a gap) where they fit. Bar i (1 = bottom) is centred
        # on a row: plotext maps ylim's ends to the first and last rows' centres.
        per_bar = 2 if rows >= 2 * count - 1 else 1
        positions = list(range(1, count + 1))
        plt.title(f"Top {count} fans by spend" if count > 1 else "Top fan by spend")
        plt.bar(positions, values, orientation="horizontal", width=0.8 / per_bar,
                color=theme_rgb(self, "primary"))
        plt.yticks(positions, marks)
        plt.ylim(count - max(1, rows - 1) / per_bar, count)
        # Room right of the longest bar for its amount: the plot is the width less the
        # labels, the axis and the frame.
        plot_cells = width - max(len(mark) for mark in marks) - 2
        room = max(len(amount) for amount in amounts) + 1
        plt.xlim(0, max(*values, 0.01) * plot_cells / max(1, plot_cells - room))
        plt.xticks([])
        for position, value, amount in zip(positions, values, amounts, strict=True):
            plt.text(amount, x=value, y=position, alignment="left")


class RevenueChart(ThemedChart):
    """One line per revenue type that earned anything in the period."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: Sequence[RevenuePoint] = ()
        self.period: Period | None = None
        self.legend_rows = 0  # as last plotted: a row per line
        self.amount_cells = 0  # the widest amount left of the axis, at most

    def lines_region(self) -> Region:
        """Where the chart holds nothing but its lines, on the screen: right of its
        amounts and axis, under its title, frame and legend, above its axis and dates,
        left of its frame."""
        region = self.region
        x, y = region.x + self.amount_cells + 1, region.y + 2 + self.legend_rows
        return Region(x, y, max(0, region.right - 2 - x), max(0, region.bottom - 2 - y))

    def show(self, series: Sequence[RevenuePoint], period: Period) -> None:
        self.series, self.period = series, period
        self._replot()

    def plot(self) -> None:
        plt, series, period = self.plt, self.series, self.period
        self.legend_rows = self.amount_cells = 0
        if period is None:
            return
        per = period.step
        if not any(point.revenue_cents for point in series):
            plt.title(f"Revenue per {per}: none in this period")
            return
        plt.title(f"Revenue per {per} by type ($)")
        xs = list(range(len(series)))
        lines, top = 0, 0.0
        for index, kind in enumerate(REVENUE_TYPES):
            values = [dollars(point.by_type[index]) for point in series]
            if any(values):
                plt.plot(xs, values, label=TYPE_COLUMNS[kind], marker="braille",
                         color=theme_rgb(self, TYPE_COLOURS[index]))
                lines, top = lines + 1, max(top, *values)
        # The legend (a row per line, top left) sits above the highest value rather than
        # on it: a peak under it would not be seen.
        rows = self.size.height - CHART_CHROME_ROWS - 1  # less the dates under the axis
        high = top * rows / (rows - lines) if top > 0 and rows > 2 * lines else None
        plt.ylim(0, high)
        self.legend_rows, self.amount_cells = lines, len(f"{high or top:.1f}")
        # The plot's width: the chart's less the frame, the axis and its values.
        ticks = x_ticks(series, period, self.size.width - 3 - self.amount_cells)
        plt.xticks(list(ticks), list(ticks.values()))
