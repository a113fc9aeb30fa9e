"""Exporting the fans list to a CSV file: the filtered list in the screen's order, a
failed export, a file replaced only when asked, the export dialogs' contract."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, ProgressBar, Static

from ofcrm_tui.core.fans import FanFilter
from ofcrm_tui.core.fans import edits
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.fan_export import ExportDialog
from ofcrm_tui.tui.dialogs.file_export import FileExportDialog
from ofcrm_tui.tui.widgets import fields
from tests.tui.conftest import NOW, World
from tests.tui.fans_pilot import fans_dialog, open_fans
from tests.tui.pilot import press, settle, type_text, wait_for


pytestmark = pytest.mark.anyio


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
