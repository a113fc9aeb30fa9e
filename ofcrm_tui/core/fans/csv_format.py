"""The fans CSV: its columns and their aliases, the formula guard, and one row's
validation (pydantic), shared by the import and the export so an export reads back
unchanged.

Cells are text. Money is dollars with cents (``12.50``, ``$12.50``); dates are ISO
8601 (a date alone is midnight UTC, a time without an offset is UTC); tags are one
cell separated by ``|``, ``,`` or ``;``; notes keep their newlines. An empty cell
means "not given": an import leaves that field of an existing fan as it is.

Formula guard: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or CR as a formula. The export writes such a cell with a leading ``'`` (OWASP's
advice), and also one that already starts with quotes followed by such a character, so
that the import can drop exactly one leading quote from any cell matching
``'+[=+-@\\t\\r]`` and get back what was exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

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
_GUARDED = re.compile(r"'*[=+\-@\t\r]")
_UNGUARD = re.compile(r"'+[=+\-@\t\r]")


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
    return "'" + cell if _GUARDED.match(cell) else cell


def unguard(cell: str) -> str:
    return cell[1:] if _UNGUARD.match(cell) else cell


# -- one row ------------------------------------------------------------------------------


def _blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _platform_id(value: Any) -> int | None:
    if (value := _blank(value)) is None:
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        raise ValueError(f"user id {text!r} is not a positive whole number")
    return int(text)


def _money(value: Any) -> int | None:
    if (value := _blank(value)) is None:
        return None
    text = str(value).strip()
    if text.lstrip("$ ").startswith("-"):
        raise ValueError(f"negative amount {text!r}")
    plain = _PLAIN_AMOUNT.fullmatch(text)
    try:
        # The export's own form, read without Decimal; anything else as a person types it.
        cents = (
            int(plain[1]) * 100 + int((plain[2] or "").ljust(2, "0"))
            if plain
            else parse_dollars(text.replace(",", ""))
        )
    except (MoneyError, ArithmeticError):  # Decimal overflows on 28+ digits
        raise ValueError(f"not an amount of dollars like 12.50: {text!r}") from None
    if cents > MAX_CENTS:
        raise ValueError(f"amount {text!r} is implausibly large")
    return cents


def _date(value: Any) -> datetime | None:
    if (value := _blank(value)) is None:
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date like 2026-01-31 or 2026-01-31T18:00:00Z: {text!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _status(value: Any) -> SubscriptionStatus | None:
    if (value := _blank(value)) is None:
        return None
    text = str(value).strip().lower()
    try:
        return SubscriptionStatus(text)
    except ValueError:
        raise ValueError(f"status {text!r} is not active or expired") from None


def _optional(check: Any) -> Any:
    return lambda value: None if (value := _blank(value)) is None else check(value)


Cents = Annotated[int | None, BeforeValidator(_money)]
Date = Annotated[datetime | None, BeforeValidator(_date)]


class FanRecord(BaseModel):
    """One valid row: what the import writes. None: not given in the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform_user_id: Annotated[int | None, BeforeValidator(_platform_id)] = None
    username: Annotated[str | None, BeforeValidator(_optional(fields.clean_username))] = None
    name: Annotated[str | None, BeforeValidator(_optional(lambda v: fields.clean_name("name", v)))] = None
    nickname: Annotated[
        str | None, BeforeValidator(_optional(lambda v: fields.clean_name("nickname", v)))
    ] = None
    subscription_status: Annotated[SubscriptionStatus | None, BeforeValidator(_status)] = None
    subscribed_at: Date = None
    expires_at: Date = None
    last_seen_at: Date = None
    subscribe_price_cents: Cents = None
    total_spent_cents: Cents = None
    tips_cents: Cents = None
    messages_cents: Cents = None
    subscriptions_cents: Cents = None
    posts_cents: Cents = None
    tags: Annotated[tuple[str, ...], BeforeValidator(lambda v: tuple(fields.split_tags(v or "")))] = ()
    notes: Annotated[str | None, BeforeValidator(_optional(fields.clean_note))] = None

    @model_validator(mode="after")
    def _identified(self) -> FanRecord:
        if self.platform_user_id is None and not self.username:
            raise ValueError("no user id and no username: cannot tell which fan this is")
        return self

    def check_dates(self, now: datetime) -> None:
        for name in PAST_DATE_FIELDS:
            value = getattr(self, name)
            if value is not None and value > now + FUTURE_SLACK:
                raise ValueError(f"{COLUMNS[name][0]} {value:%Y-%m-%d} is in the future")

    def given(self) -> dict[str, Any]:
        """The scalar fields the row gives (for an update of an existing fan)."""
        return {
            name: getattr(self, name)
            for name in COLUMNS
            if name not in ("tags", "notes", "platform_user_id", "username")
            and getattr(self, name) is not None
        }


def parse_row(mapping: ColumnMapping, cells: list[str], now: datetime) -> FanRecord:
    """A row's cells as a FanRecord; ValueError with a one-line reason otherwise."""
    if len(cells) != len(mapping.headers):
        raise ValueError(
            f"{len(cells)} fields where the header has {len(mapping.headers)}"
            " (a wrong delimiter or an unclosed quote?)"
        )
    values = {name: unguard(cell) for name, cell in zip(mapping.fields, cells, strict=True) if name}
    try:
        record = FanRecord.model_validate(values)
    except ValidationError as exc:
        raise ValueError(_short(_reason(exc))) from None
    record.check_dates(now)
    return record


def _short(reason: str, most: int = 200) -> str:
    """A reason quoting a huge cell, cut to a readable line."""
    return reason if len(reason) <= most else reason[: most - 1] + "…"


def _reason(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    cause = error.get("ctx", {}).get("error")
    message = str(cause) if cause is not None else error["msg"]
    header = COLUMNS[where][0] if where in COLUMNS else ""
    return f"{header}: {message}" if header and header not in message else message


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
