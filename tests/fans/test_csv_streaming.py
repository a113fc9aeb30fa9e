"""CSV import and export at size: batches and progress, the filter and the list's order,
no partial file, no reference cycles row by row, large batches keeping every row."""

from __future__ import annotations

import csv
import gc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.core.fans import csv_export, csv_import, listing
from ofcrm_tui.core.fans.collector import collector_paused
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.fans.conftest import add_fan, counts
from tests.fans.csv_files import _import


def test_import_streams_in_batches_with_progress(db: Database, account: int, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_import, "BATCH", 10)
    path = tmp_path / "a.csv"
    path.write_text("id,username\n" + "".join(f"{i},u{i}\n" for i in range(1, 36)), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    report = _import(db, account, path, progress=lambda rows, read: seen.append((rows, read)))
    assert report.created == 35 and [rows for rows, _ in seen] == [10, 20, 30, 35]
    assert seen[-1][1] == path.stat().st_size
    assert csv_import.import_fans(db, account, path, author="x").unchanged == 35


def test_export_applies_the_filter_and_leaves_no_partial_file(db: Database, account: int, tmp_path: Path) -> None:
    add_fan(db, account, 1, "one", total_spent_cents=100)
    add_fan(db, account, 2, "two")
    path = tmp_path / "out.csv"
    rich = select(Fan.id).where(Fan.total_spent_cents > 0)
    assert csv_export.export_fans(db, account, path, fan_ids=rich) == 1
    assert "one" in path.read_text() and "two" not in path.read_text()
    with pytest.raises(Exception):
        csv_export.export_fans(db, account, tmp_path / "missing-dir" / "x.csv")
    assert not list((tmp_path).glob(".*.partial"))


@pytest.mark.parametrize("sort", list(listing.FanSort))
def test_export_writes_the_fans_in_the_lists_order(
    db: Database, account: int, tmp_path: Path, sort: listing.FanSort
) -> None:
    """The fans screen's top fan is the file's first: the rows came by fan id, so with
    ``≥ $150 · by spend`` the screen's first fan was the file's last. The same filter
    and order as the list, ties too, for every sort."""
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    for n, (spent, days, name) in enumerate([(15000, 5, "cleo"), (90000, 1, "Ann"), (20000, 3, "bob"),
                                             (20000, 0, "dan"), (100, 2, "eve")]):
        add_fan(db, account, 500 + n, f"u{n}", name=name, total_spent_cents=spent,
                last_seen_at=seen.replace(day=1 + days), subscribed_at=seen.replace(day=9 - days))
    rich = select(Fan.id).where(Fan.total_spent_cents >= 15000)
    path = tmp_path / "out.csv"
    assert csv_export.export_fans(db, account, path, fan_ids=rich, sort=sort) == 4
    with path.open(newline="", encoding="utf-8") as f:
        written = [row["username"] for row in csv.DictReader(f)]
    shown = [row.username for row in listing.fans_window(db, account, fan_ids=rich, sort=sort)]
    assert written == shown and len(set(shown)) == 4
    if sort is listing.FanSort.SPEND:
        assert written == ["u1", "u3", "u2", "u0"]  # a tie: the newest fan first, as listed


def test_an_import_and_an_export_make_no_reference_cycles_row_by_row(
    db: Database, account: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They pause the cycle collector: what they leave for it must not grow with the
    file, or memory would."""
    monkeypatch.setattr(csv_import, "BATCH", 10)
    monkeypatch.setattr(csv_export, "PAGE", 10)
    path = tmp_path / "a.csv"
    rows = "".join(f"{i},u{i},vip|t{i % 3},note {i},2026-01-0{1 + i % 9}T10:00:00Z\n" for i in range(1, 60))
    path.write_text("id,username,tags,notes,last seen\n" + rows, encoding="utf-8")
    for _ in range(2):  # creates, then updates (statements compiled on the way)
        _import(db, account, path)

    def export_leaves(fans: int) -> int:
        csv_export.export_fans(db, account, tmp_path / "out.csv", fan_ids=select(Fan.id).limit(fans))
        return gc.collect()

    export_leaves(1)
    gc.collect()
    with collector_paused():  # and kept off after their own pauses
        report = _import(db, account, path)
        assert (report.unchanged, gc.collect()) == (59, 0)
        assert export_leaves(5) == export_leaves(59)  # the query's own objects, once


def test_a_large_batch_written_many_rows_a_statement_keeps_every_row_and_repeat(
    db: Database, account: int, tmp_path: Path
) -> None:
    """Rows go in several a statement and the last few one by one: a repeat is found
    in either part, every other row and its tags and note are written."""
    rows = [f"{i},u{i},{'vip|new' if i % 2 else 'new'},{'note' if i % 7 == 0 else ''}" for i in range(1, 1201)]
    rows[600] = "5,again,vip,"  # line 602: among the rows bound several a statement
    rows[-1] = "1199,again2,,"  # line 1201: among the last ones, bound one by one
    path = tmp_path / "many.csv"
    path.write_text("id,username,tags,notes\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = _import(db, account, path, skip_invalid=True)
    assert [(p.line, p.reason) for p in report.problems] == [
        (602, "the same fan as line 6"), (1201, "the same fan as line 1200")]
    assert (report.created, report.written) == (1198, True)
    with db.read() as session:
        fans = session.execute(select(Fan.platform_user_id, Fan.username).where(
            Fan.account_id == account).order_by(Fan.id)).all()
    kept = [i for i in range(1, 1200) if i != 601]
    assert fans == [(i, f"u{i}") for i in kept]
    assert counts(db, account) == (1198, 2, sum(2 if i % 2 else 1 for i in kept),
                                   sum(1 for i in kept if i % 7 == 0))
