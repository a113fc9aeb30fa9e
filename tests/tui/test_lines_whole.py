"""Lines that wrap break between their pieces, never inside one (at 80x24 the Failed
screen's "(in 58" / "s)", Monitoring's "depth" / "0" and "429 waits 0" / "(0 s)"):
``Pieces``, on the Failed screen's retry limit and Monitoring's rows."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ofcrm_tui.core import metrics
from ofcrm_tui.store.models import MetricEvent
from ofcrm_tui.tui.pieces import Pieces
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _many_failed
from tests.tui.pilot import lines, press, settle
from tests.tui.test_monitoring_screen import _checked

pytestmark = pytest.mark.anyio


def _drawn(renderable: object, width: int) -> list[str]:
    console = Console(width=width, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return [line.rstrip() for line in capture.get().rstrip("\n").split("\n")]


def test_pieces_break_between_pieces_only() -> None:
    pieces = Pieces(["one two", "three four", Text("five six", "bold")])
    assert _drawn(pieces, 40) == ["one two · three four · five six"]
    assert _drawn(pieces, 20) == ["one two · three four", "five six"]
    assert _drawn(pieces, 12) == ["one two", "three four", "five six"]
    # A piece wider than the whole width wraps on its own.
    assert _drawn(Pieces(["a b c d e f g h", "x"]), 8) == ["a b c d", "e f g h", "x"]
    assert _drawn(Pieces(["one", "two"], "; "), 20) == ["one; two"]
    assert str(pieces) == "one two · three four · five six"
    # In a table, a column of pieces is no narrower than the widest piece.
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row("Label", pieces)
    assert _drawn(table, 20) == ["Label  one two", "       three four", "       five six"]


def _limit_lines(app: object) -> list[str]:
    shown = lines(app.screen.query_one("#failed-limit", Static))  # type: ignore[attr-defined]
    return [line.strip() for line in shown if line.strip()]


@pytest.mark.parametrize("width", [80, 60])
async def test_the_retry_limit_keeps_its_time_whole(world: World, width: int) -> None:
    """One line at 80 columns; narrower, two, broken between the halves."""
    _many_failed(world, 12)
    app = world.app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "R")
        left = ["9 of 10 manual retries left this minute;", "one frees up at 12:01:00 (in 60 s)"]
        assert _limit_lines(app) == ([" ".join(left)] if width == 80 else left)
        await press(pilot, "ctrl+r", "down", "enter")
        reached = ["Manual retry limit reached (10 a minute):",
                   "one frees up at 12:01:00 (in 60 s)"]
        assert _limit_lines(app) == ([" ".join(reached)] if width == 80 else reached)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_monitoring_rows_break_between_figures(world: World, size: tuple[int, int]) -> None:
    with world.context.db.write() as session:
        for name, values in ((metrics.SEND_LATENCY, (0.2, 0.4, 0.6)),
                             (metrics.QUEUE_LATENCY, (1.5, 2.5, 30.25)),
                             (metrics.QUEUE_DEPTH, (0,)), (metrics.RATE_LIMITED, (30.0,))):
            session.add_all(MetricEvent(account_id=world.account.id, name=name, value=value,
                                        recorded_at=NOW) for value in values)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        screen = await _checked(app, pilot)
        drawn = [line.replace("\xa0", " ").strip()
                 for line in lines(screen.query_one("#monitoring-accounts", Static))]
    for figure in ("send p50 0.40 s p95 0.60 s", "queue p50 2.50 s p95 30.25 s", "depth 0",
                   "429 waits 1 (30 s)", "manual retries 0", "lease expired 0",
                   "checked 12:00:00", "0 failed last hour"):
        assert any(figure in line for line in drawn), (figure, drawn)
    # No separator is left at the end or the start of a line.
    assert not any(line.endswith("·") or line.startswith("·") for line in drawn), drawn
