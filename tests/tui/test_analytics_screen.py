"""The analytics screen: period switches that never block (a late result is dropped),
the figures of the period asked for, and an export that holds what the screen shows."""

from __future__ import annotations

import asyncio
import csv
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Input, RadioButton, RadioSet, Static
from textual.widgets._header import HeaderTitle

from ofcrm_tui.core import sync
from ofcrm_tui.core.analytics import figures, period
from ofcrm_tui.jobs.events import PollCompleted
from ofcrm_tui.platform.money import format_cents, parse_dollars, to_cents
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.analytics_export import AnalyticsExportDialog
from ofcrm_tui.tui.dialogs.period import PeriodDialog
from ofcrm_tui.tui.screens import analytics
from ofcrm_tui.tui.screens.analytics import KPI_NAMES, AnalyticsScreen
from ofcrm_tui.tui.widgets import fields
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from tests.tui.conftest import NOW, World
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


def _screen(app: object) -> AnalyticsScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, AnalyticsScreen)
    return screen


def _cards(screen: AnalyticsScreen) -> dict[str, str]:
    cards = list(screen.query(".kpi").results(Static))
    return {name: str(card.content) for name, card in zip(KPI_NAMES, cards, strict=True)}


def _bar(screen: AnalyticsScreen) -> str:
    return str(screen.query_one("#analytics-bar", Static).content)


def _expected(world: World, days: int) -> figures.Dashboard:
    return figures.dashboard(world.context.db, world.account.id,
                             period.last_days(days, tz=UTC, now=NOW), now=NOW)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_each_period_shows_its_own_figures(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = _screen(app)
        for key, days in (("w", 7), ("m", 30), ("n", 90), ("t", 1)):
            await press(pilot, key)
            expected = _expected(world, days)
            assert screen.shown == expected
            cards = _cards(screen)
            assert cards["Revenue"] == format_cents(expected.kpis.revenue_cents)
            assert cards["Fans"] == f"{expected.kpis.total_fans:,}"
            assert expected.period.label in _bar(screen) and "loading" not in _bar(screen)
            chatters = screen.query_one("#chatters-table", DataTable)
            assert chatters.row_count == len(expected.chatters)
        assert _expected(world, 90).kpis.revenue_cents > 0  # the data has revenue to show
        # Every card fits its value at this size.
        for card in screen.query(".kpi").results(Static):
            assert card.content_region.width >= len(str(card.content))


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_brackets_move_the_period_shown_by_its_length(
    world: World, size: tuple[int, int]
) -> None:
    """``[`` on today shows yesterday (it jumped to the 90 days), ``]`` comes back and
    stops at today; on 7 days, the 7 days before. The footer names ``[`` as it does."""
    from textual.widgets._footer import FooterKey

    app = world.app()
    today = NOW.date()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = _screen(app)
        assert ("left_square_bracket", "Previous period") in {
            (key.key, key.description) for key in screen.query(FooterKey)}

        def shown() -> tuple[int, int]:
            assert screen.shown is not None and not screen.loading
            return ((today - screen.shown.period.first_day).days,
                    (today - screen.shown.period.last_day).days)  # days ago

        await press(pilot, "t", "left_square_bracket")
        assert shown() == (1, 1)
        assert screen.shown == figures.dashboard(
            world.context.db, world.account.id,
            period.between(today - timedelta(days=1), today - timedelta(days=1), tz=UTC))
        await press(pilot, "left_square_bracket")
        assert shown() == (2, 2)
        await press(pilot, "right_square_bracket", "right_square_bracket")
        assert shown() == (0, 0)
        await press(pilot, "right_square_bracket")  # never past today
        assert shown() == (0, 0)
        assert "ends today" in str(list(app._notifications)[-1].message)  # noqa: SLF001
        await press(pilot, "w", "left_square_bracket")
        assert shown() == (13, 7)
        await press(pilot, "right_square_bracket")
        assert shown() == (6, 0) and screen.shown == _expected(world, 7)


@pytest.mark.parametrize("size", [(80, 24), (130, 40), (160, 45)])
async def test_the_zone_the_c_key_and_p90_are_in_view_at_every_size(
    world: World, size: tuple[int, int]
) -> None:
    """At 80x24 the bar left out ``c`` and the time zone (the figures' days are counted
    in it), and p90 was past the chatters table's right edge (also beside the campaigns
    under about 150 columns): the keys close up, the zone is in the header, and the
    table names its columns short where the full ones do not fit."""
    paris = ZoneInfo("Europe/Paris")
    app = OfcrmApp(world.context, world.account, clock=lambda: NOW.astimezone(paris))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = _screen(app)
        assert screen.shown is not None and screen.shown.chatters
        header = lines(screen.query_one(ScreenHeader).query_one(HeaderTitle))[0]
        assert "Analytics · Europe/Paris time" in header
        bar = screen.query_one("#analytics-bar", Static)
        drawn = lines(bar)[0]
        assert " c custom" in " ".join(drawn.split()) or " c  custom" in drawn
        assert screen.shown.period.label in drawn and "as of 13:00" in drawn
        assert cell_len(str(bar.content).rstrip()) <= bar.content_region.width
        table = screen.query_one("#chatters-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == len(screen.shown.chatters))
        assert table.max_scroll_x == 0  # no column past the edge
        shown = "\n".join(lines(table))
        headings = [str(column.label) for column in table.columns.values()]
        assert headings[-1] == ("p90 reply" if size[0] >= 160 else "p90")
        first = screen.shown.chatters[0]
        assert first.p90_reply_seconds is not None
        assert analytics.duration(first.p90_reply_seconds, short=size[0] < 160) in shown


async def test_fans_with_no_subscription_data_are_neither_active_nor_new(world: World) -> None:
    """The QA walk: fans made by hand or imported without a status or platform id (their
    status 'active' by default) moved Active, New, Avg lifetime and Per active; now only
    the Fans card counts them."""
    before = _expected(world, 7)
    assert before.kpis.active_fans and before.kpis.revenue_cents  # figures to keep
    with world.context.db.write() as session:
        session.add_all(Fan(account_id=world.account.id, username=f"known{i}", total_spent_cents=i,
                            created_at=NOW - timedelta(hours=i + 1)) for i in range(3))
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "w")
        cards = _cards(_screen(app))
    expected = dict(zip(KPI_NAMES, analytics.kpi_cards(before), strict=True))
    assert cards == {**expected, "Fans": f"{before.kpis.total_fans + 3:,}"}


async def test_a_switch_never_waits_and_a_late_result_is_dropped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = figures.dashboard
    release = threading.Event()

    def slow(db, account_id, chosen, **kwargs):  # noqa: ANN001, ANN202
        if chosen.days == 90:
            assert release.wait(10)
        return real(db, account_id, chosen, **kwargs)

    monkeypatch.setattr(figures, "dashboard", slow)
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        screen = _screen(app)
        await wait_for_drawn(pilot, screen, 7)
        week = screen.shown
        await pilot.press("n")  # 90 days: the read waits until released
        await pilot.pause()
        assert screen.loading and "loading…" in _bar(screen)
        assert screen.shown == week  # the previous figures stay meanwhile
        assert _cards(screen)["Revenue"] == format_cents(week.kpis.revenue_cents)
        await pilot.press("t")  # the UI answers while the read is blocked
        await wait_for_drawn(pilot, screen, 1)
        release.set()
        await settle(pilot)
        # The 90 days arrived late: kept for later, not drawn over today.
        assert screen.shown.period.days == 1 and not screen.loading
        assert screen.shown == _expected(world, 1)
        await pilot.press("n")
        await pilot.pause()
        assert screen.shown == _expected(world, 90) and not screen.loading  # drawn at once


async def wait_for_drawn(pilot, screen: AnalyticsScreen, days: int) -> None:  # noqa: ANN001
    async def drawn() -> None:
        while screen.shown is None or screen.shown.period.days != days or screen.loading:
            await pilot.pause(0.02)

    import asyncio

    await asyncio.wait_for(drawn(), 30)


async def test_a_custom_period_is_typed_and_checked(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "c")
        assert isinstance(app.screen, PeriodDialog)
        first, last = app.screen.query(Input).results(Input)
        first.value, last.value = "2026-11-10", "2026-11-01"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, PeriodDialog)  # refused, with the reason
        assert "before it starts" in str(app.screen.query_one("#period-error", Static).content)
        last.value = "2026-11-12"
        await press(pilot, "ctrl+s")
        screen = _screen(app)
        expected = figures.dashboard(world.context.db, world.account.id,
                                     period.between(first_day(10), first_day(12), tz=UTC))
        assert screen.shown == expected and expected.period.days == 3


async def test_a_custom_period_after_today_is_refused_as_typed(world: World) -> None:
    """Days to come (today is NOW's day): refused in the dialog, one line, the days typed
    kept to be corrected, the period shown left as it was; as ``]``, that never goes
    past today, and ``ofcrm export analytics --to`` do. Today itself is a last day, as
    the hint says before anything is refused; hint and refusal fit 80x24."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = _screen(app)
        await wait_for_drawn(pilot, screen, 7)
        shown = screen.shown
        await press(pilot, "c")
        assert isinstance(app.screen, PeriodDialog)
        hint = app.screen.query_one("#period-hint", Static)
        assert f"The last day is today ({NOW.date()}) at the latest" in lines(hint)[-1]
        first, last = app.screen.query(Input).results(Input)
        for typed in (("2026-11-25", "2026-11-30"), ("2026-11-15", "2026-11-21")):
            first.value, last.value = typed
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, PeriodDialog)
            error = app.screen.query_one("#period-error", Static)
            assert str(error.content) == (
                f"the period ends ({typed[1]}) after today ({NOW.date()})")
            assert error.size.height == 1  # one line
            assert (first.value, last.value) == typed
            dialog = app.screen.query_one("#period-dialog")
            assert app.screen.region.contains_region(dialog.region)
            assert dialog.max_scroll_y == 0 and error.region.bottom < dialog.region.bottom
        assert screen.shown is shown and screen.period == shown.period
        last.value = NOW.date().isoformat()
        await press(pilot, "ctrl+s")
        await wait_for_drawn(pilot, screen, 6)
        assert screen.shown == figures.dashboard(
            world.context.db, world.account.id,
            period.between(first_day(15), first_day(20), tz=UTC), now=NOW)


def first_day(day: int):  # noqa: ANN201
    return NOW.date().replace(day=day)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


async def _export(pilot, app, path: Path, choice: int) -> None:  # noqa: ANN001
    await press(pilot, "e")
    assert isinstance(app.screen, AnalyticsExportDialog)
    app.screen.query_one(Input).value = str(path)
    radios = app.screen.query_one(RadioSet)
    radios.focus()
    for _ in range(choice):
        await press(pilot, "down")
    await press(pilot, "enter", "ctrl+s")
    await wait_for(pilot, path.exists)


async def test_the_export_holds_what_the_screen_shows(world: World, tmp_path: Path) -> None:
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "m")
        screen = _screen(app)
        cards = _cards(screen)
        shown = screen.shown

        await _export(pilot, app, tmp_path / "daily.csv", 0)
        daily = _read(tmp_path / "daily.csv")
        assert len(daily) == 30 and daily[0]["date"] == shown.period.first_day.isoformat()
        assert sum(to_cents(row["revenue"]) for row in daily) == parse_dollars(
            cards["Revenue"].replace(",", ""))

        await _export(pilot, app, tmp_path / "kpis.csv", 1)
        kpis = {row["kpi"]: row["value"] for row in _read(tmp_path / "kpis.csv")}
        for name, card in (("revenue_gross", "Revenue"), ("revenue_net", "Net"),
                           ("average_lifetime_value", "Avg lifetime"),
                           ("revenue_per_active_fan", "Per active")):
            assert to_cents(kpis[name]) == parse_dollars(cards[card].replace(",", "")), name
        assert f"{int(kpis['total_fans']):,}" == cards["Fans"]
        assert cards["PPV bought"].startswith(f"{kpis['ppv_bought']}/{kpis['ppv_sent']}")

        await _export(pilot, app, tmp_path / "chatters.csv", 2)
        chatters = _read(tmp_path / "chatters.csv")
        table = screen.query_one("#chatters-table", DataTable)
        assert len(chatters) == table.row_count == len(shown.chatters)
        for index, row in enumerate(chatters):
            cells = [str(cell) for cell in table.get_row_at(index)]
            assert cells[1] == f"{int(row['messages_sent']):,}"
            assert parse_dollars(cells[4]) == to_cents(row["ppv_revenue"])
        assert "Exported" in str(list(app._notifications)[-1].message)


async def test_today_is_charted_and_exported_up_to_the_current_hour(
    world: World, tmp_path: Path
) -> None:
    """``5 t e``: the chart and the file stop at the hour begun (12:00 of the app's
    clock), not at 23:00 with the hours still to come as 0.00 rows."""
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "t")
        screen = _screen(app)
        await wait_for(pilot, lambda: screen.shown is not None and screen.shown.period.hourly)
        series = screen.shown.series
        assert [p.start.hour for p in series] == list(range(NOW.hour + 1))
        assert screen.query_one(analytics.RevenueChart).series == series
        await _export(pilot, app, tmp_path / "today.csv", 0)
        hours = [row["hour"] for row in _read(tmp_path / "today.csv")]
        assert hours == [p.start.isoformat(timespec="minutes") for p in series]
        assert hours[-1] == NOW.isoformat(timespec="minutes")


async def test_the_export_suggests_a_file_in_the_fans_exports_folder(world: World) -> None:
    """An absolute path in the home folder, as the fans export's (was a name relative to
    the folder ofcrm was started in), named for the period: a day once."""
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for key, period_days in (("t", "{first}"), ("m", "{first}-{last}")):
            await press(pilot, "5", key)
            screen = _screen(app)
            await wait_for(pilot, lambda: not screen.loading)
            shown = screen.shown.period
            await press(pilot, "e")
            dialog = app.screen
            assert isinstance(dialog, AnalyticsExportDialog)
            days = period_days.format(first=shown.first_day, last=shown.last_day)
            assert dialog.query_one(Input).value == str(
                Path.home() / f"ofcrm-analytics-{days}.csv")
            assert Path(dialog.query_one(Input).value).is_absolute()
            await press(pilot, "escape")


@pytest.mark.parametrize("where", ["missing folder", "directory"])
async def test_an_export_that_cannot_be_written_says_why_and_keeps_the_path(
    world: World, tmp_path: Path, where: str
) -> None:
    """The dialog closed and the path typed was lost, the reason in a toast; it now stays
    open with the path as typed and the reason on one line, and the path put right
    exports (the fans export's dialog, the same code)."""
    typed = str(tmp_path / "missing" / "x.csv") if where == "missing folder" else str(tmp_path)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "e")
        dialog = app.screen
        assert isinstance(dialog, AnalyticsExportDialog)
        box = dialog.query_one(Input)
        box.value = typed
        await press(pilot, "ctrl+s")
        reason = dialog.query_one("#analytics-export-error", Static)
        await wait_for(pilot, lambda: "Not exported" in str(reason.render()))
        note = str(reason.render()).replace("\n", " ")
        assert note.startswith("Not exported: cannot write")
        assert "\n" not in str(reason.content)
        assert app.screen is dialog and box.value == typed and not dialog.running
        assert not (tmp_path / "missing").exists()
        assert not any("Exported" in str(n.message) for n in app._notifications)
        box.value = str(tmp_path / "right.csv")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is not dialog)
        assert (tmp_path / "right.csv").read_text(encoding="utf-8").startswith("date,")
        assert any("Exported 7 daily rows to" in str(n.message) for n in app._notifications)


async def test_the_export_asks_before_it_replaces_a_file_and_names_its_rows(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the fans export: the first export to a file that exists says what is there;
    the next replaces it. The toast names the rows as the file has them (today's hours
    so far)."""
    target = tmp_path / "kept.csv"
    target.write_text("kept\n" * 303, encoding="utf-8")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "t", "e")
        dialog = app.screen
        assert isinstance(dialog, AnalyticsExportDialog)
        dialog.query_one(Input).value = str(target)
        await press(pilot, "ctrl+s")
        error = str(dialog.query_one("#analytics-export-error", Static).render())
        assert "kept.csv exists (1 KB, modified " in error.replace("\n", "")
        assert app.screen is dialog and target.read_text(encoding="utf-8") == "kept\n" * 303
        monkeypatch.setattr(fields, "CONFIRM_AFTER_SECONDS", 0.0)  # the warning read by now
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: target.read_text(encoding="utf-8").startswith("hour,"))
        assert any(f"Exported {NOW.hour + 1} hourly rows to {target}" in str(n.message)
                   for n in app._notifications)
        # A file named without its folder is in the app's: the toast says it in full,
        # as the fans export's does.
        monkeypatch.chdir(tmp_path)
        await press(pilot, "w", "e")
        app.screen.query_one(Input).value = "week.csv"
        await press(pilot, "enter")  # a new file: written at once
        await wait_for(pilot, (tmp_path / "week.csv").exists)
        assert any(str(n.message) == f"Exported 7 daily rows to {tmp_path / 'week.csv'}"
                   for n in app._notifications), [n.message for n in app._notifications]


async def test_the_export_kind_chosen_reads_without_colour(world: World) -> None:
    """Every kind showed the same ● (the chosen one differed by colour only): only the
    chosen kind has it, and it follows the choice."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "e")
        dialog = app.screen
        assert isinstance(dialog, AnalyticsExportDialog)
        radios = dialog.query_one(RadioSet)

        def marked() -> list[bool]:
            return ["●" in lines(button)[0] for button in radios.query(RadioButton)]

        assert marked() == [True, False, False]
        radios.focus()
        await press(pilot, "down", "down", "enter")
        assert dialog.kind.value == "chatters" and marked() == [False, False, True]


async def _tip(world: World, pilot, cents: int) -> None:  # noqa: ANN001
    world.sim.add_inbound_message(next(iter(world.sim.world.fans)), "for you", tip_cents=cents)
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))


async def test_new_data_is_read_once_shown_again_and_while_seen(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Purchases made while another screen is shown are read when analytics is shown
    again (not before: a hidden screen reads nothing), and those made while it is seen
    by themselves; the bar says when the figures were read."""
    reads: list[int] = []
    real = figures.dashboard

    def counted(db, account_id, chosen, **kwargs):  # noqa: ANN001, ANN202
        reads.append(chosen.days)
        return real(db, account_id, chosen, **kwargs)

    monkeypatch.setattr(figures, "dashboard", counted)
    monkeypatch.setattr(sync, "TRANSACTIONS_EVERY", timedelta(0))  # each poll reads them
    # The simulated platform dates purchases by the real clock: the app's is just after.
    now = datetime.now(UTC) + timedelta(minutes=1)
    app = OfcrmApp(world.context, world.account, clock=lambda: now)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = _screen(app)
        await wait_for_drawn(pilot, screen, 7)
        await settle(pilot)  # the other periods are read ahead
        before = screen.shown.kpis.revenue_cents
        assert f"as of {now:%H:%M}" in _bar(screen)
        await press(pilot, "1")
        reads.clear()
        await _tip(world, pilot, 1234)
        await settle(pilot)
        assert reads == []  # hidden: nothing read
        await press(pilot, "5")
        await wait_for(pilot, lambda: screen.shown.kpis.revenue_cents == before + 1234)
        assert _cards(screen)["Revenue"] == format_cents(before + 1234)
        assert reads[0] == 7  # the period shown first
        monkeypatch.setattr(analytics, "REFRESH_SECONDS", 0)  # no wait between reads
        await _tip(world, pilot, 500)
        await wait_for(pilot, lambda: screen.shown.kpis.revenue_cents == before + 1734)
        assert f"as of {now:%H:%M}" in _bar(screen) and "loading" not in _bar(screen)
