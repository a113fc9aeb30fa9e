"""Reading the rows of a fans CSV: each column's check, the rules of a row, and the
``FanRecord`` fields the import writes, a batch of rows at a time, column by column.

A row is valid when each of its cells passes its column's check (``csv_format`` says
what cells hold), it names a fan (a user id or a username) and its past dates are not
in the future. A bad row gets one line saying all that is wrong with it, so a file is
fixed in one go: each bad cell's reason (a date in the future its cell's) in the file's
column order, then the missing identity (unless a cell naming the fan was bad: fixing it
names the fan), joined by ``REASONS_JOINED``.

Cells are validated by pydantic, column by column. A column whose every cell has the
plain form an export writes (digits, ``12.50``, ``2026-01-31T18:00:00Z``, text without
control characters, quotes or spaces where they would matter) is vouched for by one
pattern-constrained string over the whole column (``_Form``) and converted by built-in
functions; any other column validates cell by cell, each distinct cell once, as the
column's type (``_Column.adapter``: its check, then a strict check of the type it gives).
Both ways give the same values and reasons (``tests/fans/test_row_parser.py`` holds them
to it); the plain way costs a tenth of a microsecond a cell where the check costs about one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Annotated, Any, NamedTuple

from pydantic import BeforeValidator, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from ofcrm_tui.core.fans import fields
from ofcrm_tui.core.fans.csv_format import (
    COLUMNS,
    DATE_FIELDS,
    MONEY_FIELDS,
    ColumnMapping,
    check_notes,
    unguard,
)
from ofcrm_tui.platform.money import MAX_CENTS, MoneyError, parse_dollars
from ofcrm_tui.store.enums import SubscriptionStatus

# Dates that cannot be in the future (an expiry can); a day of slack for clocks and zones.
PAST_DATE_FIELDS = ("subscribed_at", "last_seen_at")
FUTURE_SLACK = timedelta(days=1)

_PLAIN_AMOUNT = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,2}))?")
_EXPORTED_AMOUNT = re.compile(r"[0-9]{1,15}\.[0-9]{2}")


# -- one cell ------------------------------------------------------------------------------
# Each column's check takes a cell that is not blank (after the formula guard is read
# back) and returns the value or raises ValueError with the reason.


def _platform_id(value: str) -> int:
    if value.isdigit() and value.isascii() and 0 < (number := int(value)) < 2**63:
        return number
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValueError(f"user id {text!r} is not a positive whole number")
    return int(text)


def _money(value: str) -> int:
    if _EXPORTED_AMOUNT.fullmatch(value):  # the export's own form: 12.50
        cents = int(value.replace(".", ""))
    # Digits, then one or two decimals, read without Decimal.
    elif plain := _PLAIN_AMOUNT.fullmatch(value) or _PLAIN_AMOUNT.fullmatch(value.strip()):
        dollars, decimals = plain.groups()
        cents = int(dollars) * 100 + (int(decimals.ljust(2, "0")) if decimals else 0)
    else:  # anything else as a person types it ($1,234.50), read as every input reads it
        try:
            cents = parse_dollars(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
    if cents > MAX_CENTS:
        raise ValueError(f"amount {value.strip()!r} is implausibly large")
    return cents


@lru_cache(maxsize=4096)  # exports repeat dates (whole days, the same sync)
def _date(value: str) -> datetime:
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date like 2026-01-31 or 2026-01-31T18:00:00Z: {text!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@lru_cache(maxsize=64)
def _status(value: str) -> SubscriptionStatus:
    text = value.strip().lower()
    try:
        return SubscriptionStatus(text)
    except ValueError:
        raise ValueError(f"status {text!r} is not active or expired") from None


@lru_cache(maxsize=4096)  # a file has few distinct tag cells
def _tags(value: str) -> tuple[str, ...]:
    return tuple(fields.split_tags(value))


# Each column's check and the type of the value it gives (pydantic checks it, strictly).
_CHECKS: dict[str, tuple[Callable[[str], Any], Any]] = {
    "platform_user_id": (_platform_id, int),
    "username": (fields.clean_username, str),
    "name": (partial(fields.clean_name, "name"), str),
    "nickname": (partial(fields.clean_name, "nickname"), str),
    "subscription_status": (_status, SubscriptionStatus),
    **dict.fromkeys(DATE_FIELDS, (_date, datetime)),
    **dict.fromkeys(MONEY_FIELDS, (_money, int)),
    "tags": (_tags, tuple[str, ...]),
    "notes": (check_notes, str),
}
_STRICT = ConfigDict(strict=True)


# -- a whole column in its plain form --------------------------------------------------------
# Each reader takes a column's cells and returns their values (None for an empty cell),
# or None when some cell is not in the plain form: the column is then checked cell by
# cell. The cells are joined by NUL, which no form allows: when the joined text holds
# one NUL fewer than there are cells (no cell holds one), a form's pattern over it
# matches each cell whole.


class _Form:
    """A column's cells, joined by NUL, each empty or of one form: a pydantic string
    constrained by the pattern, on Python's engine (possessive quantifiers, and the
    lone surrogates the forms refuse, which Rust's regex cannot name)."""

    def __init__(self, form: str) -> None:
        cell = f"(?:{form})?+"  # possessive: nothing to take back, a cell ends at NUL
        column = Annotated[str, StringConstraints(pattern=f"\\A{cell}(?:\\x00{cell})*+\\Z")]
        self._adapter = TypeAdapter(column, config=ConfigDict(strict=True, regex_engine="python-re"))

    def holds(self, joined: str) -> bool:
        try:
            self._adapter.validate_python(joined)
        except ValidationError:
            return False
        return True


_FORBIDDEN = r"\x00-\x08\x0a-\x1f\x7f\ud800-\udfff"  # what no name may hold (tabs may be)
_NOTE_FORBIDDEN = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff"
# No leading "'" (the formula guard), "@" (dropped from a username) or space. A username
# of the username characters needs none of these: the check would keep it as it is.
_IDS = _Form("[0-9]{1,18}+")  # under 2**63
_USERNAMES = _Form(rf"[{fields.USERNAME_CHARS}]{{1,{fields.MAX_NAME_CHARS}}}+")
_NAMES = _Form(rf"[^{_FORBIDDEN}'][^{_FORBIDDEN}]{{0,{fields.MAX_NAME_CHARS - 1}}}+")
_NOTES = _Form(rf"[^\s{_NOTE_FORBIDDEN}'][^{_NOTE_FORBIDDEN}]{{0,{fields.MAX_NOTE_CHARS - 1}}}+")
_AMOUNTS = _Form(r"[0-9]{1,15}+\.[0-9]{2}")  # _EXPORTED_AMOUNT
_DATES = _Form(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?+Z")


def _in_form(form: _Form, cells: Sequence[str]) -> str | None:
    """The cells joined by NUL if each is empty or of the form."""
    joined = "\x00".join(cells)
    if joined.count("\x00") != len(cells) - 1 or not form.holds(joined):
        return None
    return joined


def _converted(cells: Sequence[str], convert: Callable[[str], Any]) -> list[Any]:
    if "" in cells:
        return [convert(cell) if cell else None for cell in cells]
    return list(map(convert, cells))


def _plain_ids(cells: Sequence[str]) -> list[Any] | None:
    if _in_form(_IDS, cells) is None:
        return None
    values = _converted(cells, int)
    return None if 0 in values else values


def _plain_text(form: _Form, cells: Sequence[str]) -> list[Any] | None:
    if _in_form(form, cells) is None:
        return None
    return [cell or None for cell in cells]


def _plain_money(cells: Sequence[str]) -> list[Any] | None:
    joined = _in_form(_AMOUNTS, cells)
    if joined is None:
        return None
    values = _converted(joined.replace(".", "").split("\x00"), int)  # 12.50 -> 1250
    return None if max(filter(None, values), default=0) > MAX_CENTS else values


def _plain_dates(cells: Sequence[str]) -> list[Any] | None:
    if _in_form(_DATES, cells) is None:
        return None
    distinct = set(cells)
    try:  # a Z time is read as UTC, as _date reads it
        if len(distinct) * 4 > len(cells):
            return _converted(cells, datetime.fromisoformat)
        # Files repeat dates (whole days, one sync's time): one object for each, which
        # the writer then encodes once and hashes cheaply (a datetime keeps its hash).
        dates = {cell: datetime.fromisoformat(cell) if cell else None for cell in distinct}
    except ValueError:  # a 31st of February: the check says so
        return None
    return list(map(dates.__getitem__, cells))


_PLAIN: dict[str, Callable[[Sequence[str]], list[Any] | None]] = {
    "platform_user_id": _plain_ids,
    "username": partial(_plain_text, _USERNAMES),
    "name": partial(_plain_text, _NAMES),
    "nickname": partial(_plain_text, _NAMES),
    **dict.fromkeys(DATE_FIELDS, _plain_dates),
    **dict.fromkeys(MONEY_FIELDS, _plain_money),
    "notes": partial(_plain_text, _NOTES),
}


# -- rows -------------------------------------------------------------------------------------


class FanRecord(NamedTuple):
    """One valid row: what the import writes. None: not given in the file."""

    platform_user_id: int | None = None
    username: str | None = None
    name: str | None = None
    nickname: str | None = None
    subscription_status: SubscriptionStatus | None = None
    subscribed_at: datetime | None = None
    expires_at: datetime | None = None
    last_seen_at: datetime | None = None
    subscribe_price_cents: int | None = None
    total_spent_cents: int | None = None
    tips_cents: int | None = None
    messages_cents: int | None = None
    subscriptions_cents: int | None = None
    posts_cents: int | None = None
    tags: tuple[str, ...] = ()
    notes: str | None = None

    def given(self) -> dict[str, Any]:
        """The scalar fields the row gives (for an update of an existing fan)."""
        return {
            name: value
            for name, value in zip(self._fields, self, strict=True)
            if name not in ("tags", "notes", "platform_user_id", "username") and value is not None
        }


assert FanRecord._fields == tuple(COLUMNS), "FanRecord follows COLUMNS"
_RECORD = partial(tuple.__new__, FanRecord)  # a FanRecord of a tuple, without Python code
_DEFAULTS = tuple(FanRecord())
_BLANK = FanRecord()._asdict()
# Names are kept as written: a name of spaces exports as spaces and must read back so.
_SPACE_IS_TEXT = ("name", "nickname")
_PAST_SLOTS = frozenset(FanRecord._fields.index(name) for name in PAST_DATE_FIELDS)
_NO_IDENTITY = "no user id and no username: cannot tell which fan this is"
# The fields that tell which fan a row is: its user id and its username.
_IDENTITY_SLOTS = tuple(FanRecord._fields.index(name) for name in ("platform_user_id", "username"))
REASONS_JOINED = "; "  # between the reasons of one row


class Parsed(NamedTuple):
    """A batch of rows read: the valid ones (by position in the batch), their values
    column by column (one list per ``FanRecord`` field, as the import writes them), and
    the reasons of the others."""

    kept: list[int]
    columns: list[list[Any]]
    problems: dict[int, str]  # position -> reason, in position order

    @property
    def records(self) -> list[FanRecord]:
        """The valid rows as FanRecords."""
        return list(map(_RECORD, zip(*self.columns, strict=True)))


def _read_cell(name: str, cell: str) -> Any:
    """A cell's value as its column's check reads it (a blank cell: not given)."""
    if cell[:1] == "'":
        cell = unguard(cell)
    if not cell or (name not in _SPACE_IS_TEXT and cell.isspace()):
        return _BLANK[name]  # not given: None, or no tags
    return _CHECKS[name][0](cell)


@lru_cache(maxsize=None)  # one a column, built once
def _cell_adapter(name: str) -> TypeAdapter[Any]:
    """A column's cell validated by pydantic: its check, then strictly the type it gives."""
    kind = _CHECKS[name][1]
    return TypeAdapter(Annotated[kind | None, BeforeValidator(partial(_read_cell, name))], config=_STRICT)


class _Column:
    """One column of a file: where its cells are, what they give, how they are checked."""

    def __init__(self, name: str, cell: int, plain: bool) -> None:
        self.slot = FanRecord._fields.index(name)
        self.cell = cell
        self.header = COLUMNS[name][0]
        self.plain = _PLAIN.get(name) if plain else None  # none for tags
        self.adapter = _cell_adapter(name)

    def value(self, cell: str) -> Any:
        """One cell's value, validated as the column's type; ValueError with the row's reason."""
        try:
            return self.adapter.validate_python(cell)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            reason = message if self.header in message else f"{self.header}: {message}"
            raise ValueError(_short(reason)) from None

    def read(self, cells: Sequence[str]) -> tuple[list[Any], dict[int, str]]:
        """The cells' values, and the reasons of the bad ones by position."""
        if self.plain is not None and (values := self.plain(cells)) is not None:
            return values, {}
        known: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for cell in set(cells):
            try:
                known[cell] = self.value(cell)
            except ValueError as exc:
                known[cell], bad[cell] = None, str(exc)
        values = list(map(known.__getitem__, cells))
        return values, ({i: bad[cell] for i, cell in enumerate(cells) if cell in bad} if bad else {})


class RowParser:
    """Reads the rows of one file: the check of each of its columns, chosen once.

    ``plain=False`` checks every cell (the reference the plain forms are tested against).
    """

    def __init__(self, mapping: ColumnMapping, now: datetime, *, plain: bool = True) -> None:
        self.width = len(mapping.headers)
        self._columns = [_Column(name, cell, plain)
                         for cell, name in enumerate(mapping.fields) if name is not None]
        self._past = [(column.slot, column.cell, column.header)
                      for column in self._columns if column.slot in _PAST_SLOTS]
        self._latest = now + FUTURE_SLACK

    def __call__(self, cells: list[str]) -> FanRecord:
        """One row's cells as a FanRecord; ValueError with a one-line reason otherwise."""
        parsed = self.batch([cells])
        if parsed.problems:
            raise ValueError(parsed.problems[0])
        return parsed.records[0]

    def batch(self, rows: Sequence[list[str]]) -> Parsed:
        """Rows' cells as FanRecords, or the reason each bad row is refused."""
        count = len(rows)
        # position -> (where said: its cell's place in the file, -1 first), reason;
        # one reason at most a cell (a bad cell gives no date to be in the future)
        problems: dict[int, list[tuple[int, str]]] = {}
        if set(map(len, rows)) - {self.width}:
            for position, cells in enumerate(rows):
                if len(cells) != self.width:  # its cells are not where the header says
                    problems[position] = [(-1, f"{len(cells)} fields where the header has "
                                          f"{self.width} (a wrong delimiter or an unclosed quote?)")]
            rows = [cells if len(cells) == self.width else [""] * self.width for cells in rows]
        cells_of = list(zip(*rows, strict=True)) or [()] * self.width
        given: list[list[Any]] = [[default] * count for default in _DEFAULTS]
        unnamed: set[int] = set(problems)  # rows a bad cell (or none) leaves nameless anyway
        for column in self._columns:
            given[column.slot], bad = column.read(cells_of[column.cell])
            for position, reason in bad.items():
                problems.setdefault(position, []).append((column.cell, reason))
            if bad and column.slot in _IDENTITY_SLOTS:
                unnamed.update(bad)
        self._check_rows(given, problems, unnamed)
        if not problems:
            return Parsed(list(range(count)), given, {})
        kept = [position for position in range(count) if position not in problems]
        return Parsed(kept, pick(given, kept), {
            position: REASONS_JOINED.join(reason for _, reason in sorted(reasons))
            for position, reasons in sorted(problems.items())
        })

    def _check_rows(
        self, given: list[list[Any]], problems: dict[int, list[tuple[int, str]]],
        unnamed: set[int],
    ) -> None:
        """The rules of a row over its fields: a date in the future said where its cell
        is, the fan named by nothing after every cell (a row whose id or username cell
        was bad is not told it names nobody)."""
        ids, usernames = (given[slot] for slot in _IDENTITY_SLOTS)
        if None in ids and (None in usernames or "" in usernames):  # some row may name nobody
            for position, (user_id, username) in enumerate(zip(ids, usernames, strict=True)):
                if user_id is None and not username and position not in unnamed:
                    problems.setdefault(position, []).append((self.width, _NO_IDENTITY))
        for slot, cell, header in self._past:
            dates = given[slot]
            if max(filter(None, dates), default=self._latest) <= self._latest:
                continue
            for position, value in enumerate(dates):
                if value is not None and value > self._latest:
                    problems.setdefault(position, []).append(
                        (cell, f"{header} {value:%Y-%m-%d} is in the future"))


def pick(columns: list[list[Any]], positions: list[int]) -> list[list[Any]]:
    """The rows at ``positions`` of a batch held column by column."""
    return [[column[p] for p in positions] for column in columns]


def parse_row(mapping: ColumnMapping, cells: list[str], now: datetime) -> FanRecord:
    """One row's cells as a FanRecord; ValueError with a one-line reason otherwise."""
    return RowParser(mapping, now)(cells)


def _short(reason: str, most: int = 200) -> str:
    """A reason quoting a huge cell, cut to a readable line."""
    return reason if len(reason) <= most else reason[: most - 1] + "…"
