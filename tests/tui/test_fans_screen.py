"""The fans screen: the list, search, sort and filter, opening a fan and their
conversation, creating and deleting fans, importing and exporting CSV files."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypeVar

import pytest
from rich.cells import cell_len
from sqlalchemy import select, update
from textual.widgets import Input, ProgressBar, Static
from textual.widgets._footer import FooterKey

from ofcrm_tui.core.fans import FanFilter
from ofcrm_tui.core.fans import edits, listing
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.fan_export import ExportDialog
from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog
from ofcrm_tui.tui.dialogs.fan_import import ImportDialog
from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog
from ofcrm_tui.tui.dialogs.file_export import FileExportDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets import fields
from ofcrm_tui.tui.widgets.fan_list import FanList
from ofcrm_tui.tui.timefmt import short_time
from ofcrm_tui.tui.widgets.thread_view import ThreadView
from tests.tui.conftest import HOSTILE, NOW, World
from tests.tui.pilot import burst, lines, press, settle, type_text, wait_for

D = TypeVar("D")

pytestmark = pytest.mark.anyio


async def open_fans(pilot) -> FansScreen:  # noqa: ANN001
    await press(pilot, "3")
    screen = pilot.app.screen
    assert isinstance(screen, FansScreen)
    await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
    return screen


async def fans_dialog(pilot, key: str, kind: type[D]) -> tuple[FansScreen, D]:  # noqa: ANN001
    """The fans screen, read, and the dialog ``key`` opens on it."""
    await settle(pilot)
    screen = await open_fans(pilot)
    await press(pilot, key)
    dialog = pilot.app.screen
    assert isinstance(dialog, kind)
    return screen, dialog


async def open_import(pilot, path: Path) -> ImportDialog:  # noqa: ANN001
    """The import dialog on ``path``, its preview read."""
    pilot.app.push_screen(ImportDialog(path))
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ImportDialog)
    await wait_for(pilot, lambda: dialog.found is not None)
    return dialog


async def check_file(pilot, path: Path) -> ImportDialog:  # noqa: ANN001
    """From the start: the import dialog on ``path`` (from the fans screen) and its
    first run (ctrl+s) done, its report laid out."""
    await settle(pilot)
    await open_fans(pilot)
    dialog = await open_import(pilot, path)
    await press(pilot, "ctrl+s")
    await wait_for(pilot, lambda: dialog.report is not None)
    await settle(pilot)
    return dialog


def fan_text(pilot) -> str:  # noqa: ANN001
    return "\n".join(lines(pilot.app.screen.query_one(FanList)))


async def test_fans_list_opens_detail_and_conversation(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert screen.fans.count == 30
        top = screen.fans.cursor_row
        assert top is not None
        spends = [screen.fans.row_at(i).total_spent_cents for i in range(30)]
        assert spends == sorted(spends, reverse=True)
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen) and detail.fan_id == top.fan_id
        await wait_for(pilot, lambda: detail.detail is not None)
        await press(pilot, "c")
        inbox = pilot.app.screen
        assert isinstance(inbox, InboxScreen)
        await wait_for(pilot, lambda: inbox.open_row is not None)
        assert inbox.open_row.fan_id == top.fan_id
        await wait_for(pilot, lambda: bool(inbox.query_one(ThreadView).stored))


async def test_sort_search_and_filter(world: World) -> None:
    db, account = world.context.db, world.account.id
    with db.read() as session:
        fans = session.execute(select(Fan.id, Fan.username).where(Fan.account_id == account)
                               .order_by(Fan.id)).all()
    edits.add_note(db, account, fans[3].id, "owes us a pineapple story", author="t")
    edits.add_tags(db, account, fans[5].id, ["vip"])
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "s", "s")  # spend -> last active -> subscribed -> name
        await wait_for(pilot, lambda: screen.fans.loaded)
        names = [screen.fans.row_at(i).display_name.lower() for i in range(30)]
        assert names == sorted(names) and "by name" in str(screen.fans.border_title)
        await press(pilot, "slash", *"pineapple", "enter")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fans[3].id
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        await press(pilot, "f")
        dialog = pilot.app.screen
        assert isinstance(dialog, FanFilterDialog)
        dialog.query_one("#fan-filter-tags-in").value = "vip"
        await press(pilot, "ctrl+s")
        assert screen.flt == FanFilter(tags_in=("vip",))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fans[5].id
        assert str(screen.fans.border_title) == "Fans  1 · #vip · by name"
        await press(pilot, "f")
        pilot.app.screen.query_one("#fan-filter-min").value = "twelve"
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, FanFilterDialog)  # refused: stays open
        await press(pilot, "escape", "x")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)


async def test_the_title_names_a_filters_tags_as_stored(world: World) -> None:
    """QA: a filter on ``vip`` where the fans are tagged ``VIP`` titled the list
    ``#vip`` (and its rows ``#VIP``): it names the account's tag, the same fans listed;
    a tag no fan has stays as typed. ``f`` again shows the tag so too. Tags "any of"
    are joined by ``or``."""
    db, account = world.context.db, world.account.id
    with db.read() as session:
        fan = session.scalar(select(Fan.id).where(Fan.account_id == account).limit(1))
    edits.add_tags(db, account, fan, ["VIP"])
    async with world.app().run_test(size=(100, 30)) as pilot:
        screen, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        dialog.query_one("#fan-filter-tags-in", Input).value = "vip"
        dialog.query_one("#fan-filter-tags-out", Input).value = "Nobody"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fan
        assert str(screen.fans.border_title) == "Fans  1 · #VIP · not #Nobody · by spend"
        await press(pilot, "f")
        assert pilot.app.screen.query_one("#fan-filter-tags-in", Input).value == "VIP"
        # QA: ``viP, Nosuch`` without ``VIP`` titled ``#VIP · #Nosuch · not #VIP``: the
        # tags are any of them, not each (as the parts ``·`` joins are): ``or``.
        pilot.app.screen.query_one("#fan-filter-tags-in", Input).value = "viP, Nosuch"
        pilot.app.screen.query_one("#fan-filter-tags-out", Input).value = "VIP"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert str(screen.fans.border_title) == "Fans  0 · #VIP or #Nosuch · not #VIP · by spend"


async def test_a_new_sort_shows_its_top(world: World) -> None:
    """``g j j j s``: the list came up "by last active" around the fan the cursor was
    on, a third down, the newest fans above it out of sight (only ``g`` showed them).
    A new order starts at its top, the cursor on its first fan; keys typed behind ``s``
    move from there."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "g", *["j"] * 12)
        moved = screen.fans.cursor_row
        await press(pilot, "s")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        newest = listing.fans_window(world.context.db, world.account.id,
                                     sort=listing.FanSort.LAST_ACTIVE, limit=2)
        assert moved.fan_id not in {row.fan_id for row in newest}
        assert (screen.fans.cursor, screen.fans.scroll_offset.y) == (0, 0)
        assert screen.fans.cursor_row.fan_id == newest[0].fan_id
        await press(pilot, "s", "j")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        assert screen.sort is listing.FanSort.SUBSCRIBED and screen.fans.cursor == 1
        assert screen.fans.scroll_offset.y == 0


async def test_the_filter_dialog_refuses_bad_spend_and_empty_ranges_keeping_what_was_typed(
    world: World,
) -> None:
    """``5x`` or ``1,50`` as a spend, a minimum above the maximum, active since after
    inactive since: the dialog says why, whole even at 80x24 (the line wraps), and stays
    open with all typed, nothing applied; ``$1,234.50`` is a spend, as the title shows it."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        screen, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        error = dialog.query_one("#fan-filter-error")

        async def type_in(box: str, text: str) -> None:
            field = dialog.query_one(f"#fan-filter-{box}", Input)
            dialog.set_focus(field)
            await settle(pilot)
            field.value = ""
            await type_text(pilot, text)

        async def refused(why: str, at: str, typed: dict[str, str]) -> None:
            await press(pilot, "ctrl+s")
            assert pilot.app.screen is dialog and error.display
            assert str(error.render()) == why
            assert " ".join(lines(error)).split() == why.split()  # all of it on the screen
            assert dialog.focused is dialog.query_one(f"#fan-filter-{at}")
            for box, text in typed.items():
                assert dialog.query_one(f"#fan-filter-{box}", Input).value == text

        await type_in("min", "5x")
        await refused("bad minimum spend '5x': give dollars, e.g. 25 or 9.99", "min", {"min": "5x"})
        await type_in("min", "1,50")
        await refused("bad minimum spend '1,50': a comma only groups thousands (1,234.50); "
                      "cents after a point (1.50)", "min", {"min": "1,50"})
        await type_in("min", "50")
        await type_in("max", "20")
        await refused("minimum spend $50.00 is above the maximum $20.00", "min",
                      {"min": "50", "max": "20"})
        await type_in("max", "")
        await type_in("after", "2026-11-20")
        await type_in("before", "2026-11-10")
        await refused("the last-active range 2026-11-20 to 2026-11-10 is empty", "after",
                      {"min": "50", "after": "2026-11-20", "before": "2026-11-10"})
        await type_in("before", "2026-11-21")
        await type_in("min", "$1,234.50")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert screen.flt.min_spent_cents == 123450 and screen.flt.active_before is not None
        assert "≥ $1,234.50" in str(screen.fans.border_title)


async def test_an_empty_list_names_what_it_is_searched_and_filtered_by(world: World) -> None:
    """No fan matches: the title and the list say which search and filter, and the list
    which key clears them."""
    edits.add_tags(world.context.db, world.account.id, 1, ["vip"])
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "slash", *"nobody-here", "enter")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert str(screen.fans.border_title) == "Fans  0 · “nobody-here” · by last active"
        assert "No fans match “nobody-here”: esc clears the search" in fan_text(pilot)
        screen._set_filter(FanFilter(search="nobody-here", tags_in=("vip",)))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert "Fans  0 · “nobody-here” · #vip · by last active" == str(screen.fans.border_title)
        assert ("No fans match “nobody-here” · #vip: x clears the filter and the search"
                in fan_text(pilot))
        await press(pilot, "x")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        assert str(screen.fans.border_title) == "Fans  30 · by last active"


async def test_hostile_names_are_shown_literally(world: World) -> None:
    with world.context.db.write() as session:
        session.execute(update(Fan).where(Fan.account_id == world.account.id)
                        .values(nickname=HOSTILE, total_spent_cents=Fan.total_spent_cents))
    async with world.app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        shown = fan_text(pilot)
        assert "[bold red]look[/bold red]" in shown and "␛[31mred" in shown
        assert "\x1b" not in shown
        await press(pilot, "enter")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None)
        profile = str(detail.query_one("#fan-profile").render())
        assert "[bold red]look[/bold red]" in profile and "\x1b" not in profile


@pytest.mark.slow
@pytest.mark.parametrize("made", ["by-hand", "imported"])
async def test_a_fan_made_by_hand_shows_no_subscription_status(
    world: World, made: str, tmp_path: Path,
) -> None:
    """No platform id, no subscription data (as analytics counts them): the list's
    Status column and the detail's Subscription block say none, not "active" nor a
    price of $0.00; the platform id says why, true of a fan made here or imported."""
    from ofcrm_tui.core.fans.csv_import import import_fans

    db = world.context.db
    if made == "by-hand":
        fan = edits.create_fan(db, world.account.id, username="handmade1")
    else:
        path = tmp_path / "fans.csv"
        path.write_text("username,tags\nhandmade1,imported\n", encoding="utf-8")
        import_fans(db, world.account.id, path, author="tester")
        with db.read() as session:
            fan = session.scalars(select(Fan.id).where(Fan.username == "handmade1")).one()
    with db.write() as session:  # the biggest spender: the list's first row
        session.execute(update(Fan).where(Fan.id == fan).values(total_spent_cents=1_000_000))
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert screen.fans.cursor_row is not None and screen.fans.cursor_row.fan_id == fan
        assert lines(screen.fans)[0].split()[:3] == ["handmade1", "—", "$10,000.00"]
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        shown = str(detail.query_one("#fan-profile").render())
        assert "Status          —\n" in shown and "Price           —\n" in shown, shown
        assert "Platform id     — (not on the platform)\n" in shown, shown


async def test_create_and_delete_a_fan(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "n")
        for field in ("newbie", "New Bie", "[b]Nb[/b]"):
            await type_text(pilot, field)
            await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        assert detail.detail.profile.username == "newbie"
        assert detail.detail.profile.platform_user_id is None
        assert "(not on the platform)" in str(detail.query_one("#fan-profile").render())
        await press(pilot, "D")
        choice = pilot.app.screen
        await wait_for(pilot, lambda: bool(choice.query("OptionList Option")) or
                       choice.query_one("OptionList").option_count > 0)
        options = choice.query_one("OptionList")
        assert str(options.get_option_at_index(0).prompt) == "Keep the fan"  # what Enter does
        question = str(options.get_option_at_index(1).prompt)
        # A fan by hand, with nothing that goes with them: no counts, no "next sync".
        assert question == "Delete [b]Nb[/b] (@newbie)?"
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FansScreen))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        # The toast names the fan gone ("Fan deleted" did not), their nickname literally.
        said = [str(n.message) for n in pilot.app._notifications]
        assert "Deleted [b]Nb[/b] (@newbie)" in said, said
        with world.context.db.read() as session:
            assert session.scalar(select(Fan.id).where(Fan.username == "newbie")) is None
        # the same username twice is refused in one line, in the dialog
        await press(pilot, "n")
        await type_text(pilot, "newbie")
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, FanDetailScreen)
        await press(pilot, "escape", "n")
        await type_text(pilot, "newbie")
        await press(pilot, "ctrl+s")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFanDialog)
        assert "already has a fan @newbie" in str(dialog.query_one("#fan-new-error").render())


async def test_a_refused_new_fan_keeps_the_dialog_open_with_the_reason(world: World) -> None:
    """A bad username: the dialog stays, shows why in one line, keeps what was typed
    and puts the cursor back on the username, its text selected (typed over:
    ``test_form_refusals``); an arrow keeps it to be corrected; once it is, the fan is
    added."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, "n")
        await type_text(pilot, "bad name")
        await press(pilot, "enter")
        await type_text(pilot, "Ann")
        await press(pilot, "enter")
        await type_text(pilot, "annie")
        await press(pilot, "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFanDialog)
        error = dialog.query_one("#fan-new-error")
        assert error.display and "username 'bad name' contains spaces" in str(error.render())
        assert error.region.height == 1
        assert dialog.query_one("#fan-new-dialog").content_region.contains_region(error.region)
        values = [dialog.query_one(f"#fan-new-{f}", Input).value for f in ("username", "name", "nickname")]
        assert values == ["bad name", "Ann", "annie"]
        username = dialog.query_one("#fan-new-username", Input)
        assert pilot.app.focused is username
        await press(pilot, "end", "backspace")
        # the field changed: the refusal's reason no longer holds and goes
        assert not error.display and "contains spaces" not in str(error.render())
        await press(pilot, "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "_name")  # corrected, not typed over
        assert username.value == "bad_name"
        await press(pilot, "ctrl+s")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        assert detail.detail.profile.username == "bad_name"


@pytest.mark.parametrize(("content", "reason"), [
    ("", "the file is empty"),
    ("username,name,tags\n\n", "the file has no fan rows under its header"),
], ids=["empty", "header only"])
async def test_a_file_with_no_fan_rows_is_refused_by_its_preview(
    world: World, tmp_path: Path, content: str, reason: str
) -> None:
    """A header and no rows was previewed as importable ("Columns read", "ctrl+s
    imports"): only ctrl+s said it has no rows. Refused at once, as an empty file; its
    footer offers no Import (^s Import was still named)."""
    path = tmp_path / "fans.csv"
    path.write_text(content, encoding="utf-8")
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        pilot.app.push_screen(ImportDialog(path))
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ImportDialog)
        mapping = dialog.query_one("#fan-import-mapping", Static)
        await wait_for(pilot, lambda: "Reading" not in str(mapping.render()))
        assert str(mapping.render()) == f"Cannot import this file: {reason}"
        assert not any("ctrl+s" in str(n.message) for n in pilot.app._notifications)
        await settle(pilot)
        assert [key.description for key in dialog.query(FooterKey)] == ["Close"]
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert dialog.found is None and dialog.report is None and not dialog.running


async def test_import_a_file_and_read_its_report(world: World, tmp_path: Path) -> None:
    db, account = world.context.db, world.account.id
    with db.read() as session:  # a fan of the platform's, synced
        synced = session.scalars(select(Fan).where(Fan.account_id == account).order_by(Fan.id)).first()
    good = tmp_path / "fans.csv"
    good.write_text("username;name;tags;total spent\nimp1;Ann;vip|new;12.50\n"
                    f"imp2;Bob;;abc\nimp3;[b]Cy[/b];;3\n{synced.username};Renamed;imported;1\n",
                    encoding="utf-8")
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        dialog = await open_import(pilot, good)
        mapping = str(dialog.query_one("#fan-import-mapping").render())
        assert "semicolon" in mapping and "total spent → total_spent" in mapping
        assert "For fans the platform knows, name, total spent stay as the platform has them" in mapping
        assert "Import" in [key.description for key in dialog.query(FooterKey)]
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: dialog.report is not None)
        report = str(dialog.query_one("#fan-import-report").render())
        assert "nothing written" in report and "line 3:" in report
        hint = dialog.query_one("#fan-import-next")
        assert hint.display and "space ticks Skip bad rows" in str(hint.render())
        assert dialog.report.created == 0 or not dialog.report.written
        await press(pilot, "space")  # run again, skipping the bad row
        assert dialog.query_one("#fan-import-skip").value
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: dialog.report.written)
        assert (dialog.report.created, dialog.report.updated) == (2, 1)
        report = str(dialog.query_one("#fan-import-report").render())
        assert "skipped 1 bad" in report
        # Said at once, Import no longer offered (the line was blank, ^s Import still
        # named, until a second ctrl+s).
        assert hint.display and "This file is imported: esc closes" in str(hint.render())
        assert "Import" not in [key.description for key in dialog.query(FooterKey)]
        assert "1 row named fans the platform knows: their name, username, subscription" in report
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 32)
    with db.read() as session:
        kept = session.get(Fan, synced.id)
        assert (kept.name, kept.total_spent_cents) == (synced.name, synced.total_spent_cents)


async def test_the_import_reports_summary_is_in_view_at_80_columns(world: World, tmp_path: Path) -> None:
    """The report was scrolled to its end: with several bad rows its summary ("9 rows,
    7 bad: nothing written") was out of view. The report shows from its first line."""
    path = tmp_path / "bad.csv"
    path.write_text("username,name,total_spent,status\nann,Ann,12.50,active\nbob,Bob,abc,active\n"
                    ",NoName,1,active\ncid,Cid,1,weird\ndan,Dan,1,active\nee e,Eve,1,active\n"
                    "fay,Fay,-1,active\ngus,Gus,1;2,active\nhal,Hal,1,bogus\n", encoding="utf-8")
    async with world.app().run_test(size=(80, 24)) as pilot:
        dialog = await check_file(pilot, path)
        assert dialog.report.problem_count > 5 and not dialog.report.written
        view, report = dialog.query_one("#fan-import-outcome"), dialog.query_one("#fan-import-report")
        assert str(report.render()).startswith(dialog.report.summary())
        assert view.region.y <= report.region.y < view.region.bottom  # its first line in view


# A spreadsheet's export with three bad rows, one of them a line with a field too many.
QA_FILE = ("username,name,tags,total spent,status,notes\nlena_s,Lena,vip,12.50,active,hi\n"
           "marco,Marco,,abc,active,\n" + "".join(f"f{i},F{i},,1,active,\n" for i in range(3))
           + "cy,Cy,,1,weird,\n" + "".join(f"g{i},G{i},,1,active,\n" for i in range(3))
           + "gus,Gus,,1,active,x,extra\n")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_import_report_is_whole_with_the_next_step_and_the_rows_in_view(
    world: World, tmp_path: Path, size: tuple[int, int],
) -> None:
    """QA at 80x24: the report of this file was cut mid-sentence below the preview ("line
    11: 7 fields where the header has 6 (a wrong"), the hint to skip the bad rows and the
    rows could not be seen; at both sizes the check's progress bar stayed after it."""
    path = tmp_path / "fans.csv"
    path.write_text(QA_FILE, encoding="utf-8")
    async with world.app().run_test(size=size) as pilot:
        dialog = await check_file(pilot, path)
        assert dialog.report.problem_count == 3 and not dialog.report.written
        assert not dialog.query_one(ProgressBar).display  # the check is over
        report = dialog.query_one("#fan-import-report")
        shown = str(report.render())
        assert shown.startswith(dialog.report.summary()) and "unclosed quote?)" in shown
        assert report.parent.region.contains_region(report.region)  # every line in view
        content = dialog.query_one("#fan-import-dialog").content_region
        hint = next(s for s in dialog.query(Static) if "space ticks Skip bad rows" in str(s.render()))
        assert hint.display and hint.parent.region.contains_region(hint.region)
        assert content.contains_region(hint.region)
        body, rows = dialog.query_one("#fan-import-body"), dialog.query_one("#fan-import-rows")
        assert body.region.y <= rows.region.y and rows.region.y + 2 <= body.region.bottom  # header, a row


async def test_importing_a_file_again_reports_its_fans_unchanged(world: World, tmp_path: Path) -> None:
    path = tmp_path / "fans.csv"
    path.write_text("username,name,tags\nimp1,Ann,vip\nimp2,Bob,\n", encoding="utf-8")
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        for summary in ("2 rows: created 2, updated 0, unchanged 0",
                        "2 rows: created 0, updated 0, unchanged 2"):
            dialog = await open_import(pilot, path)
            await press(pilot, "ctrl+s")
            await wait_for(pilot, lambda: dialog.report is not None and dialog.report.written)  # noqa: B023
            assert summary in str(dialog.query_one("#fan-import-report").render())
            await press(pilot, "escape")


async def test_the_import_options_read_without_colour_and_a_done_import_says_so(
    world: World, tmp_path: Path,
) -> None:
    """An unticked option shows an empty box, a ticked one an X (Textual's showed the X
    either way, in another colour); an import done says so, on the dialog's line under
    its options (a toast went over its report), and a ctrl+s after it imports nothing."""
    path = tmp_path / "fans.csv"
    path.write_text("username,name\nimp1,Ann\n", encoding="utf-8")
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        dialog = await open_import(pilot, path)
        dry, skip = dialog.query_one("#fan-import-dry"), dialog.query_one("#fan-import-skip")

        def drawn(box: object) -> str:
            return next(line for line in lines(box) if box.label.plain in line).strip()

        assert "X" not in drawn(dry) and "X" not in drawn(skip), (drawn(dry), drawn(skip))
        dry.focus()
        await press(pilot, "space")
        assert dry.value and "X" in drawn(dry) and "X" not in drawn(skip)
        await press(pilot, "space")
        assert not dry.value and "X" not in drawn(dry)
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: dialog.report is not None and dialog.report.written)
        report = dialog.report
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog and dialog.report is report
        said = str(dialog.query_one("#fan-import-next").render())
        assert "This file is imported: esc closes" in said, said


async def test_import_picks_the_file_with_a_file_picker(world: World, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "picked.csv").write_text("username\npicked1\n", encoding="utf-8")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, "I")
        picker = pilot.app.screen
        await press(pilot, "tab")  # from the directory list to the file name
        assert picker.query_one("Input").has_focus
        picker.query_one("Input").value = str(tmp_path / "picked.csv")
        await press(pilot, "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, ImportDialog) and dialog.path == tmp_path / "picked.csv"


@pytest.mark.parametrize("shown", [False, True], ids=["with-I", "picker-shown"])
async def test_a_path_typed_as_the_picker_opens_is_taken(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: bool) -> None:
    """``I`` and a path typed at once, or once the picker is up: the letters went to the
    folder list (which does nothing with them) and Enter opened a folder; now they start
    the file name (and its box taking the focus does not select the first letters, which
    the next replaced: "/tmp/…" became "mp/…")."""
    (tmp_path / "typed.csv").write_text("username\ntyped1\n", encoding="utf-8")
    monkeypatch.setattr(Path, "home", lambda: Path("/"))
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        path = str(tmp_path / "typed.csv")
        if shown:
            await press(pilot, "I")
            await settle(pilot)
            await press(pilot, path[0])  # the box takes the focus with it
            burst(pilot.app, *path[1:], "enter")
        else:
            burst(pilot.app, "I", *path, "enter")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ImportDialog))
        assert pilot.app.screen.path == tmp_path / "typed.csv"


async def test_export_the_filtered_list(world: World, tmp_path: Path) -> None:
    db, account = world.context.db, world.account.id
    with db.read() as session:
        first = session.scalars(select(Fan.id).where(Fan.account_id == account).order_by(Fan.id)).first()
    edits.add_tags(db, account, first, ["export-me"])
    target = tmp_path / "out.csv"
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        screen._set_filter(FanFilter(tags_in=("export-me",)))
        await press(pilot, "E")
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        # Named for the app's day (its clock, frozen here), not the machine's.
        assert dialog.query_one("#fan-export-path").value == str(
            Path.home() / f"ofcrm-fans-{NOW:%Y-%m-%d}.csv")
        dialog.query_one("#fan-export-path").value = str(target)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: dialog.written is not None)
        assert dialog.written == 1
        # Closed once written: the next key is the fans screen's, not the file name's.
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert any("Exported 1 fan to" in str(n.message) for n in pilot.app._notifications)
        rows = target.read_text(encoding="utf-8").splitlines()
        assert len(rows) == 2 and "export-me" in rows[1]


@pytest.mark.parametrize(("sorts", "order"),
                         [(0, "by spend"), (1, "by last active"), (3, "by name")],
                         ids=["by spend", "by last active", "by name"])
async def test_the_export_writes_the_fans_in_the_order_the_screen_shows(
    world: World, tmp_path: Path, sorts: int, order: str
) -> None:
    """With ``≥ $x · by spend`` the screen's top fan came last in the file (it was
    written by fan id): the file lists the fans as the screen does, filter and sort, and
    the dialog names both (it named the filter only)."""
    target = tmp_path / "out.csv"
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, *["s"] * sorts)
        screen._set_filter(FanFilter(min_spent_cents=1))
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        shown = [screen.fans.row_at(i).username for i in range(screen.fans.count)]
        with world.context.db.read() as session:
            by_id = list(session.scalars(select(Fan.username).where(
                Fan.account_id == world.account.id, Fan.total_spent_cents >= 1).order_by(Fan.id)))
        assert sorted(shown) == sorted(by_id) and shown != by_id and len(shown) > 2
        await press(pilot, "E")
        dialog = pilot.app.screen
        assert isinstance(dialog, ExportDialog)
        named = str(dialog.query_one("#fan-export-which", Static).render())
        assert named == f"Fans: ≥ $0.01\nIn the list's order: {order}", named
        dialog.query_one("#fan-export-path").value = str(target)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: dialog.written is not None)
    with target.open(newline="", encoding="utf-8") as f:
        assert [row["username"] for row in csv.DictReader(f)] == shown


async def test_a_failed_export_says_so_and_shows_no_progress(world: World, tmp_path: Path) -> None:
    """The bar went on moving under "Not exported: …" as if the export still ran."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        _, dialog = await fans_dialog(pilot, "E", ExportDialog)
        dialog.query_one("#fan-export-path").value = str(tmp_path / "missing" / "out.csv")
        await press(pilot, "enter")
        result = dialog.query_one("#fan-export-result", Static)
        await wait_for(pilot, lambda: "Not exported" in str(result.render()))
        assert not dialog.running and not dialog.query_one(ProgressBar).display
        assert pilot.app.screen is dialog  # the path can be put right


async def test_export_asks_before_it_replaces_a_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first export to a file that exists says what is there and writes nothing; the
    next to the same path replaces it, unless it comes too soon to have read the warning
    (Enter Enter); a change of the path asks again."""
    target = tmp_path / "kept.csv"
    kept = "".join(f"line {i}\n" for i in range(303))
    target.write_text(kept, encoding="utf-8")
    async with world.app().run_test(size=(80, 24)) as pilot:
        screen, dialog = await fans_dialog(pilot, "E", ExportDialog)
        box = dialog.query_one("#fan-export-path", Input)
        box.value = str(target)
        await press(pilot, "enter")
        result = str(dialog.query_one("#fan-export-result").render())
        assert f"{target.name} exists (3 KB, modified " in result.replace("\n", "")
        assert "export again to replace it" in result.replace("\n", " ")
        assert pilot.app.screen is dialog and target.read_text(encoding="utf-8") == kept
        await press(pilot, "end", "backspace")  # the path changed: asked again
        await type_text(pilot, "v")
        assert box.value == str(target)
        await press(pilot, "enter")
        assert pilot.app.screen is dialog and target.read_text(encoding="utf-8") == kept
        await press(pilot, "enter")  # at once: the warning was not read yet, asked again
        assert pilot.app.screen is dialog and target.read_text(encoding="utf-8") == kept
        monkeypatch.setattr(fields, "CONFIRM_AFTER_SECONDS", 0.0)  # read by now
        await press(pilot, "enter")  # the same path again: replaced
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        assert len(target.read_text(encoding="utf-8").splitlines()) == 31



def test_a_file_export_dialog_must_say_what_it_writes() -> None:
    """``job`` is the export dialogs' contract: one without it is refused when made, not
    when its first export starts."""

    class Unsaid(FileExportDialog):
        REASON = "#unsaid"

    with pytest.raises(TypeError, match="job"):
        Unsaid()


def test_after_a_run_that_wrote_nothing_the_option_to_change_is_named() -> None:
    from ofcrm_tui.core.fans.csv_import import ImportReport
    from ofcrm_tui.tui.dialogs.fan_import import _next_step

    def report(**fields: object) -> ImportReport:
        return ImportReport("fans.csv", **{"dry_run": False, "skip_invalid": False, "rows": 3,
                                           **fields})

    assert _next_step(report(dry_run=True, created=3))[0] == "fan-import-dry"
    assert _next_step(report(problem_count=1))[0] == "fan-import-skip"
    assert _next_step(report(created=3, written=True)) is None
    assert _next_step(report(problem_count=1, skip_invalid=True)) is None  # nothing to change
    assert _next_step(report(rows=0)) is None


@pytest.mark.parametrize("key", ["plus", "n"])
async def test_both_keys_the_footer_names_open_the_new_fan_dialog(world: World, key: str) -> None:
    """Textual names the ``+`` key ``plus``: bound as ``plus_sign`` it did nothing."""
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, key)
        assert isinstance(pilot.app.screen, NewFanDialog)


def cells(line: str) -> list[str]:
    """``line`` a cell each: a wide character's second cell is empty."""
    return [part for char in line for part in ([char, ""] if cell_len(char) == 2 else [char])]


async def test_sorted_by_subscription_the_list_shows_since_when(world: World) -> None:
    """Sorted by subscription (``s s``) the rows came under Active, whose times are in no
    order: the column shows when each fan subscribed ("Since") while that is the order,
    at 80x24 beside all the others, under its title."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "s")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        assert screen.sort is listing.FanSort.SUBSCRIBED
        title = lines(screen.query_one("#fan-header", Static))[0]
        assert title.split() == ["Fan", "Status", "Spent", "Since", "Last", "msg", "Tags"]
        at = title.index("Since")
        drawn = lines(screen.fans)
        now = pilot.app.clock()
        rows = [screen.fans.row_at(i) for i in range(len(drawn))]
        assert [row.subscribed_at for row in rows] == sorted(
            (row.subscribed_at for row in rows), reverse=True)
        shown = ["".join(cells(line)[at:at + 8]).strip() for line in drawn]
        assert shown == [short_time(row.subscribed_at, now) for row in rows]
        assert len(set(shown)) > 1  # (dates told apart, not one day)
        await press(pilot, "s")  # by name: Active again
        await wait_for(pilot, lambda: screen.fans.loaded)
        title = lines(screen.query_one("#fan-header", Static))[0]
        assert "Active" in title and "Since" not in title
