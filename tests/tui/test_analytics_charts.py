"""The top-fans chart at the analytics screen's two chart sizes (80x24: 13 rows, 160x45:
24 rows): every fan's bar on the row of its name, with its amount, names cut with an
ellipsis to the width there is, and a blank row between bars where they fit."""

from __future__ import annotations

import re

from rich.cells import cell_len

import pytest
from textual.app import App, ComposeResult

from datetime import UTC, date, datetime, timedelta

from ofcrm_tui.core.analytics import period as periods
from ofcrm_tui.core.analytics.figures import RevenuePoint, TopFan
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.widgets.analytics_charts import RevenueChart, TopFansChart

pytestmark = pytest.mark.anyio

NAMES = ("Noah", "Mateo Benítez-Longsurname", "Zoë B.", "Hiroshi B.", "[red]careful[/red]",
         "Liam", "O'Brien R.", "Omar R.", "Ethan R.", "regular")
FANS = tuple(TopFan(i, f"user{i}", name, 53_075 - i * 4_100, 3) for i, name in enumerate(NAMES))


class ChartApp(App[None]):
    def __init__(self, fans: tuple[TopFan, ...]) -> None:
        super().__init__()
        self.fans = fans

    def compose(self) -> ComposeResult:
        yield TopFansChart()

    def on_mount(self) -> None:
        self.query_one(TopFansChart).show(self.fans)


async def _lines(size: tuple[int, int], fans: tuple[TopFan, ...] = FANS) -> list[str]:
    app = ChartApp(fans)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        return app.query_one(TopFansChart).render().plain.splitlines()


def _bar_rows(lines: list[str]) -> list[str]:
    return [line for line in lines if "┤" in line]


@pytest.mark.parametrize(("size", "gaps"), [((38, 13), False), ((78, 24), True)])
async def test_each_name_is_on_its_bar_with_its_amount(size: tuple[int, int], gaps: bool) -> None:
    lines = await _lines(size)
    rows = _bar_rows(lines)
    assert len(rows) == len(FANS)  # ten fans fit in both
    label_cells = size[0] // 3
    for row, fan in zip(rows, FANS, strict=True):
        label, plot = row.split("┤")
        assert "█" in plot and plot.rstrip(" │").endswith(format_cents(fan.revenue_cents))
        name = label.strip()
        assert len(name) <= label_cells
        if len(fan.display_name) > label_cells:
            assert name == fan.display_name[: label_cells - 1] + "…"
        else:
            assert name == fan.display_name  # markup in a name stays literal
    # Bars shrink with the amount, the biggest on top.
    lengths = [row.count("█") for row in rows]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] > lengths[-1]
    first = lines.index(rows[0])
    between = lines[first : lines.index(rows[-1]) + 1]
    assert len(between) == (2 * len(rows) - 1 if gaps else len(rows))
    assert all("█" not in line for line in between if "┤" not in line)  # the gaps are blank


async def test_fewer_rows_than_fans_shows_the_biggest_spenders() -> None:
    rows = _bar_rows(await _lines((40, 8)))
    assert [row.split("┤")[0].strip() for row in rows] == ["Noah", "Mateo Beníte…", "Zoë B.",
                                                           "Hiroshi B.", "[red]careful…"]


async def test_one_fan_and_none() -> None:
    lines = await _lines((78, 24), FANS[:1])
    assert "Top fan by spend" in lines[0] and len(_bar_rows(lines)) == 1
    assert "no purchases" in (await _lines((78, 24), ()))[0]


class RevenueApp(App[None]):
    def __init__(self, series: tuple[RevenuePoint, ...], period: periods.Period) -> None:
        super().__init__()
        self.series, self.period = series, period

    def compose(self) -> ComposeResult:
        yield RevenueChart()

    def on_mount(self) -> None:
        self.query_one(RevenueChart).show(self.series, self.period)


async def test_today_is_drawn_hour_by_hour() -> None:
    """One day: a line through its hours, labelled with local times (not a lone dot per
    type), and the legend above the biggest hour, not on it (the peak at 02:00 is
    under the legend's place)."""
    today = periods.between(date(2026, 11, 30), date(2026, 11, 30), tz=UTC)
    start = datetime(2026, 11, 30, tzinfo=UTC)
    tips = {2: 120_000, 10: 60_000, 14: 54_461}
    series = tuple(
        RevenuePoint(today.first_day, 0, (0, tips.get(h, 0), 2_000 if h == 9 else 0, 0, 0),
                     0, start + timedelta(hours=h))
        for h in range(24)
    )
    app = RevenueApp(series, today)
    async with app.run_test(size=(78, 24)) as pilot:
        await pilot.pause()
        lines = app.query_one(RevenueChart).render().plain.splitlines()
    assert "Revenue per hour by type ($)" in lines[0]
    assert all(f"{h:02d}:00" in lines[-1] for h in (0, 4, 8, 12, 16, 20))
    ticks = [float(line.split("┤")[0]) for line in lines if "┤" in line]
    assert min(ticks) == 0.0
    assert max(ticks) > 1200.0 * 1.1  # the top rows are the legend's: the peak is below
    plot = [re.split("[│┤]", line, maxsplit=1)[-1] for line in lines[2:-2]]
    assert sum(1 for line in plot for c in line if "\u2800" < c <= "\u28ff") > 24  # a line, not dots
    legend = [line.replace("⢕⢕", "") for line in plot if "⢕⢕" in line]
    assert len(legend) == 2 and not any("\u2800" < c <= "\u28ff" for line in legend for c in line)


@pytest.mark.parametrize("size", [(79, 24), (38, 13)])
async def test_a_period_over_two_years_names_the_years_and_its_last_week(
    size: tuple[int, int]
) -> None:
    """2025-01-01 to 2026-12-01, a hundred weeks, at the screen's two chart sizes: read
    with the year last named, every date under the axis is a week's first day, in order,
    from the first week (with its year) to the last (with its year: the axis's end was
    unlabelled, and no label said which year); each tick has its label (none left out)."""
    long = periods.between(date(2025, 1, 1), date(2026, 12, 1), tz=UTC)
    buckets = long.buckets()
    series = tuple(RevenuePoint(b.first_day, b.days, (1_000 + 37 * i, 0, 0, 0, 0), 0, b.start)
                   for i, b in enumerate(buckets))
    app = RevenueApp(series, long)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = app.query_one(RevenueChart).render().plain.splitlines()
    assert "Revenue per week" in lines[0] and len(buckets) == 100
    found = re.findall(r"(\d{1,2}) ([A-Z][a-z]{2})(?: (\d{4}))?", lines[-1])
    assert found[0][2] == "2025" and found[-1][2] == "2026"
    days, year = [], 0
    for day, month, named in found:
        year = int(named or year)
        days.append(datetime.strptime(f"{day} {month} {year}", "%d %b %Y").date())
    starts = [b.first_day for b in buckets]
    assert days[0] == starts[0] and days[-1] == starts[-1] == date(2026, 11, 25)
    assert days == sorted(days) and set(days) <= set(starts)
    assert len(days) >= 3
    assert lines[-2].count("┬") == len(days)  # a label under every tick


WIDE = ("山田花子", "🔥Mia", "佐藤美咲さんはとても長い名前です", "Zoë ✨", "Noah")
WIDE_FANS = tuple(TopFan(i, f"wide{i}", name, 40_000 - i * 5_000, 2)
                  for i, name in enumerate(WIDE))


@pytest.mark.parametrize("size", [(38, 13), (78, 24)])
async def test_double_width_names_are_shown_cut_by_cells_and_aligned(
    size: tuple[int, int]
) -> None:
    """CJK and emoji were left out of the labels (a name of them only showed the
    username): each is shown, cut to the label's cells with an ellipsis, and every
    bar row keeps its axis and its frame in the same column as the others."""
    lines = await _lines(size, WIDE_FANS)
    rows = _bar_rows(lines)
    assert len(rows) == len(WIDE_FANS)
    label_cells = size[0] // 3
    axis = {cell_len(row.split("┤")[0]) for row in rows}
    assert len(axis) == 1  # the axis in one column on every row
    for row, fan in zip(rows, WIDE_FANS, strict=True):
        label, plot = row.split("┤")
        name = label.strip()
        assert cell_len(name) <= label_cells
        if cell_len(fan.display_name) <= label_cells:
            assert name == fan.display_name
        else:
            assert name.endswith("…") and fan.display_name.startswith(name[:-1].rstrip())
            assert cell_len(name) == label_cells  # cut by cells, not characters
        assert "█" in plot and plot.rstrip(" │").endswith(format_cents(fan.revenue_cents))
    # Every line (bars, gaps, frame) is as wide as the chart: nothing shifted right.
    assert {cell_len(line) for line in lines} == {size[0]}
    assert {cell_len(row.rsplit("│", 1)[0]) for row in rows} == {size[0] - 1}


class SeenChart(TopFansChart):
    """Keeps what each render drew, at what size."""

    drawn: list[tuple[int, int, str]]

    def render(self):  # noqa: ANN201
        result = super().render()
        self.drawn = [*getattr(self, "drawn", []), (*self.size, str(result))]
        return result


class KeptApp(App[None]):
    """The figures given before the chart is laid out (the analytics screen draws those
    it kept from an earlier read as it mounts)."""

    def compose(self) -> ComposeResult:
        yield SeenChart()

    def on_mount(self) -> None:
        self.query_one(SeenChart).show(FANS)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_the_bars_are_in_the_first_drawing_at_the_charts_size(size: tuple[int, int]) -> None:
    """Its first drawing at its size was an empty frame: plotted while it had none, the
    chart was plotted again only once its Resize was handled (a blank box for seconds
    on a busy machine)."""
    app = KeptApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        drawn = [text for width, height, text in app.query_one(SeenChart).drawn
                 if width and height]
        assert drawn and "Noah" in drawn[0] and format_cents(FANS[0].revenue_cents) in drawn[0]
