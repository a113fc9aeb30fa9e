"""The fast paths of the CSV import and export agree with the reference forms:
dates stored as SQLAlchemy stores them, cells written as ``export_cells`` writes them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import String, literal, select

from ofcrm_tui.core.fans import csv_export, csv_import, edits, profile
from ofcrm_tui.core.fans.csv_format import export_cells, guard, notes_cell
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.fans.conftest import add_fan, make_account

SECONDS = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MICROS = datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC)


def test_imported_dates_compare_equal_in_sql(db: Database, account: int, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("username,last seen,subscribed since\n"
                    "ann,2026-01-02T03:04:05Z,2026-03-04T05:06:07.000089+00:00\n", encoding="utf-8")
    assert csv_import.import_fans(db, account, path, author="x").complete
    with db.read() as session:
        found = session.scalars(select(Fan.username).where(
            Fan.account_id == account, Fan.last_seen_at == SECONDS, Fan.subscribed_at == MICROS))
        assert list(found) == ["ann"]


def test_exported_cells_are_those_of_export_cells(db: Database, account: int, tmp_path: Path) -> None:
    values = dict(username="@ann", name="-1", nickname="'=x",
                  subscription_status="expired", subscribed_at=SECONDS, expires_at=MICROS,
                  last_seen_at=None, subscribe_price_cents=5, total_spent_cents=123456789,
                  tips_cents=0, messages_cents=100, subscriptions_cents=7, posts_cents=90)
    fan = add_fan(db, account, None, **values)
    edits.add_tags(db, account, fan, ["zed", "+plus"])
    edits.add_note(db, account, fan, "first", author="a")
    edits.add_note(db, account, fan, "=second", author="a")
    path = tmp_path / "out.csv"
    assert csv_export.export_fans(db, account, path) == 1
    with path.open(encoding="utf-8", newline="") as file:
        row = list(csv.reader(file))[1]
    notes = notes_cell((n.author, n.created_at, n.body)
                       for n in reversed(profile.notes_page(db, account, fan)))
    assert notes.startswith("[a, ") and "]\nfirst\n\n[a, " in notes and notes.endswith("]\n=second")
    assert row == export_cells({**values, "platform_user_id": None, "tags": ["+plus", "zed"], "notes": notes})


def test_every_exported_time_is_utc_to_the_second_and_reads_back(
    db: Database, account: int, tmp_path: Path
) -> None:
    """A synced last seen has microseconds, one typed in has none: the file wrote
    ``…T11:48:34.860381Z`` beside ``…T08:02:55Z``. Both are written to the second, and an
    import of the file gives those seconds back."""
    synced = datetime(2026, 12, 1, 11, 48, 34, 860381, tzinfo=UTC)
    typed = datetime(2026, 11, 30, 8, 2, 55, tzinfo=UTC)
    add_fan(db, account, 1, "ann", last_seen_at=synced, subscribed_at=typed, expires_at=MICROS)
    add_fan(db, account, 2, "bo", last_seen_at=typed, subscribed_at=synced)
    path = tmp_path / "out.csv"
    assert csv_export.export_fans(db, account, path) == 2
    with path.open(encoding="utf-8", newline="") as file:
        rows = {row["username"]: row for row in csv.DictReader(file)}
    columns = ("subscribed_since", "expires_at", "last_seen")
    dates = [row[column] for row in rows.values() for column in columns]
    assert sorted(dates) == ["", "2026-03-04T05:06:07Z", "2026-11-30T08:02:55Z",
                             "2026-11-30T08:02:55Z", "2026-12-01T11:48:34Z",
                             "2026-12-01T11:48:34Z"]
    fresh = make_account(db, "fresh")
    assert csv_import.import_fans(db, fresh, path, author="x").complete
    with db.read() as session:
        back = {row.username: row for row in session.execute(
            select(Fan.username, Fan.last_seen_at, Fan.subscribed_at).where(Fan.account_id == fresh))}
    assert back["ann"].last_seen_at == synced.replace(microsecond=0)
    assert back["ann"].subscribed_at == back["bo"].last_seen_at == typed


# Cells of the guard's own alphabet (quotes, formula characters, tab, CR), and any text.
GUARD_CELLS = st.lists(
    st.one_of(st.text(st.sampled_from("'=+-@\t\r a"), max_size=4),
              st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)),
    min_size=1, max_size=30,
)


def test_the_export_guards_cells_in_sql_as_guard_does(db: Database) -> None:
    @given(GUARD_CELLS)
    @settings(max_examples=60, deadline=None)
    def same(cells: list[str]) -> None:
        with db.read() as session:
            found = session.execute(select(*(csv_export.guarded(literal(c, String)) for c in cells))).one()
        assert list(found) == [guard(c) for c in cells]

    same()
