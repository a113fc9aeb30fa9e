"""CSV export and import round trips: an export imported into a fresh account, statuses
and prices left unknown, a re-import changing only what it changes, notes not added
again."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from ofcrm_tui.core.fans import csv_export, csv_format, edits, listing, profile
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.fans.conftest import add_fan, counts, make_account
from tests.fans.csv_files import BY_NAME, _fan_id, _import


def test_export_then_import_into_a_fresh_account_gives_the_same_export(
    db: Database, account: int, populated: Callable[[], None], tmp_path: Path
) -> None:
    populated()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    progress: list[tuple[int, int]] = []
    # By name, both: the import makes the fans in the file's order, so the ties of an
    # order broken by the newest fan first (spend) come back the other way round.
    assert csv_export.export_fans(db, account, first, sort=BY_NAME,
                                  progress=lambda *p: progress.append(p)) == 3
    assert progress[-1] == (3, 3)
    text = first.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'-minus" in text and "''=quoted" in text
    fresh = make_account(db, "fresh")
    report = _import(db, fresh, first)
    assert (report.rows, report.created, report.updated, report.problem_count) == (3, 3, 0, 0)
    assert report.written and report.complete
    csv_export.export_fans(db, fresh, second, sort=BY_NAME)
    assert second.read_text(encoding="utf-8") == text
    with db.read() as session:
        names = set(session.scalars(select(Fan.name).where(Fan.account_id == fresh)))
        hand = session.scalar(select(Fan.platform_user_id).where(Fan.username == "by_hand"))
    assert names == {"=HYPERLINK(\"x\")", "+plus\ttab", "'=quoted"} and hand is None


def test_a_fan_with_no_subscription_data_is_exported_with_no_status(
    db: Database, account: int, populated: Callable[[], None], tmp_path: Path
) -> None:
    """A fan made by hand or imported without a user id has no status, as the list shows
    it: its cell is empty, and the round trip keeps it so. An empty cell gives no status:
    a platform fan keeps its own, a fan without subscription data stays without one."""
    populated()  # "by_hand": made by hand, its stored status the default
    imported = tmp_path / "imported.csv"
    imported.write_text("username,status\nno_id,expired\n", encoding="utf-8")
    assert _import(db, account, imported).created == 1
    shown = {row.username: row.subscription_status for row in listing.fans_window(db, account)}
    assert shown == {"lena_sato42": "active", "-minus": "expired", "by_hand": None, "no_id": None}
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    csv_export.export_fans(db, account, first, sort=BY_NAME)  # (as above: ties kept)

    def statuses(path: Path) -> dict[str, str]:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return {csv_format.unguard(row["username"]): row["status"] for row in rows}

    assert statuses(first) == {"lena_sato42": "active", "-minus": "expired", "by_hand": "", "no_id": ""}
    fresh = make_account(db, "fresh")
    assert _import(db, fresh, first).created == 4
    csv_export.export_fans(db, fresh, second, sort=BY_NAME)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert {row.username: row.subscription_status for row in listing.fans_window(db, fresh)} == shown
    # Imported back, the empty cells change no one: neither the platform fans' status
    # (a cell emptied by hand included) nor the others'.
    with first.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    for row in rows:
        row[header.index("status")] = ""
    with first.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    report = _import(db, account, first)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    with db.read() as session:
        stored = dict(session.execute(select(Fan.username, Fan.subscription_status)
                                      .where(Fan.account_id == account)).all())
    assert stored == {"lena_sato42": "active", "-minus": "expired", "by_hand": "active", "no_id": "expired"}
    assert {row.username: row.subscription_status for row in listing.fans_window(db, account)} == shown


def test_an_unknown_price_is_an_empty_cell_and_reads_back_as_unknown(
    db: Database, account: int, populated: Callable[[], None], tmp_path: Path
) -> None:
    """A fan with no subscription data has no known price (the app and ``fans show``
    say ``—``): its cell is empty, not 0.00, and an empty cell imports as no price given,
    so the round trip keeps it unknown and a known one as it was."""
    populated()  # "by_hand": made by hand
    with db.write() as session:  # a price the platform gave once, then no data
        session.add(Fan(account_id=account, platform_user_id=None, username="was_known",
                        subscribe_price_cents=999))
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    csv_export.export_fans(db, account, first)

    def prices(path: Path) -> dict[str, str]:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return {csv_format.unguard(row["username"]): row["subscription_price"] for row in rows}

    exported = prices(first)
    assert exported["by_hand"] == exported["was_known"] == ""
    assert all(cell.count(".") == 1 for name, cell in exported.items()
               if name not in ("by_hand", "was_known"))
    fresh = make_account(db, "fresh")
    assert _import(db, fresh, first).created == len(exported)
    with db.read() as session:
        by_hand = session.scalar(select(Fan.id).where(Fan.account_id == fresh, Fan.username == "by_hand"))
    assert profile.fan_profile(db, fresh, by_hand).subscription_status is None  # shown as —
    csv_export.export_fans(db, fresh, second)
    assert prices(second) == exported
    report = _import(db, account, first)  # back into its own account: nothing changes
    assert (report.created, report.updated) == (0, 0)
    with db.read() as session:
        assert session.scalar(select(Fan.subscribe_price_cents).where(
            Fan.account_id == account, Fan.username == "was_known")) == 999


def test_reimport_updates_and_adds_tags_and_notes_without_duplicating(
    db: Database, account: int, tmp_path: Path
) -> None:
    fan = add_fan(db, account, 77, "olive", name="Olive", total_spent_cents=500)
    first = tmp_path / "a.csv"
    first.write_text("id;handle;Display Name;tags;notes;total spent\n"
                     "77;olive;Olive Oyl;vip|new;met in May;12.50\n"
                     ";sam;Sam;new;;\n", encoding="utf-8")
    report = _import(db, account, first)
    assert (report.created, report.updated, report.delimiter) == (1, 1, ";")
    again = _import(db, account, first)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    shown = profile.fan_profile(db, account, fan)  # a platform fan: its name and spend stay
    assert (shown.name, shown.spend.total_cents, shown.tags) == ("Olive", 500, ("new", "vip"))
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["met in May"]
    assert counts(db, account) == (2, 2, 3, 1)


def test_reimporting_an_export_counts_only_the_fans_it_changes(
    db: Database, account: int, populated: Callable[[], None], tmp_path: Path
) -> None:
    """An unchanged export imported back changes nothing and says so (dry run too); a
    changed field, a new tag or a new note makes that fan updated, and only that one."""
    populated()
    path = tmp_path / "fans.csv"
    csv_export.export_fans(db, account, path)
    with db.read() as session:
        stamps = dict(session.execute(select(Fan.id, Fan.updated_at).where(Fan.account_id == account)).all())
    for dry_run in (True, False):
        report = _import(db, account, path, dry_run=dry_run)
        assert (report.created, report.updated, report.unchanged, report.complete) == (0, 0, 3, True)
    assert report.summary() == "3 rows: created 0, updated 0, unchanged 3"
    with db.read() as session:
        assert dict(session.execute(select(Fan.id, Fan.updated_at).where(Fan.account_id == account)).all()) == stamps
    with path.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    edited = tmp_path / "edited.csv"
    for name, value in (("total_spent", "9.99"), ("tags", "met at expo|newcomer"),
                        ("notes", "a new note")):
        for row in rows:
            if row[header.index("username")] == "by_hand":
                row[header.index(name)] = value
        with edited.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([header, *rows])
        report = _import(db, account, edited)
        assert (report.created, report.updated, report.unchanged) == (0, 1, 2), name
        assert _import(db, account, edited).updated == 0, name
    assert report.summary() == "3 rows: created 0, updated 1, unchanged 2"


def test_an_export_imported_back_adds_no_note_again(db: Database, account: int, tmp_path: Path) -> None:
    """The export joins a fan's notes in one cell; importing it back (even after a newer
    note was added) keeps the notes as they are, where each round trip added one."""
    fan = add_fan(db, account, 5, "nora")
    for body in ("met at con", "likes\n\ncats", "second note"):
        edits.add_note(db, account, fan, body, author="ann")
    path = tmp_path / "nora.csv"
    csv_export.export_fans(db, account, path)
    edits.add_note(db, account, fan, "newer", author="ann")
    for _ in range(2):
        assert _import(db, account, path).complete
    bodies = [n.body for n in profile.notes_page(db, account, fan)]
    assert sorted(bodies) == sorted(["met at con", "likes\n\ncats", "second note", "newer"])
    path.write_text("username,notes\nnora,\"met at con\n\nsomething new\"\n", encoding="utf-8")
    assert _import(db, account, path).complete  # not made of its notes: added
    assert len(profile.notes_page(db, account, fan)) == 5


def test_holds_only_reads_a_cell_of_notes_in_their_order() -> None:
    notes = ["a", "b\n\nc", "d"]
    for cell in ("a", "b\n\nc", "a\n\nd", "a\n\nb\n\nc\n\nd", "b\n\nc\n\nd"):
        assert csv_format.holds_only(cell, notes), cell
    for cell in ("", "b", "d\n\na", "a\n\n", "a\n\nx", "a\n\nb\n\nc\n\nd\n\ne"):
        assert not csv_format.holds_only(cell, notes), cell


def test_an_export_imported_into_a_fresh_account_keeps_each_notes_author_and_time(
    db: Database, account: int, tmp_path: Path
) -> None:
    """The notes of several chatters came back as one note of the importer's; each keeps
    its author and its time (to the second, as every export writes times), and a body
    that looks like a note's own line, or starts with a backslash, reads back as written."""
    fan = add_fan(db, account, 5, "nora")
    written = [("ann", "met at con"), ("bob", "likes\n\n[ann, 2026-01-01T00:00:00Z]\ncats"),
               ("cy", "\\back\n\\[slash\n"), ("ann", "[VIP] bought twice")]
    for author, body in written:
        edits.add_note(db, account, fan, body, author=author)
    path = tmp_path / "nora.csv"
    csv_export.export_fans(db, account, path)
    fresh = make_account(db, "fresh")
    assert _import(db, fresh, path).complete
    again = _fan_id(db, fresh, "nora")

    def kept(account_id: int, fan_id: int) -> list[tuple[str, str, str]]:
        return [(n.author, n.created_at.strftime("%Y-%m-%dT%H:%M:%S"), n.body)
                for n in reversed(profile.notes_page(db, account_id, fan_id))]

    assert kept(fresh, again) == kept(account, fan)
    assert [(author, body) for author, _, body in kept(fresh, again)] == written


@given(st.lists(st.tuples(
    st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), min_size=1,
            max_size=csv_format.NOTE_AUTHOR_CHARS),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs",))).filter(str.strip)), min_size=1))
def test_a_cell_of_notes_reads_back_as_written(notes: list[tuple[str, datetime, str]]) -> None:
    exact = [(author, at.replace(microsecond=0, tzinfo=UTC), body) for author, at, body in notes]
    assert csv_format.cell_notes(csv_format.notes_cell(exact)) == exact
