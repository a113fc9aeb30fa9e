"""Importing a CSV file from the fans screen: the file picker, the preview, the options,
the report and its next step."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import ProgressBar, Static
from textual.widgets._footer import FooterKey

from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.fan_import import ImportDialog
from tests.tui.conftest import World
from tests.tui.fans_pilot import check_file, open_fans, open_import
from tests.tui.pilot import burst, lines, press, settle, wait_for


pytestmark = pytest.mark.anyio


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
