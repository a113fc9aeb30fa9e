"""What the QA walk found in tags and the import's report: ``#vip`` is the tag ``vip``
everywhere, the report says which statuses it did not take as given, lists bad rows by
line, says a header-only file has no rows, and counts as the app does (``1 row``,
``30,308``); on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.core.campaigns import CampaignError
from ofcrm_tui.core.campaigns.segment import Segment, check_tags
from ofcrm_tui.core.fans import (
    FanFilter,
    csv_import,
    edits,
    fan_ids,
    fields,
    listing,
    profile,
)
from ofcrm_tui.core.fans.csv_format import CsvFormatError
from ofcrm_tui.core.fans.fields import FanFieldError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import FanTag, Tag
from tests.fans.conftest import add_fan


def _import(db: Database, account: int, path: Path, text: str, **options: object) -> csv_import.ImportReport:
    path.write_text(text, encoding="utf-8")
    return csv_import.import_fans(db, account, path, author="importer", **options)  # type: ignore[arg-type]


def _usernames(db: Database, account: int, flt: FanFilter) -> set[str]:
    return {row.username for row in listing.fans_window(db, account, fan_ids=fan_ids(db, account, flt))}


def _tags(db: Database, account: int) -> list[str]:
    with db.read() as session:
        return sorted(session.scalars(select(Tag.name).where(Tag.account_id == account)))


def test_a_leading_hash_names_the_tag_the_app_shows_with_it(db: Database, account: int, tmp_path: Path) -> None:
    """Chatters type ``#vip`` as the app shows it: the app, ``fans edit``, the import and the
    filters all take it as ``vip``, not as a second tag ``#vip``."""
    lena = add_fan(db, account, 1, "lena")
    assert edits.add_tags(db, account, lena, ["vip"]) == ("vip",)
    assert edits.add_tags(db, account, lena, ["#vip", "##VIP", " # whale"]) == ("vip", "whale")
    assert fields.split_tags("#vip|#new") == ["vip", "new"]  # the app's tag box and filter
    for only_hash in ("#", " ## "):
        with pytest.raises(FanFieldError, match="more than a #"):
            fields.clean_tag(only_hash)
    report = _import(db, account, tmp_path / "tags.csv", "username,tags\nann,#vip|#expo\n")
    assert report.complete and report.created == 1
    assert _tags(db, account) == ["expo", "vip", "whale"]
    assert _usernames(db, account, FanFilter(tags_in=("#vip",))) == {"lena", "ann"}
    assert _usernames(db, account, FanFilter(tags_out=("#expo",))) == {"lena"}
    check_tags(db, account, Segment(tags_in=("#vip",), tags_out=("#expo",)))  # known
    with pytest.raises(CampaignError, match="unknown tag"):
        check_tags(db, account, Segment(tags_in=("#nope",)))
    assert edits.remove_tags(db, account, lena, ["#VIP"]) == ("whale",)


def test_a_tag_stored_with_a_hash_before_the_rule_is_still_found(db: Database, account: int) -> None:
    """No migration: an old ``#old`` tag stays as it is, and what looks tags up by name
    (filters, segments, untagging) finds it by ``#old``."""
    mia = add_fan(db, account, 2, "mia")
    with db.write() as session:
        tag = Tag(account_id=account, name="#old", color="")
        session.add(tag)
        session.flush()
        session.add(FanTag(fan_id=mia, tag_id=tag.id, account_id=account))
    assert profile.fan_profile(db, account, mia).tags == ("#old",)
    assert _usernames(db, account, FanFilter(tags_in=("#old",))) == {"mia"}
    check_tags(db, account, Segment(tags_in=("#old",)))
    assert edits.remove_tags(db, account, mia, ["#old"]) == ()


STATUS_FILE = ("user_id,username,status\n"
               "41,lena,\n"       # a platform fan: keeps her own status, nothing to say
               "1,a,\n"           # new, a user id, no status: active
               "2,b,expired\n"    # new, as given
               "3,c,\n"           # new, a user id, no status: active
               ",d,expired\n"     # no user id: no subscription data, the status is not kept
               ",e,\n")           # no user id, no status: nothing to say


@pytest.mark.parametrize("options", [{}, {"dry_run": True}, {"skip_invalid": True}])
def test_the_report_says_which_statuses_were_not_taken_as_given(
    db: Database, account: int, tmp_path: Path, options: dict[str, bool]
) -> None:
    add_fan(db, account, 41, "lena", subscription_status="expired")
    report = _import(db, account, tmp_path / "status.csv", STATUS_FILE, **options)
    assert report.complete and (report.created, report.unchanged) == (5, 1)
    assert report.platform_lines() == [
        "2 fans with a user id and no status were taken as active (the next sync corrects them)",
        "1 fan without a user id: its status was left out (no subscription data without one)",
    ]
    assert report.platform_line() == "\n".join(report.platform_lines())  # the app's dialog


def test_a_file_without_a_status_column_says_its_fans_were_taken_as_active(
    db: Database, account: int, tmp_path: Path
) -> None:
    report = _import(db, account, tmp_path / "ids.csv", "user_id,username\n7,zoe\n")
    assert report.platform_lines() == [fields.taken_as_active(1)] == [
        "1 fan with a user id and no status was taken as active (the next sync corrects it)"]
    assert listing.fans_window(db, account)[0].subscription_status == "active"  # the rule kept


def test_bad_rows_are_listed_by_line_number(db: Database, account: int, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeated fan is found after the bad cells of its batch: it is still listed in
    its place, and the listed ones are the first by line."""
    text = "username,tips\nann,1\nbob,1\nann,1\nbob,-1\n"
    report = _import(db, account, tmp_path / "bad.csv", text)
    assert [(p.line, p.reason) for p in report.problems] == [
        (4, "the same fan as line 2"), (5, "tips: negative amount '-1'")]
    monkeypatch.setattr(csv_import, "MAX_LISTED_PROBLEMS", 1)
    report = _import(db, account, tmp_path / "bad.csv", text)
    assert [p.line for p in report.problems] == [4] and report.problem_count == 2


def test_a_bad_row_says_every_bad_field_in_its_one_line(db: Database, account: int, tmp_path: Path) -> None:
    """The file is fixed in one go: each bad cell of a row (a date in the future too)
    in the file's column order, then a fan named by nothing; a row whose username cell
    is bad is not also told it names nobody."""
    text = ("username,total_spent,tips,messages,last_seen\n"
            "ann,99999999999999999999,1e308,abc,\n"
            ",,1e308,,2999-01-01\n"
            "bob@x,-1,,,\n")
    report = _import(db, account, tmp_path / "bad.csv", text)
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "total_spent: amount '99999999999999999999' is implausibly large; "
            "tips: not an amount of dollars like 12.50: '1e308'; "
            "messages: not an amount of dollars like 12.50: 'abc'"),
        (3, "tips: not an amount of dollars like 12.50: '1e308'; "
            "last_seen 2999-01-01 is in the future; "
            "no user id and no username: cannot tell which fan this is"),
        (4, "username 'bob@x' contains '@': a username has letters, digits, _ . and - only; "
            "total_spent: negative amount '-1'"),
    ]
    assert report.problem_count == 3 and not report.written


def test_a_header_only_file_has_no_rows_as_an_empty_file(db: Database, account: int, tmp_path: Path) -> None:
    with pytest.raises(CsvFormatError, match="^the file is empty$"):
        _import(db, account, tmp_path / "empty.csv", "")
    with pytest.raises(CsvFormatError, match="^the file has no fan rows under its header$"):
        _import(db, account, tmp_path / "header.csv", "user_id,username,status\n")


def test_counts_read_as_the_app_writes_them(db: Database, account: int, tmp_path: Path) -> None:
    one = _import(db, account, tmp_path / "one.csv", "username\nann\n")
    assert one.summary() == "1 row: created 1, updated 0, unchanged 0"
    big = csv_import.ImportReport("x.csv", dry_run=False, skip_invalid=True, rows=30_308,
                                  created=28_000, updated=1_200, unchanged=1_000, problem_count=108)
    assert big.summary() == "30,308 rows: created 28,000, updated 1,200, unchanged 1,000; skipped 108 bad"
    big.skip_invalid, big.problem_count = False, 1_108
    assert big.summary() == "30,308 rows, 1,108 bad: nothing written"
    big.dry_run, big.problem_count, big.platform_kept = True, 0, 2_000
    assert big.summary().startswith("30,308 rows: would create 28,000, would update 1,200")
    assert big.platform_lines()[0].startswith("2,000 rows named fans the platform knows")

