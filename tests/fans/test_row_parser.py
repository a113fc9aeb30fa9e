"""Property tests of the CSV row parser and the formula guard."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.csv_format import COLUMNS, export_cells, guard, map_header, parse_row, unguard

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
cents = st.integers(0, 10**9)
dates = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 11, 1), timezones=st.just(UTC))


@given(
    platform_user_id=st.one_of(st.none(), st.integers(1, 2**63 - 1)),
    username=names.map(lambda s: "".join(s.split())).filter(bool),
    name=names, nickname=names,
    status=st.sampled_from(["active", "expired"]),
    subscribed_at=st.one_of(st.none(), dates), last_seen_at=st.one_of(st.none(), dates),
    money=st.lists(cents, min_size=6, max_size=6),
    tags=st.lists(names.map(str.strip).filter(lambda t: t and not set(t) & set("|,;") and len(t) <= 64),
                  max_size=4, unique=True),
    notes=st.one_of(st.none(), names.filter(str.strip)),
)
@settings(max_examples=300)
def test_a_fan_written_by_the_export_parses_back_to_itself(
    platform_user_id, username, name, nickname, status, subscribed_at, last_seen_at, money, tags, notes,  # noqa: ANN001
) -> None:
    money_fields = dict(zip(csv_format.MONEY_FIELDS, money, strict=True))
    values = dict(platform_user_id=platform_user_id, username=username.removeprefix("@") or "u",
                  name=name, nickname=nickname, subscription_status=status,
                  subscribed_at=subscribed_at, last_seen_at=last_seen_at, expires_at=None,
                  tags=sorted(tags), notes=notes, **money_fields)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(export_cells(values))
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    record = parse_row(MAPPING, cells, NOW)
    assert record.platform_user_id == platform_user_id
    assert record.username == values["username"].strip()
    assert (record.name or "") == name and (record.nickname or "") == nickname
    assert record.tags == tuple(sorted(tags)) and record.notes == notes
    assert [getattr(record, f) for f in csv_format.MONEY_FIELDS] == money
    assert (record.subscribed_at, record.last_seen_at) == (subscribed_at, last_seen_at)
