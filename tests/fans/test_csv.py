"""CSV export and import: the round trip, hostile files, what an import writes."""

from __future__ import annotations

import csv
import gc
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.core.fans import csv_export, csv_format, csv_import, csv_read, edits, listing, profile
from ofcrm_tui.core.fans.collector import collector_paused
from ofcrm_tui.core.fans.csv_format import HEADER, CsvFormatError
from ofcrm_tui.core.fans.fields import FanFieldError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan, FanTag, Tag
from tests.fans.conftest import add_fan, counts, make_account

CSV_HEADER = ",".join(HEADER)
BY_NAME = listing.FanSort.NAME


def _import(db: Database, account: int, path: Path, **options: object) -> csv_import.ImportReport:
    return csv_import.import_fans(db, account, path, author="importer", **options)  # type: ignore[arg-type]


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


def test_a_row_with_a_platform_id_links_a_fan_created_by_hand(db: Database, account: int, tmp_path: Path) -> None:
    hand = add_fan(db, account, None, "ghost")
    other = add_fan(db, account, 5, "taken")
    path = tmp_path / "a.csv"
    path.write_text("user_id,username\n9,ghost\n6,taken\n", encoding="utf-8")
    report = _import(db, account, path)
    assert (report.created, report.updated) == (1, 1)
    with db.read() as session:
        assert session.get(Fan, hand).platform_user_id == 9
        assert session.get(Fan, other).platform_user_id == 5


def test_fans_the_platform_knows_keep_what_it_says_and_take_the_teams_fields(
    db: Database, account: int, tmp_path: Path
) -> None:
    """A synced fan keeps the platform's name, status, dates and spend (the sync would put
    them back at its next refresh, and a send or a campaign reads them meanwhile); the
    import gives it nickname, tags and notes, and fills everything for the other fans."""
    since = datetime(2025, 3, 1, tzinfo=UTC)
    synced = add_fan(db, account, 100001, "u100001", name="محمد", subscription_status="active",
                     subscribed_at=since, total_spent_cents=14497, tips_cents=4497)
    by_name = add_fan(db, account, 100020, "u100020", name="Zed", subscription_status="active")
    hand = add_fan(db, account, None, "by_hand", name="Old")
    path = tmp_path / "a.csv"
    path.write_text(
        "user_id;username;name;nickname;tags;notes;total spent;tips;subscribed since;status\n"
        "100001;renamed;Mo;Moey;vip;met in May;$1,234.50;1.00;2025-01-02;expired\n"
        ";u100020;;;;;;;;expired\n"  # by username, the platform's status only
        ";by_hand;Hand Made;Hm;expo;;12.50;;2024-05-05;expired\n"
        "100099;newbie;New One;;;;3.00;;;expired\n",
        encoding="utf-8",
    )
    dry = _import(db, account, path, dry_run=True)
    report = _import(db, account, path)
    for done in (dry, report):
        # u100020's row gives nothing the import takes: unchanged
        assert (done.created, done.updated, done.unchanged, done.platform_kept) == (1, 2, 1, 2)
        assert done.platform_line().startswith("2 rows named fans the platform knows: their name")
    with db.read() as session:
        got = {fan.id: (fan.username, fan.name, fan.nickname, fan.subscription_status,
                        fan.subscribed_at, fan.total_spent_cents, fan.tips_cents)
               for fan in session.scalars(select(Fan).where(Fan.account_id == account))}
    assert got.pop(synced) == ("u100001", "محمد", "Moey", "active", since, 14497, 4497)
    assert got.pop(by_name) == ("u100020", "Zed", "", "active", None, 0, 0)
    assert got.pop(hand) == ("by_hand", "Hand Made", "Hm", "expired", datetime(2024, 5, 5, tzinfo=UTC),
                             1250, 0)
    assert list(got.values()) == [("newbie", "New One", "", "expired", None, 300, 0)]
    assert profile.fan_profile(db, account, synced).tags == ("vip",)
    assert [n.body for n in profile.notes_page(db, account, synced)] == ["met in May"]


def test_a_fan_made_by_hand_linked_by_the_import_takes_the_platform_fields(
    db: Database, account: int, tmp_path: Path
) -> None:
    """The platform did not know the fan yet: the row's fields are the best there are."""
    hand = add_fan(db, account, None, "ghost", name="G")
    path = tmp_path / "a.csv"
    path.write_text("user_id,username,name,status\n9,ghost,Ghost,expired\n", encoding="utf-8")
    report = _import(db, account, path)
    assert (report.updated, report.platform_kept, report.platform_line()) == (1, 0, "")
    with db.read() as session:
        fan = session.get(Fan, hand)
        assert (fan.platform_user_id, fan.name, fan.subscription_status) == (9, "Ghost", "expired")


def test_every_bad_row_is_named_whether_or_not_bad_rows_are_skipped(
    db: Database, account: int, tmp_path: Path
) -> None:
    """A repeated fan is found even once an earlier bad row stopped the writing: the first
    report lists every bad row, the one with skip_invalid names no new one."""
    path = tmp_path / "a.csv"
    path.write_text("username,tips\nann,1\nbob,-1\ncat,x\nann,2\ncat,3\n", encoding="utf-8")
    strict, dry, skipped = (_import(db, account, path, **options)
                            for options in ({}, {"dry_run": True}, {"skip_invalid": True}))
    expected = [(3, "tips: negative amount '-1'"), (4, "tips: not an amount of dollars like 12.50: 'x'"),
                (5, "the same fan as line 2")]
    for report in (strict, dry, skipped):
        assert [(p.line, p.reason) for p in report.problems] == expected
        assert (report.rows, report.problem_count) == (5, 3)
    assert strict.summary() == "5 rows, 3 bad: nothing written"
    assert skipped.written and (skipped.created, skipped.updated) == (2, 0)


BIG = "x" * 10_000
HOSTILE = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "header only": (CSV_HEADER.encode() + b"\n", "no fan rows"),
    "unknown columns only": (b"colour,shoe size\nred,42\n", "no column ofcrm knows"),
    "no identity column": (b"name,tags\nAnn,vip\n", "user id or a username"),
    "wrong delimiter": (b"username|name\nann|Ann\n", "no column ofcrm knows"),
    "semicolon rows under a comma header": (b"username,name\nann;Ann;x\n", None),
    "duplicated rows": (b"username,name\nann,Ann\nbob,Bob\nann,Ann\n", "the same fan as line 2"),
    "duplicated ids": (b"id,username\n7,ann\n7,bob\n", "the same fan as line 2"),
    "10,000-character name": (f"username,name\nann,{BIG}\n".encode(), "10,000 characters"),
    "10,000-character username": (f"username\n{BIG}\n".encode(), "10,000 characters"),
    "non-numeric money": (b"username,total spent\nann,lots\n", "not an amount"),
    "negative money": (b"username,tips\nann,-5.00\n", "negative"),
    "too many decimals": (b"username,tips\nann,1.999\n", "not an amount"),
    "decimal comma": (b"username;tips\nann;1,50\n", "a comma only groups thousands"),
    "thousands point": (b"username;tips\nann;1.234,56\n", "a comma only groups thousands"),
    "future date": (b"username,last seen\nann,2999-01-01\n", "in the future"),
    "bad date": (b"username,subscribed since\nann,yesterday\n", "not a date"),
    "bad status": (b"username,status\nann,banned\n", "not active or expired"),
    "invalid UTF-8": (b"username,name\nann,Ann\nbob,B\xff\xfeb\n", "not valid UTF-8"),
    "NUL byte": (b"username,name\nann,A\x00nn\n", "NUL"),
    "binary file": (b"\xff\xfe\x00garbage\x00\n\x01\x02", "not UTF-8 text: is this a CSV file?"),
    "UTF-16 file": ("username,name\nann,Ann\n".encode("utf-16"), "not UTF-8 text"),
    # A program's first bytes: the csv module's "new-line character seen in unquoted field
    # - do you need to open the file in universal-newline mode?" came first.
    "executable file": (b"\x7fELF\x02\x01\x01\x00\r\x00\x03\x00>\x00\n", "not UTF-8 text: is this a CSV file?"),
    "a CR inside an unquoted cell": (b"username,name\nann,A\rnn\n", "line 2: a line break (CR) inside a cell"),
    "tag with a control character": (b"username,tags\nann,v\x07ip\n", "control characters"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_give_reports_and_write_nothing(db: Database, account: int, tmp_path: Path, name: str) -> None:
    content, expected = HOSTILE[name]
    add_fan(db, account, 1, "existing")
    before = counts(db, account)
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    try:
        report = _import(db, account, path)
    except CsvFormatError as exc:
        assert expected is not None and expected in str(exc)
    else:
        assert not report.written and not report.complete and report.problem_count
        reasons = " / ".join(f"{p.line}: {p.reason}" for p in report.problems)
        assert expected is None or expected in reasons, reasons
    assert counts(db, account) == before


# Usernames as the platform makes them (letters of any alphabet, digits, _ . -) and what
# is not one: every way a username enters (the import, the new-fan dialog and ``fans add``
# through ``edits.create_fan``) takes the first and refuses the others, for one reason.
USERNAMES_TAKEN = ["lena_s", "mia.starlight", "u4101", "jean-luc", "tom_müller12", "@zoe_b"]
USERNAMES_REFUSED = {
    "bob@@example..com": "username 'bob@@example..com' contains '@'",
    "bob@example.com": "username 'bob@example.com' contains '@'",
    "lena/s": "contains '/'",
    "o'brien": "contains \"'\"",
    "#vip": "contains '#'",
    "lena,s": "contains ','",
    "x🔥": "contains '🔥'",
    "bad name": "contains spaces",
}


def test_one_username_rule_for_the_import_and_fans_made_by_hand(
    db: Database, account: int, tmp_path: Path,
) -> None:
    path = tmp_path / "fans.csv"
    lines = "".join(f'"{name}"\n' if "," in name else f"{name}\n" for name in USERNAMES_REFUSED)
    path.write_text("username\n" + lines, encoding="utf-8")
    report = _import(db, account, path)
    assert not report.written and report.problem_count == len(USERNAMES_REFUSED)
    for problem, (name, reason) in zip(report.problems, USERNAMES_REFUSED.items(), strict=True):
        assert reason in problem.reason, (name, problem.reason)
        with pytest.raises(FanFieldError, match=re.escape(reason)):
            edits.create_fan(db, account, username=name)
    assert counts(db, account) == (0, 0, 0, 0)
    path.write_text("username\n" + "\n".join(USERNAMES_TAKEN[:3]) + "\n", encoding="utf-8")
    assert _import(db, account, path).created == 3
    for name in USERNAMES_TAKEN[3:]:
        edits.create_fan(db, account, username=name)
    stored = {fan.username for fan in listing.fans_window(db, account)}
    assert stored == {name.removeprefix("@") for name in USERNAMES_TAKEN}


def test_bom_quoted_newlines_and_tabs_are_read(db: Database, account: int, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffUser ID\tUsername\tNotes\r\n1\tann\t\"two\r\nlines\"\r\n2\tbob\t\r\n".encode())
    report = _import(db, account, path)
    assert report.complete and report.delimiter == "\t" and report.created == 2
    fan = _fan_id(db, account, "ann")
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["two\r\nlines"]


def test_a_new_fan_gets_the_defaults_of_the_columns_the_file_lacks(
    db: Database, account: int, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("username,tips\nann,\nbob,2.50\n", encoding="utf-8")
    assert _import(db, account, path).created == 2
    with db.read() as session:
        fans = session.scalars(select(Fan).where(Fan.account_id == account).order_by(Fan.username)).all()
        got = [(f.platform_user_id, f.username, f.name, f.nickname, f.subscription_status,
                f.subscribed_at, f.expires_at, f.last_seen_at, f.renewed_at, f.tips_cents,
                f.total_spent_cents, f.posts_cents, f.created_at == f.updated_at) for f in fans]
    assert got == [
        (None, "ann", "", "", "active", None, None, None, None, 0, 0, 0, True),
        (None, "bob", "", "", "active", None, None, None, None, 250, 0, 0, True),
    ]


def _fan_id(db: Database, account: int, username: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(Fan.id).where(Fan.account_id == account, Fan.username == username)))


def test_skip_invalid_writes_the_good_rows_and_names_the_bad_by_line(
    db: Database, account: int, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text('username,notes,tips\nann,"multi\nline",1\nbob,,-1\ncat,,2\n', encoding="utf-8")
    strict = _import(db, account, path)
    assert [(p.line, p.reason) for p in strict.problems] == [(4, "tips: negative amount '-1'")]
    assert counts(db, account)[0] == 0
    dry = _import(db, account, path, skip_invalid=True, dry_run=True)
    assert (dry.created, dry.problem_count, dry.written) == (2, 1, False)
    assert counts(db, account)[0] == 0
    report = _import(db, account, path, skip_invalid=True)
    assert (report.created, report.problem_count, report.written, report.complete) == (2, 1, True, False)
    assert counts(db, account)[0] == 2


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


def test_a_username_names_one_fan_whatever_its_case(db: Database, account: int, tmp_path: Path) -> None:
    """As ``ofcrm send`` reads a username: a row in another case updates the fan (the
    oldest of two spellings), and a file naming one fan twice in two cases says so."""
    synced = add_fan(db, account, 77, "lena_sato")
    oldest = add_fan(db, account, None, "Twice")
    add_fan(db, account, None, "twice")
    path = tmp_path / "a.csv"
    path.write_text("username,tags\nLENA_Sato,vip\nTWICE,new\nNewFan,\nnewfan,\n", encoding="utf-8")
    report = _import(db, account, path, skip_invalid=True)
    assert [(p.line, p.reason) for p in report.problems] == [(5, "the same fan as line 4")]
    assert (report.created, report.updated) == (1, 2)
    assert counts(db, account)[0] == 4
    with db.read() as session:
        tagged = session.execute(
            select(Fan.id, Tag.name).join(FanTag, FanTag.fan_id == Fan.id).join(Tag, Tag.id == FanTag.tag_id)
            .where(Fan.account_id == account).order_by(Fan.id)
        ).all()
    assert [tuple(row) for row in tagged] == [(synced, "vip"), (oldest, "new")]


def test_a_file_with_old_mac_line_endings_is_read(db: Database, account: int, tmp_path: Path) -> None:
    """Lines that end with a carriage return alone ("CSV (Macintosh)"), a quoted cell's
    break kept."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b'username,notes\rann,"two\rlines"\rbob,\r')
    report = _import(db, account, path)
    assert (report.created, report.problems) == (2, [])
    assert counts(db, account)[3] == 1


@pytest.mark.parametrize("content", [CSV_HEADER + "\n", "username,name\n\n  \n"],
                         ids=["header", "header and blank lines"])
def test_the_preview_refuses_a_header_with_no_rows_as_the_import_does(
    tmp_path: Path, content: str
) -> None:
    """It showed the columns read and offered the import, which only then said so."""
    path = tmp_path / "header.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CsvFormatError, match=f"^{csv_format.NO_ROWS}$"):
        csv_read.preview(path)


def test_the_preview_shows_bytes_that_are_not_utf8_as_the_replacement_character(tmp_path: Path) -> None:
    """A Latin-1 file's "Ren\xe9" was previewed as 'Ren\\udce9' (the import refuses that line)."""
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"username,name\nren,Ren\xe9\n")
    assert csv_read.preview(path).rows == [(2, ["ren", "Ren\ufffd"])]
