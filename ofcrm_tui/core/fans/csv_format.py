"""The fans CSV: its columns and their aliases, the formula guard, and one row's
validation, shared by the import and the export so an export reads back unchanged.

Cells are text. Money is dollars with cents (``12.50``, ``$12.50``); dates are ISO
8601 (a date alone is midnight UTC, a time without an offset is UTC); tags are one
cell separated by ``|``, ``,`` or ``;``; notes keep their newlines. An empty cell
(or one of spaces, except for a name or nickname, kept as written) means "not given":
an import leaves that field of an existing fan as it is.

Formula guard: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or CR as a formula. The export writes such a cell with a leading ``'`` (OWASP's
advice), and also one that already starts with quotes followed by such a character, so
that the import can drop exactly one leading quote from any cell matching
``'+[=+-@\\t\\r]`` and get back what was exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any, NamedTuple

from ofcrm_tui.core.fans import fields
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.money import MoneyError, parse_dollars
from ofcrm_tui.store.enums import SubscriptionStatus

# field -> (header written by the export, other headers read as it)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "platform_user_id": ("user_id", ("id", "userid", "platform_id", "platform_user_id", "fan_id")),
    "username": ("username", ("handle", "user_name", "user")),
    "name": ("name", ("display_name", "full_name")),
    "nickname": ("nickname", ("nick",)),
    "subscription_status": ("status", ("subscription_status", "subscription")),
    "subscribed_at": ("subscribed_since", ("subscribed_at", "subscribed", "since")),
    "expires_at": ("expires_at", ("expires", "expiry", "expired_at", "expiration")),
    "last_seen_at": ("last_seen", ("last_seen_at", "last_active", "last_online")),
    "subscribe_price_cents": ("subscription_price", ("subscribe_price", "price")),
    "total_spent_cents": ("total_spent", ("spent", "total", "lifetime_value", "ltv")),
    "tips_cents": ("tips", ("tips_spent",)),
    "messages_cents": ("messages", ("messages_spent", "ppv")),
    "subscriptions_cents": ("subscriptions", ("subscriptions_spent",)),
    "posts_cents": ("posts", ("posts_spent",)),
    "tags": ("tags", ("tag", "labels")),
    "notes": ("notes", ("note", "comment", "comments")),
}
HEADER = [header for header, _ in COLUMNS.values()]
MONEY_FIELDS = tuple(name for name in COLUMNS if name.endswith("_cents"))
DATE_FIELDS = ("subscribed_at", "expires_at", "last_seen_at")
# Dates that cannot be in the future (an expiry can); a day of slack for clocks and zones.
PAST_DATE_FIELDS = ("subscribed_at", "last_seen_at")
FUTURE_SLACK = timedelta(days=1)
MAX_CENTS = 100_000_000_00  # $100M: more is a typo or an attack

_ALIASES = {
    alias: name
    for name, (header, others) in COLUMNS.items()
    for alias in (header, *others)
}
_PLAIN_AMOUNT = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,2}))?")
_EXPORTED_AMOUNT = re.compile(r"[0-9]{1,15}\.[0-9]{2}")
_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"'+[=+\-@\t\r]")
_GUARD_FIRST = frozenset("'=+-@\t\r")  # the first characters _GUARDED can match


class CsvFormatError(OfcrmError):
    """A file that cannot be read as a fans CSV at all (as opposed to a bad row)."""


def normalise_header(header: str) -> str:
    """``"User ID"`` -> ``user_id``."""
    return re.sub(r"[^0-9a-z]+", "_", header.strip().lstrip("\ufeff").lower()).strip("_")


@dataclass(frozen=True)
class ColumnMapping:
    """Which field each column of a file holds (None: ignored)."""

    headers: tuple[str, ...]
    fields: tuple[str | None, ...]
    unknown: tuple[str, ...] = field(default=())

    @property
    def known(self) -> dict[str, str]:
        """header -> field, for the columns that are read."""
        return {h: f for h, f in zip(self.headers, self.fields, strict=True) if f is not None}


def map_header(headers: list[str]) -> ColumnMapping:
    """The mapping of a header row; CsvFormatError when it cannot identify fans."""
    if not any(h.strip() for h in headers):
        raise CsvFormatError("the file has no header row")
    mapped: list[str | None] = []
    seen: dict[str, str] = {}
    for header in headers:
        name = _ALIASES.get(normalise_header(header))
        if name is not None and name in seen:
            raise CsvFormatError(
                f"columns {seen[name]!r} and {header!r} both give the {COLUMNS[name][0]}"
            )
        if name is not None:
            seen[name] = header
        mapped.append(name)
    unknown = tuple(h for h, f in zip(headers, mapped, strict=True) if f is None)
    if not seen:
        raise CsvFormatError(
            f"no column ofcrm knows (found: {', '.join(map(repr, headers[:8]))}); "
            f"expected some of: {', '.join(HEADER)}"
        )
    if "platform_user_id" not in seen and "username" not in seen:
        raise CsvFormatError("the file needs a user id or a username column to identify fans")
    return ColumnMapping(tuple(headers), tuple(mapped), unknown)


# -- the formula guard -------------------------------------------------------------------


def guard(cell: str) -> str:
    return "'" + cell if cell[:1] in _GUARD_FIRST and _GUARDED.match(cell) else cell


def unguard(cell: str) -> str:
    return cell[1:] if _UNGUARD.match(cell) else cell


# -- one row ------------------------------------------------------------------------------
# Each column's check takes a cell that is not blank (after the formula guard is read
# back) and returns the value or raises ValueError with the reason. They are plain
# functions, chosen once per file for its columns (RowParser): a row costs a few
# microseconds, where a pydantic model with a validator per field cost ten times that.


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
    else:  # anything else as a person types it
        cents = _typed_money(value.strip())
    if cents > MAX_CENTS:
        raise ValueError(f"amount {value.strip()!r} is implausibly large")
    return cents


def _typed_money(text: str) -> int:
    if text.lstrip("$ ").startswith("-"):
        raise ValueError(f"negative amount {text!r}")
    try:
        return parse_dollars(text.replace(",", ""))
    except (MoneyError, ArithmeticError):  # Decimal overflows on 28+ digits
        raise ValueError(f"not an amount of dollars like 12.50: {text!r}") from None


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


_CHECKS: dict[str, Callable[[str], Any]] = {
    "platform_user_id": _platform_id,
    "username": fields.clean_username,
    "name": partial(fields.clean_name, "name"),
    "nickname": partial(fields.clean_name, "nickname"),
    "subscription_status": _status,
    **dict.fromkeys(DATE_FIELDS, _date),
    **dict.fromkeys(MONEY_FIELDS, _money),
    "tags": _tags,
    "notes": fields.clean_note,
}


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
_EMPTY = list(FanRecord())
# Names are kept as written: a name of spaces exports as spaces and must read back so.
_SPACE_IS_TEXT = ("name", "nickname")
_PAST = tuple((FanRecord._fields.index(name), COLUMNS[name][0]) for name in PAST_DATE_FIELDS)


class RowParser:
    """Validates the rows of one file: the check of each of its columns, chosen once.

    An empty cell (for all but names, a cell of spaces too) is not given. The first
    bad field in COLUMNS order gives the reason, prefixed with its column
    unless the reason names it already; a row must identify a fan; past dates may not
    be in the future (a day of slack).
    """

    def __init__(self, mapping: ColumnMapping, now: datetime) -> None:
        self.width = len(mapping.headers)
        slot = {name: index for index, name in enumerate(COLUMNS)}
        self._steps = sorted(
            (slot[name], cell, _CHECKS[name], COLUMNS[name][0], name not in _SPACE_IS_TEXT)
            for cell, name in enumerate(mapping.fields)
            if name is not None
        )
        self._latest = now + FUTURE_SLACK

    def __call__(self, cells: list[str]) -> FanRecord:
        """The row's cells as a FanRecord; ValueError with a one-line reason otherwise."""
        if len(cells) != self.width:
            raise ValueError(
                f"{len(cells)} fields where the header has {self.width}"
                " (a wrong delimiter or an unclosed quote?)"
            )
        values = _EMPTY.copy()
        for slot, index, check, header, space_is_blank in self._steps:
            cell = cells[index]
            if cell[:1] == "'":
                cell = unguard(cell)
            if not cell or (space_is_blank and cell.isspace()):
                continue
            try:
                values[slot] = check(cell)
            except ValueError as exc:
                message = str(exc)
                raise ValueError(_short(message if header in message else f"{header}: {message}")) from None
        if values[0] is None and not values[1]:
            raise ValueError("no user id and no username: cannot tell which fan this is")
        for slot, header in _PAST:
            value = values[slot]
            if value is not None and value > self._latest:
                raise ValueError(f"{header} {value:%Y-%m-%d} is in the future")
        return FanRecord._make(values)


def parse_row(mapping: ColumnMapping, cells: list[str], now: datetime) -> FanRecord:
    """One row's cells as a FanRecord; ValueError with a one-line reason otherwise."""
    return RowParser(mapping, now)(cells)


def _short(reason: str, most: int = 200) -> str:
    """A reason quoting a huge cell, cut to a readable line."""
    return reason if len(reason) <= most else reason[: most - 1] + "…"


# -- writing ------------------------------------------------------------------------------


def money_cell(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def date_cell(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_TEXT_FIELDS = tuple(n for n in COLUMNS if n not in MONEY_FIELDS + DATE_FIELDS + ("tags",))


def export_cells(values: dict[str, Any]) -> list[str]:
    """One fan (field -> value, tags a sequence, notes a string) as guarded cells.

    Money and dates are written by us (digits first) and need no guard.
    """
    cells = dict.fromkeys(COLUMNS, "")
    for name in MONEY_FIELDS:
        cells[name] = money_cell(int(values.get(name) or 0))
    for name in DATE_FIELDS:
        cells[name] = date_cell(values.get(name))
    cells["tags"] = guard("|".join(values.get("tags") or ()))
    for name in _TEXT_FIELDS:
        value = values.get(name)
        cells[name] = "" if value is None else guard(str(value))
    return list(cells.values())
