"""The fans CSV: its columns and their aliases, the formula guard and the cells an
export writes, shared by the import (``csv_rows`` reads one row) and the export so an
export reads back unchanged.

Cells are text. Money is dollars with cents (``12.50``, ``$12.50``); dates are ISO
8601 (a date alone is midnight UTC, a time without an offset is UTC; an export writes
``files.date_cell``'s UTC to the second, ``2026-01-31T18:00:00Z``); tags are one
cell separated by ``|``, ``,`` or ``;``; notes keep their newlines, and an export's
keep their authors and times (``notes_cell``, read back by ``cell_notes``). An empty cell
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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ofcrm_tui.core.fans.fields import clean_note, subscription
from ofcrm_tui.core.files import date_cell
from ofcrm_tui.errors import OfcrmError

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
# What the fan spent (the subscription price is not): a team's chatter may not write it.
SPEND_FIELDS = tuple(name for name in MONEY_FIELDS if name != "subscribe_price_cents")
DATE_FIELDS = ("subscribed_at", "expires_at", "last_seen_at")
# What the team keeps on a fan (the platform knows nothing of it) and, past the platform
# user id, what the platform says: the sync writes these at every fans refresh, so an
# import fills them only for fans the platform does not know (no platform id yet).
TEAM_FIELDS = ("nickname", "tags", "notes")
PLATFORM_FIELDS = tuple(name for name in COLUMNS if name not in ("platform_user_id", *TEAM_FIELDS))

_ALIASES = {
    alias: name
    for name, (header, others) in COLUMNS.items()
    for alias in (header, *others)
}
# A spreadsheet runs a cell starting with one of these (after any quotes) as a formula.
FORMULA_FIRST = "=+-@\t\r"
# An export's notes cell: the fan's notes, oldest first, a blank line between two, each
# under a line naming its author and time (``[ana, 2026-01-31T18:00:00Z]``). A line of a
# body starting with one of NOTE_ESCAPED gets a "\\" more, which the import drops: a
# line starting with "[" is always a note's own.
NOTE_SEPARATOR = "\n\n"
NOTE_ESCAPED = ("[", "\\")
NOTE_AUTHOR_CHARS = 128  # notes.author
_NOTE_HEAD = re.compile(
    r"\[(?P<author>[^\n]+), (?P<at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)\]")
_GUARDED = re.compile(f"'*[{re.escape(FORMULA_FIRST)}]")
_UNGUARD = re.compile(f"'+[{re.escape(FORMULA_FIRST)}]")
_GUARD_FIRST = frozenset("'" + FORMULA_FIRST)  # the first characters _GUARDED can match
# In a header: NUL, or bytes that are not UTF-8 (read as lone surrogates).
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


NOT_TEXT_HEADER = "the header row is not UTF-8 text: is this a CSV file? (save it as CSV UTF-8)"
# A header and no row under it: refused as an empty file is, by the preview and the import.
NO_ROWS = "the file has no fan rows under its header"


def is_text(cell: str) -> bool:
    """No NUL and no byte that was not UTF-8 (a lone surrogate, as the file is read)."""
    return not _NOT_TEXT.search(cell)


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
    if not all(map(is_text, headers)):
        # Not a text file, or one saved in another encoding: its header, quoted, is
        # unreadable.
        raise CsvFormatError(NOT_TEXT_HEADER)
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


# -- writing ------------------------------------------------------------------------------


def money_cell(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


_TEXT_FIELDS = tuple(n for n in COLUMNS if n not in MONEY_FIELDS + DATE_FIELDS + ("tags",))


def export_cells(values: dict[str, Any]) -> list[str]:
    """One fan (field -> value, tags a sequence, notes a string) as guarded cells.

    Money and dates are written by us (digits first) and need no guard. A fan with no
    subscription data has no status (``fields.subscription``) nor price: empty cells.
    """
    cells = dict.fromkeys(COLUMNS, "")
    values = {**values, "subscription_status": subscription(
        values.get("platform_user_id"), values.get("subscription_status"))}
    for name in MONEY_FIELDS:
        cells[name] = money_cell(int(values.get(name) or 0))
    if values["subscription_status"] is None:  # nor a known price: empty, as the app's ``—``
        cells["subscribe_price_cents"] = ""
    for name in DATE_FIELDS:
        cells[name] = date_cell(values.get(name))
    cells["tags"] = guard("|".join(values.get("tags") or ()))
    for name in _TEXT_FIELDS:
        value = values.get(name)
        cells[name] = "" if value is None else guard(str(value))
    return list(cells.values())


class CellNote(NamedTuple):
    author: str
    at: datetime
    body: str


def notes_cell(notes: Iterable[tuple[str, datetime, str]]) -> str:
    """The notes (author, time, body), oldest first, as an export's cell (the export
    writes it in SQL, the same)."""
    return NOTE_SEPARATOR.join(
        f"[{author}, {date_cell(at)}]\n" + "\n".join(
            "\\" + line if line.startswith(NOTE_ESCAPED) else line for line in body.split("\n"))
        for author, at, body in notes)


def cell_notes(cell: str) -> list[CellNote] | None:
    """The notes of an export's notes cell, each with its author and time; None for a
    cell written otherwise (one note, the importer's), a blank body or an author longer
    than a note's."""
    notes: list[CellNote] = []
    head: re.Match[str] | None = None
    lines: list[str] = []
    for line in [*cell.split("\n"), None]:
        match = _NOTE_HEAD.fullmatch(line) if line is not None and line[:1] == "[" else None
        if match is None and line is not None:
            if head is None:
                return None
            lines.append(line[1:] if line[:1] == "\\" else line)
            continue
        if head is not None:
            if match is not None and lines and not lines[-1]:
                lines.pop()  # the blank line between two notes
            body = "\n".join(lines)
            if not body.strip() or len(head["author"]) > NOTE_AUTHOR_CHARS:
                return None
            at = datetime.strptime(head["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            notes.append(CellNote(head["author"], at, body))
        head, lines = match, []
    return notes


def check_notes(cell: str) -> str:
    """A notes cell: one note, or an export's notes (``cell_notes``), each checked."""
    notes = cell_notes(cell)
    if notes is None:
        return clean_note(cell)
    for note in notes:
        clean_note(note.body)
    return cell


def holds_only(cell: str, notes: list[str]) -> bool:
    """The notes cell is some of ``notes`` (oldest first) as an export joins them: an
    export imported back adds none of them again, even after newer notes were added."""
    rest = cell
    for note in notes:
        if rest == note:
            return True
        if rest.startswith(note + NOTE_SEPARATOR):
            rest = rest[len(note) + len(NOTE_SEPARATOR):]
    return False
