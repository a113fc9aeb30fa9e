"""Property tests of the CSV row parser and the formula guard."""

from __future__ import annotations

import csv
import io
import typing
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ofcrm_tui.core import files
from ofcrm_tui.core.fans import csv_format, csv_rows, fields
from ofcrm_tui.core.fans.csv_format import COLUMNS, export_cells, guard, map_header, unguard
from ofcrm_tui.core.fans.csv_rows import RowParser, parse_row

NOW = datetime(2026, 11, 20, tzinfo=UTC)
MAPPING = map_header(csv_format.HEADER)
text = st.text(st.characters(codec="utf-8"), max_size=40)


@given(text)
def test_the_guard_reads_back_and_never_leaves_a_formula(cell: str) -> None:
    guarded = guard(cell)
    assert unguard(guarded) == cell
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")


@given(st.lists(text, min_size=len(COLUMNS), max_size=len(COLUMNS)))
@settings(max_examples=300)
def test_any_cells_give_a_record_or_a_one_line_reason(cells: list[str]) -> None:
    try:
        record = parse_row(MAPPING, cells, NOW)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert record.platform_user_id is not None or record.username


names = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=30)
# Usernames as the platform makes them (``fields.USERNAME_CHARS``): letters of any
# alphabet, digits, _ . and -.
usernames = st.text(st.characters(codec="utf-8", categories=["L", "Nd"], include_characters="_.-"),
                    min_size=1, max_size=30)
cents = st.integers(0, 10**9)
dates = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 11, 1), timezones=st.just(UTC))


@given(
    platform_user_id=st.one_of(st.none(), st.integers(1, 2**63 - 1)),
    username=usernames,
    name=names, nickname=names,
    status=st.sampled_from(["active", "expired"]),
    subscribed_at=st.one_of(st.none(), dates), last_seen_at=st.one_of(st.none(), dates),
    money=st.lists(cents, min_size=6, max_size=6),
    # Names as the tag rule makes them (a "#vip" stored before the rule imports as vip).
    tags=st.lists(names.map(fields.tag_name).filter(lambda t: t and not set(t) & set("|,;") and len(t) <= 64),
                  max_size=4, unique=True),
    notes=st.one_of(st.none(), names.filter(str.strip)),
)
@settings(max_examples=300)
def test_a_fan_written_by_the_export_parses_back_to_itself(
    platform_user_id, username, name, nickname, status, subscribed_at, last_seen_at, money, tags, notes,  # noqa: ANN001
) -> None:
    money_fields = dict(zip(csv_format.MONEY_FIELDS, money, strict=True))
    values = dict(platform_user_id=platform_user_id, username=username,
                  name=name, nickname=nickname, subscription_status=status,
                  subscribed_at=subscribed_at, last_seen_at=last_seen_at, expires_at=None,
                  tags=sorted(tags), notes=notes, **money_fields)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(export_cells(values))
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    record = parse_row(MAPPING, cells, NOW)
    assert record.platform_user_id == platform_user_id
    assert record.username == username
    assert (record.name or "") == name and (record.nickname or "") == nickname
    assert record.tags == tuple(sorted(tags)) and record.notes == notes
    # A fan with no user id has no subscription data: no price (an empty cell, None back).
    if platform_user_id is None:
        money_fields["subscribe_price_cents"] = None
    assert [getattr(record, f) for f in csv_format.MONEY_FIELDS] == list(money_fields.values())
    # Times are written to the second (``files.date_cell``).
    seconds = [None if d is None else d.replace(microsecond=0) for d in (subscribed_at, last_seen_at)]
    assert [record.subscribed_at, record.last_seen_at] == seconds


# Columns of cells in the plain forms the parser reads a whole column at a time (digits,
# 12.50, 2026-01-31T18:00:00Z, text without controls), some with cells just outside.
# Texts over an alphabet, not st.from_regex: the same cells, drawn in a fraction of the
# time (the regex strategy took 12 of the 22 s of the batch test).
DATES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC))
DIGITS = "0123456789"
PLAIN = {
    "platform_user_id": st.text(DIGITS, min_size=1, max_size=19),  # [0-9]{1,19}
    "username": st.text("abcdefghijklmnopqrstuvwxyz_.-éЖ7", min_size=1, max_size=9),
    "name": names,
    "nickname": names,
    "subscription_status": st.sampled_from(["active", "expired"]),
    **dict.fromkeys(csv_format.DATE_FIELDS, DATES.map(files.date_cell)),
    **dict.fromkeys(csv_format.MONEY_FIELDS, st.builds(  # [0-9]{1,16}\.[0-9]{2}
        "{}.{}".format, st.text(DIGITS, min_size=1, max_size=16), st.text(DIGITS, min_size=2, max_size=2))),
    "tags": st.sampled_from(["vip", "vip|new", "a;b"]),
    "notes": names,
}
_NAMES_NEAR = ["", " ", "'=x", "'a", "a\nb", "a\x00b", "b\udcff", "x" * 256, "a\x07", "\t"]
NEAR = {
    "platform_user_id": ["0", "00", "-1", " 7", "7 ", "9223372036854775808", "\u0663", "1.0"],
    "username": ["@ann", " ann", "ann ", "'ann", "'=x", "a b", "a\tb", "@", "x" * 256, "x" * 255,
                 "bob@@example..com", "a'b", "a/b", "e\u0301", "-ann", "'-ann", "x🔥"],
    "name": _NAMES_NEAR,
    "nickname": _NAMES_NEAR,
    "subscription_status": [" Active ", "banned", ""],
    **dict.fromkeys(csv_format.DATE_FIELDS, [
        "2026-01-31T18:00:00", "2026-02-31T18:00:00Z", "2026-01-31T18:00:00.123Z", "2026-01-31",
        "2026-01-31T18:00:00+02:00", "2999-01-01T00:00:00Z", " 2026-01-31T18:00:00Z",
        "'2026-01-31T18:00:00Z"]),
    **dict.fromkeys(csv_format.MONEY_FIELDS, [
        "1.5", "1.005", "$2.00", "99999999999999.99", "-1.00", " 1.00", "1,000.00", "'-1.00", "", "1,50",
        "1.234,56", "$1,234"]),
    "tags": ["", "a||b", "v\x07ip", "x" * 65],
    "notes": [" note", "note\x07", "x" * 5001, "a\r\nb", "\n", ""],
}


def column(name: str, draw: st.DrawFn, count: int) -> list[str]:
    """``count`` cells in the plain form of the field, up to two swapped for others."""
    cells = draw(st.lists(PLAIN[name], min_size=count, max_size=count))
    for _ in range(draw(st.integers(0, 2))):
        cells[draw(st.integers(0, count - 1))] = draw(st.one_of(st.sampled_from(NEAR[name]), text))
    return cells


@st.composite
def batches(draw: st.DrawFn, mapping: csv_format.ColumnMapping) -> list[list[str]]:
    count = draw(st.integers(1, 6))
    columns = [column(draw(st.sampled_from([name] * 3 + list(COLUMNS))), draw, count)
               for name in mapping.fields if name is not None]
    return [list(row) for row in zip(*columns, strict=True)]


def same_reading(mapping: csv_format.ColumnMapping, rows: list[list[str]]) -> None:
    """The plain forms read ``rows`` as the checks do, and each row reads as it does alone."""
    parsed = RowParser(mapping, NOW).batch(rows)
    assert parsed == RowParser(mapping, NOW, plain=False).batch(rows)
    for position, cells in enumerate(rows):
        alone = RowParser(mapping, NOW, plain=False).batch([cells])
        if position in parsed.problems:
            assert alone.problems == {0: parsed.problems[position]}
        else:
            assert alone.records == [parsed.records[parsed.kept.index(position)]]
    assert all(value.tzinfo is UTC for record in parsed.records for value in record
               if isinstance(value, datetime))


@given(st.data())
@settings(max_examples=100)
def test_a_batch_reads_as_each_cell_checked_alone(data: st.DataObject) -> None:
    for mapping in (MAPPING, map_header(["username", "name", "last seen", "tags"])):
        same_reading(mapping, data.draw(batches(mapping)))


def own_reason(name: str, cell: str) -> str | None:
    """What ``cell`` of the column ``name`` is refused for, beside a cell naming the fan."""
    identity = ("username", "x") if name == "platform_user_id" else ("user_id", "1")
    mapping = map_header([identity[0], COLUMNS[name][0]])
    return RowParser(mapping, NOW, plain=False).batch([[identity[1], cell]]).problems.get(0)


@given(st.data())
@settings(max_examples=100)
def test_a_bad_row_says_what_each_of_its_bad_cells_says_alone(data: st.DataObject) -> None:
    """A row refused for several cells names each one (what the cell is refused for
    alone, a date in the future too), in the file's column order, in one line: the file
    is fixed in one go."""
    headers = data.draw(st.permutations(csv_format.HEADER))
    mapping = map_header(headers)
    rows = data.draw(batches(mapping))
    parsed = RowParser(mapping, NOW).batch(rows)
    for position, cells in enumerate(rows):
        reasons = [reason for name, cell in zip(mapping.fields, cells, strict=True)
                   if name is not None and (reason := own_reason(name, cell)) is not None]
        if not reasons:
            continue
        said, start = parsed.problems[position], 0
        assert "\n" not in said
        for reason in reasons:
            start = said.index(reason, start) + len(reason)  # each one, in order


def test_a_bad_rows_reasons_follow_the_files_columns() -> None:
    """Said in the order the file has them (a date in the future too), whatever order
    the fields' table has (it said last_seen first, and the future date last)."""
    mapping = map_header(["subscribed_since", "total_spent", "tips", "messages", "last_seen",
                          "username"])
    said = RowParser(mapping, NOW).batch(
        [["2999-01-01T00:00:00Z", "x", "-1.00", "1.005", "yesterday", "ann"]])
    reasons = said.problems[0].split(csv_rows.REASONS_JOINED)
    assert [reason.split(":")[0].split(" ")[0] for reason in reasons] == [
        "subscribed_since", "total_spent", "tips", "messages", "last_seen"]


@pytest.mark.parametrize("name", list(COLUMNS))
@given(data=st.data())
@settings(max_examples=40)
def test_each_column_reads_as_its_check_reads_it(name: str, data: st.DataObject) -> None:
    """Beside a column that names the fan, so the rows stand or fall by this one."""
    identity = "username" if name == "platform_user_id" else "user_id"
    cells = column(name, data.draw, data.draw(st.integers(1, 6)))
    rows = [[f"{i + 1}", cell] for i, cell in enumerate(cells)]
    same_reading(map_header([identity, COLUMNS[name][0]]), rows)


@pytest.mark.parametrize("dates", [
    ["2026-01-31T18:00:00Z", "", "2026-03-01T00:00:00.250000Z", "2026-01-31T18:00:00Z"] * 3,
    ["2026-01-31T18:00:00Z", "2026-02-31T18:00:00Z"] * 5,  # a 31st of February among repeats
])
def test_a_column_of_repeated_dates_reads_as_its_check_reads_it(dates: list[str]) -> None:
    """Few distinct dates in a column are read once each: the same values and reasons."""
    rows = [[f"{i + 1}", cell] for i, cell in enumerate(dates)]
    same_reading(map_header(["user_id", "last seen"]), rows)
    parsed = RowParser(map_header(["user_id", "last seen"]), NOW).batch(rows)
    if not parsed.problems:  # one object for each date
        assert parsed.records[0].last_seen_at is parsed.records[-1].last_seen_at


def test_each_column_is_validated_as_its_record_field_type() -> None:
    """The pydantic type each column's cells are validated as is the FanRecord field's."""
    hints = typing.get_type_hints(csv_rows.FanRecord)
    for name, (_check, kind) in csv_rows._CHECKS.items():
        assert hints[name] in (kind | None, kind), name


@pytest.fixture
def fresh_adapters() -> Iterator[None]:
    csv_rows._cell_adapter.cache_clear()
    yield
    csv_rows._cell_adapter.cache_clear()


@pytest.mark.parametrize("plain", [True, False])
def test_a_check_giving_the_wrong_type_is_refused_by_pydantic(
    fresh_adapters: None, monkeypatch: pytest.MonkeyPatch, plain: bool
) -> None:
    """A cell's value is checked strictly as its type after its column's check: a check
    that gave text for an amount would be a bad row, not text written as money."""
    monkeypatch.setitem(csv_rows._CHECKS, "total_spent_cents", (lambda cell: cell, int))
    parsed = RowParser(map_header(["user_id", "total spent"]), NOW, plain=plain).batch(
        [["1", "$12.50"], ["2", ""]])
    assert parsed.problems == {0: "total_spent: Input should be a valid integer"}
    assert parsed.records == [csv_rows.FanRecord(platform_user_id=2)]
