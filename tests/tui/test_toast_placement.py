"""Where toasts go on each screen: never over what is being worked on (the KPI cards on
analytics, its charts' titles and its chatters' figures, the fields of a dialog over it,
the status bar under a dialog and the dialog's keys, the text typed in the campaign
composer, the inbox's list and reply box, the failed message's reason, the file
picker's path, buttons and border), and each drawn once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, RadioSet, Select, TextArea
from textual.widgets._toast import Toast
from textual_fspicker.parts import DirectoryNavigation
from textual_plotext import PlotextPlot

from ofcrm_tui.tui.dialogs.analytics_export import AnalyticsExportDialog
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.csv_picker import CsvPicker
from ofcrm_tui.tui.dialogs.fan_import import ImportDialog
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.dialogs.period import PeriodDialog
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.failed_list import FailedList
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.tui.conftest import World
from tests.tui.failed_pilot import _failed, _fans
from tests.tui.fans_pilot import check_file, open_fans, open_import
from tests.tui.pilot import press, settle, type_text, wait_for

pytestmark = pytest.mark.anyio
SIZES = [(80, 24), (120, 36), (160, 45)]
# As a new-message toast is: the fan's name, then a line of up to 60 characters.
TITLE, BODY = "Ximena Quiroga", "3 new messages · " + "are you online tonight? " * 2


async def _toasts(pilot) -> list[Toast]:  # noqa: ANN001
    pilot.app.notify(BODY.strip(), title=TITLE, timeout=600)  # outlives a slow test
    screen = pilot.app.screen
    await wait_for(pilot, lambda: any(t.region.area for t in screen.query(Toast)))
    return list(screen.query(Toast))


def _drawn(app) -> int:  # noqa: ANN001
    """How many times the toast's title is on the screen as drawn (with the screens
    under a dialog)."""
    return app.export_screenshot().count(TITLE.replace(" ", "&#160;"))


def _shown(screen: Screen[object]) -> list[Toast]:
    toasts = [toast for toast in screen.query(Toast) if toast.region.area]
    assert toasts
    return toasts


def _clear(toasts: list[Toast], widgets: list[Widget]) -> None:
    for toast in toasts:
        for widget in widgets:
            assert not toast.region.overlaps(widget.region), (toast.region, widget)


def _no_words_under(toasts: list[Region], chart: PlotextPlot) -> None:
    """No letter nor digit of ``chart`` (its title, amounts, legend, dates, a bar's
    label) under a toast: only its lines (at 80x24 a toast sat on the revenue chart's
    top amount and its legend)."""
    area = chart.region
    for toast in toasts:
        over = toast.intersection(area)
        for y in range(over.y, over.bottom):
            line = chart.render_line(y - area.y).text
            hidden = line[over.x - area.x:over.right - area.x]
            assert not any(c.isalnum() for c in hidden), (toast, y, line, hidden)


async def analytics_screen(pilot) -> AnalyticsScreen:  # noqa: ANN001
    """The analytics screen, shown."""
    await settle(pilot)
    await press(pilot, "5")
    screen = pilot.app.screen
    assert isinstance(screen, AnalyticsScreen)
    return screen


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_analytics_kpis_in_view(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await analytics_screen(pilot)
        titles = [Region(chart.region.x, chart.region.y, chart.region.width, 1)
                  for chart in screen.query(PlotextPlot)]  # each chart's first line
        assert len(titles) == 2 and all(title.area for title in titles)
        toasts = await _toasts(pilot)
        _clear(toasts, [*screen.query(".kpi"), screen.query_one("#analytics-bar")])
        for toast in toasts:
            assert not any(toast.region.overlaps(title) for title in titles), (toast.region, titles)
        for chart in screen.query(PlotextPlot):
            _no_words_under([toast.region for toast in toasts], chart)
        # Scrolled to the end, the chatters' table (its figures on the right) stays clear.
        await press(pilot, "end")
        await settle(pilot)
        table = screen.query_one("#chatters-table")
        assert table.region.area
        _clear(list(screen.query(Toast)), [table])
        assert _drawn(app) == 1


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("key", "kind"), [("e", AnalyticsExportDialog), ("c", PeriodDialog)])
async def test_a_dialog_over_analytics_shows_each_toast_once_clear_of_its_fields(
    world: World, size: tuple[int, int], key: str, kind: type
) -> None:
    """One rack draws (the screen under the dialog hides its own), bottom right: clear of
    the dialog's fields and of the KPI cards under it, of the status bar under it and of
    the dialog's own keys (it sat on the status bar); a toast already up when the dialog
    opens, and one that comes while it is open, alike."""
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        analytics = await analytics_screen(pilot)
        await _toasts(pilot)
        await press(pilot, key)
        dialog = app.screen
        assert isinstance(dialog, kind)
        await settle(pilot)
        assert _drawn(app) == 1
        fields = [*dialog.query(Input), *dialog.query(RadioSet), *analytics.query(".kpi"),
                  analytics.query_one(StatusBar), dialog.query_one(KeyFooter)]
        _clear([t for t in dialog.query(Toast) if t.region.area], fields)
        app.clear_notifications()
        await settle(pilot)
        assert _drawn(app) == 0
        _clear(await _toasts(pilot), fields)
        assert _drawn(app) == 1
        await press(pilot, "escape")
        await settle(pilot)
        assert app.screen is analytics and _drawn(app) == 1


async def _failed_screen(pilot, count: int) -> FailedScreen:  # noqa: ANN001
    """The Failed screen, its ``count`` messages listed."""
    await settle(pilot)
    await press(pilot, "2")
    screen = pilot.app.screen
    assert isinstance(screen, FailedScreen)
    await wait_for(pilot, lambda: screen.query_one(FailedList).count == count)
    return screen


@asynccontextmanager
async def long_failed_list(
    world: World, size: tuple[int, int]
) -> AsyncIterator[tuple[Pilot[object], FailedScreen, FailedList]]:
    """The app at ``size`` on the Failed screen, listing two failed messages to each of
    30 active and 30 expired fans (more than two views of rows at every size)."""
    count = len([_failed(world, fan_id, f"are you online tonight? {n}" * 3)
                 for fan_id in _fans(world, "active", 30) + _fans(world, "expired", 30)
                 for n in range(2)])
    async with world.app().run_test(size=size, notifications=True) as pilot:
        screen = await _failed_screen(pilot, count)
        yield pilot, screen, screen.query_one(FailedList)


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_failed_messages_reason_in_view(
    world: World, size: tuple[int, int]
) -> None:
    """Above the lines under the list, however many they take: the highlighted message's
    reason in full and, once a retry is used, the retry limit (at 80x24 the reason was
    under the toast)."""
    for fan_id in _fans(world, "active", 2):
        _failed(world, fan_id, "are you online tonight? " * 3)
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await _failed_screen(pilot, 2)
        detail, limit = screen.query_one("#failed-detail"), screen.query_one("#failed-limit")
        await wait_for(pilot, lambda: "subscription" in str(detail.render()))
        under = [detail, screen.query_one(StatusBar)]
        _clear(await _toasts(pilot), under)
        await press(pilot, "R")  # the limit line comes under the reason
        await wait_for(pilot, lambda: bool(limit.region.area))
        await settle(pilot)
        _clear(_shown(screen), [*under, limit])


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_on_the_failed_screen_stay_off_the_cursors_row(
    world: World, size: tuple[int, int]
) -> None:
    """Over the list, inside it (its border's "N selected" and its scrollbar clear),
    never over the cursor's row: at the bottom of the view (End, or the list scrolled
    under the cursor) the row was under the toasts; clear of the reason, the retry limit,
    the status bar and the keys as well."""
    async with long_failed_list(world, size) as (pilot, screen, listing):
        inside = listing.scrollable_content_region
        # More than two views of rows: End scrolls, and from the view's first row the
        # list scrolls up a whole view.
        assert listing.count * FailedList.ROW_HEIGHT > 2 * inside.height
        under = [screen.query_one("#failed-detail"), screen.query_one("#failed-limit"),
                 screen.query_one(StatusBar), screen.query_one(KeyFooter)]

        def clear_of_the_cursor(toasts: list[Toast]) -> None:
            row = listing.cursor_region()
            assert row is not None and inside.contains_region(row)
            _clear(toasts, under)
            for toast in toasts:
                assert inside.contains_region(toast.region), (toast.region, inside)
                assert not toast.region.overlaps(row), (toast.region, row)

        clear_of_the_cursor(await _toasts(pilot))
        for keys in [("end",), ("up",) * 3, ("home",), ("down",) * 5]:
            await press(pilot, *keys)
            await settle(pilot)
            clear_of_the_cursor(_shown(screen))
        # The cursor on the view's first row, then the list scrolled up (the wheel)
        # without moving it: its row goes down to the view's last.
        in_view = inside.height // FailedList.ROW_HEIGHT
        await press(pilot, "end", *("up",) * (in_view - 1))
        await settle(pilot)
        assert listing.cursor_region().y == inside.y
        clear_of_the_cursor(_shown(screen))
        lines = (in_view - 1) * FailedList.ROW_HEIGHT
        listing.scroll_to(y=listing.scroll_offset.y - lines, animate=False, immediate=True)
        await settle(pilot)
        assert listing.cursor_region().bottom > inside.bottom - FailedList.ROW_HEIGHT
        clear_of_the_cursor(_shown(screen))


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_campaign_text_being_typed_in_view(
    world: World, size: tuple[int, int]
) -> None:
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        await press(pilot, "tab")
        field = app.focused  # the message (typed key by key it took 14 s a size)
        assert isinstance(field, TextArea)
        field.insert("Weekend drop: a set just for you, open it before Sunday " * 3)
        await settle(pilot)
        toasts = await _toasts(pilot)
        _clear(toasts, [composer.query_one("#campaign-form")])
        side = composer.query_one("#campaign-side").region
        assert all(side.contains_region(toast.region) for toast in toasts)


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_stay_off_the_inbox_list_and_reply_box(
    world: World, size: tuple[int, int]
) -> None:
    """Top right, under the header: never over the reply being typed (bottom right) nor
    the conversation list (the cursor's row goes down to the list's last rows as
    conversations arrive), as the screen is resized too."""
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await type_text(pilot, "see you soon")
        screen = app.screen
        kept_clear = [screen.query_one(Composer), screen.query_one(ConversationList)]
        toasts = await _toasts(pilot)
        _clear(toasts, kept_clear)
        assert all(toast.region.y <= 2 for toast in toasts)
        await pilot.resize_terminal(size[0] + 20, size[1] + 6)
        await settle(pilot)
        _clear(_shown(screen), kept_clear)
        assert all(toast.region.y <= 2 for toast in _shown(screen))


async def test_toasts_leave_the_top_of_the_fans_screens_and_dialogs_in_view(
    world: World, tmp_path: Path
) -> None:
    """At 80x24, bottom right above the status bar (or the footer): clear of the fans
    list's title and first row, a fan's notes heading (and the tag being typed), the
    import dialog's columns read and the whole text and scrollbar of the keys."""
    path = tmp_path / "fans.csv"
    path.write_text("username,tags\nhandmade1,imported\n", encoding="utf-8")
    app = world.app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        fans = await open_fans(pilot)
        listed = fans.fans.region
        toasts = await _toasts(pilot)
        _clear(toasts, [fans.query_one(StatusBar)])
        for toast in toasts:
            assert not toast.region.overlaps(Region(listed.x, listed.y, listed.width, 2))
        await press(pilot, "enter")
        detail = app.screen
        assert isinstance(detail, FanDetailScreen)
        await settle(pilot)
        _clear(_shown(detail), [detail.query_one("#fan-notes")])
        await press(pilot, "t")  # a tag typed: above its line
        line = detail.query_one("#fan-edit")
        await wait_for(pilot, lambda: bool(line.region.area))
        await settle(pilot)
        _clear(_shown(detail), [line, detail.query_one("#fan-notes")])
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not line.display)
        await press(pilot, "escape", "question_mark")
        keys = app.screen
        assert isinstance(keys, HelpScreen)
        await settle(pilot)
        _clear(_shown(keys), [keys.query_one("#help-body")])
        await press(pilot, "escape")
        dialog = await open_import(pilot, path)
        mapping = dialog.query_one("#fan-import-mapping")
        assert "Columns read:" in str(mapping.render())
        _clear(_shown(dialog), [mapping])


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_file_pickers_buttons_path_and_border_in_view(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The file picker (the CSV import's) fills the screen at 80x24, its buttons bottom
    right, its path and first files (the cursor's) top right: its notices go over its
    file list's bottom right, inside it (at 160x45 one drew over the picker's border)."""
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, "I")
        picker = app.screen
        await settle(pilot)
        assert isinstance(picker, CsvPicker)
        files = picker.query_one(DirectoryNavigation)
        inside = files.scrollable_content_region
        toasts = await _toasts(pilot)
        _clear(toasts, [*picker.query(Button), *picker.query(Input), *picker.query(Select)])
        first_files = Region(inside.x, inside.y, inside.width, 2)
        for toast in toasts:
            assert inside.contains_region(toast.region), (toast.region, inside)
            assert not toast.region.overlaps(first_files)
            assert toast.region.bottom == inside.bottom


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_leave_the_import_reports_next_step_and_options_in_view(
    world: World, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Over the import dialog with its report: off it, inside its border
    (so off the status bar under it), never over the next step under them (at 80x24 a toast sat on the dialog's border
    and reached the line of the next step), nor over the options' boxes."""
    path = tmp_path / "fans.csv"
    path.write_text("username;name;total spent\nimp1;Ann;12.50\nimp2;Bob;abc\n"
                    "imp3;Cy;3\n", encoding="utf-8")
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        dialog = await check_file(pilot, path)
        assert isinstance(dialog, ImportDialog)
        hint = dialog.query_one("#fan-import-next")
        assert hint.display and hint.region.area
        boxes = dialog.query_one("#fan-import-dialog")
        toasts = await _toasts(pilot)
        pilot.app.notify("5 messages could not be sent: see Failed messages", severity="error")
        await wait_for(pilot, lambda: sum(bool(t.region.area) for t in dialog.query(Toast))
                       == len(toasts) + 1)
        await settle(pilot)
        options = dialog.query_one("#fan-import-options")
        _clear(_shown(dialog), [hint, *options.children])
        for toast in _shown(dialog):
            assert boxes.scrollable_content_region.contains_region(toast.region), toast.region
