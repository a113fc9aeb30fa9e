"""CSV files as people make them and worse: bad rows named by line, skipped or not,
hostile files reported with nothing written, BOMs, tabs, old Mac line endings, and the
preview refusing or showing what the import would."""

from __future__ import annotations

from pathlib import Path

import pytest

from ofcrm_tui.core.fans import csv_format, csv_read, profile
from ofcrm_tui.core.fans.csv_format import CsvFormatError
from ofcrm_tui.store.database import Database
from tests.fans.conftest import add_fan, counts
from tests.fans.csv_files import CSV_HEADER, _fan_id, _import


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


def test_bom_quoted_newlines_and_tabs_are_read(db: Database, account: int, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffUser ID\tUsername\tNotes\r\n1\tann\t\"two\r\nlines\"\r\n2\tbob\t\r\n".encode())
    report = _import(db, account, path)
    assert report.complete and report.delimiter == "\t" and report.created == 2
    fan = _fan_id(db, account, "ann")
    assert [n.body for n in profile.notes_page(db, account, fan)] == ["two\r\nlines"]


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
