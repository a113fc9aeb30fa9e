"""Importing fans from a CSV file: streamed in batches, in one transaction.

Every row is validated (``csv_format.parse_row``). A row names an existing fan by its
platform user id, else by its username (a row with a platform id matches by username
only a fan created by hand, which then gets the id; never another platform fan). A
matched fan gets the fields the row gives; its tags and notes are added to (a note
already there word for word is not added twice). Two rows naming the same fan (same
id, or same username without an id) are a problem: which should win is not ours to guess.

All of it is one transaction: without ``skip_invalid`` the first bad row stops the
writing (the rest of the file is still validated, for the report) and nothing is
kept; a dry run rolls back whatever it did. A process killed half-way leaves nothing.
Memory does not grow with the file: rows are read and written ``BATCH`` at a time, and
the keys seen so far (to find repeated rows) live in a temporary table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import String, bindparam, column, func, insert, select, table, text, update
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.csv_format import ColumnMapping, FanRecord
from ofcrm_tui.core.fans.csv_read import CsvSource, open_csv
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.fts import fts_deferred
from ofcrm_tui.store.models import Fan, FanTag, Note, Tag
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert

BATCH = 500
MAX_LISTED_PROBLEMS = 1_000  # the report keeps the first ones; the count is exact

# rows done, bytes of the file read so far
Progress = Callable[[int, int], None]

_KEYS = "ofcrm_import_keys"
_keys = table(_KEYS, column("key", String), column("line"))


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would have done)."""

    path: str
    dry_run: bool
    skip_invalid: bool
    delimiter: str = ","
    mapping: ColumnMapping | None = None
    rows: int = 0  # data rows read
    created: int = 0
    updated: int = 0
    problem_count: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False  # committed to the database

    @property
    def complete(self) -> bool:
        """Every row was taken (and, unless a dry run, written)."""
        return self.problem_count == 0 and self.rows > 0 and (self.written or self.dry_run)

    def add_problem(self, line: int, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(RowProblem(line, reason))

    def summary(self) -> str:
        if self.dry_run:
            taken = f"would create {self.created}, would update {self.updated}"
        else:
            taken = f"created {self.created}, updated {self.updated}"
        if not self.problem_count:
            return f"{self.rows} rows: {taken}" + (" (dry run: nothing written)" if self.dry_run else "")
        if self.skip_invalid:
            return f"{self.rows} rows: {taken}; skipped {self.problem_count} bad"
        return f"{self.rows} rows, {self.problem_count} bad: nothing written"


class _Discard(Exception):
    """Rolls the import's transaction back (dry run, or a bad row without skip_invalid)."""


def import_fans(
    db: Database,
    account_id: int,
    path: str | Path,
    *,
    author: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` into the account; the report says what happened, row by row.

    Raises CsvFormatError when the file cannot be read as a fans CSV at all (empty, no
    known column, broken quoting); nothing is written then either.
    """
    report = ImportReport(str(path), dry_run=dry_run, skip_invalid=skip_invalid)
    with open_csv(Path(path)) as stream:
        source = CsvSource(stream)
        report.delimiter, report.mapping = source.delimiter, source.mapping
        try:
            with db.write() as session:
                writer = _Writer(session, account_id, author, report)
                _run(source, writer, report, progress)
                writer.finish()
                if dry_run or (report.problem_count and not skip_invalid):
                    raise _Discard
        except _Discard:
            return report
    report.written = True
    return report


def _run(source: CsvSource, writer: _Writer, report: ImportReport, progress: Progress | None) -> None:
    assert report.mapping is not None
    now = utcnow()
    batch: list[tuple[int, FanRecord]] = []
    for line, cells in source.rows():
        report.rows += 1
        try:
            batch.append((line, csv_format.parse_row(report.mapping, cells, now)))
        except ValueError as exc:
            report.add_problem(line, str(exc))
        if len(batch) >= BATCH:
            writer.write(batch)
            batch = []
            if progress is not None:
                progress(report.rows, source.bytes_read)
    writer.write(batch)
    if progress is not None:
        progress(report.rows, source.bytes_read)
    if report.rows == 0:
        report.add_problem(source.header_lines, "no fan rows under the header")


class _Writer:
    """Writes batches of valid rows in the import's session."""

    def __init__(self, session: Session, account_id: int, author: str, report: ImportReport) -> None:
        self.session = session
        self.account_id = account_id
        self.author = author
        self.report = report
        self.tag_ids: dict[str, int] = {}
        self.postgres = session.get_bind().dialect.name == "postgresql"
        drop = " ON COMMIT DROP" if self.postgres else ""
        session.execute(text(f"CREATE TEMPORARY TABLE {_KEYS} (key VARCHAR PRIMARY KEY, line INTEGER){drop}"))

    @property
    def stopped(self) -> bool:
        return bool(self.report.problem_count) and not self.report.skip_invalid

    def finish(self) -> None:
        if not self.postgres:
            self.session.execute(text(f"DROP TABLE temp.{_KEYS}"))

    def write(self, batch: Sequence[tuple[int, FanRecord]]) -> None:
        if self.stopped or not batch:
            return
        fresh = self._first_times(batch)
        if self.stopped:
            return
        matched = self._matches(fresh)
        if self.stopped:
            return
        new = [(line, r) for line, r in fresh if line not in matched]
        fan_ids = self._insert(new)
        self._update([(matched[line], r) for line, r in fresh if line in matched])
        fan_ids.update(matched)
        self._tags(fan_ids, fresh)
        self._notes(fan_ids, fresh, existing={matched[line] for line in matched})
        self.report.created += len(new)
        self.report.updated += len(matched)

    # -- repeated rows ------------------------------------------------------------------

    def _first_times(self, batch: Sequence[tuple[int, FanRecord]]) -> list[tuple[int, FanRecord]]:
        """The rows naming a fan no earlier row named; the others are problems."""
        keys: dict[str, int] = {}
        lines_keys: list[tuple[int, FanRecord, list[str]]] = []
        for line, record in batch:
            own = _keys_of(record)
            lines_keys.append((line, record, own))
            for key in own:
                keys.setdefault(key, line)
        earlier = dict(
            self.session.execute(
                select(_keys.c.key, _keys.c.line).where(_keys.c.key.in_(list(keys)))
            ).all()
        )
        fresh: list[tuple[int, FanRecord]] = []
        for line, record, own in lines_keys:
            first = [earlier.get(k) or (keys[k] if keys[k] != line else None) for k in own]
            before = [f for f in first if f is not None]
            if before:
                self.report.add_problem(line, f"the same fan as line {min(before)}")
            else:
                fresh.append((line, record))
        self.session.execute(
            insert(_keys), [{"key": k, "line": line} for k, line in keys.items() if k not in earlier]
        )
        return fresh

    # -- existing fans -------------------------------------------------------------------

    def _matches(self, rows: list[tuple[int, FanRecord]]) -> dict[int, int]:
        """line -> fan id of the existing fan each row names ."""
        ids = [r.platform_user_id for _, r in rows if r.platform_user_id is not None]
        by_id: dict[int, int] = {}
        if ids:
            by_id = dict(
                self.session.execute(
                    select(Fan.platform_user_id, Fan.id).where(
                        Fan.account_id == self.account_id, Fan.platform_user_id.in_(ids)
                    )
                ).all()
            )
        names = [r.username for _, r in rows if r.username and r.platform_user_id not in by_id]
        by_name: dict[str, tuple[int, int | None]] = {}
        if names:
            found = self.session.execute(
                select(Fan.username, Fan.id, Fan.platform_user_id)
                .where(Fan.account_id == self.account_id, Fan.username.in_(names))
                .order_by(Fan.id)
            )
            for username, fan_id, platform_id in found:
                # A row with a platform id links a fan created by hand, never another
                # platform fan (usernames change; the id is who the fan is).
                by_name.setdefault(username, (fan_id, platform_id))
        matched: dict[int, int] = {}
        for line, record in rows:
            if record.platform_user_id in by_id:
                matched[line] = by_id[record.platform_user_id]
            elif record.username in by_name:
                fan_id, platform_id = by_name[record.username]
                if record.platform_user_id is None or platform_id is None:
                    matched[line] = fan_id
        return matched

    # -- writing ---------------------------------------------------------------------------

    def _insert(self, rows: list[tuple[int, FanRecord]]) -> dict[int, int]:
        """line -> id of the fan created for it."""
        if not rows:
            return {}
        now = utcnow()
        values = [_new_fan(self.account_id, record, now) for _, record in rows]
        if self.postgres:
            statement = insert(Fan).returning(Fan.id, sort_by_parameter_order=True)
            ids = list(self.session.execute(statement, values).scalars())
        else:
            # SQLite returns RETURNING rows of a batch in no set order, so SQLAlchemy
            # would insert one row at a time. The import holds the write lock (BEGIN
            # IMMEDIATE): the rows above the old highest id are these, in this order.
            before = self.session.scalar(select(func.max(Fan.id))) or 0
            with fts_deferred(self.session.connection()):
                self.session.execute(insert(Fan.__table__), values)
            ids = list(
                self.session.scalars(select(Fan.id).where(Fan.id > before).order_by(Fan.id))
            )
        return {line: fan_id for (line, _), fan_id in zip(rows, ids, strict=True)}

    def _update(self, rows: list[tuple[int, FanRecord]]) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        now = utcnow()
        for fan_id, record in rows:
            given = record.given()
            if record.platform_user_id is not None:
                given["platform_user_id"] = record.platform_user_id
            if record.username:
                given["username"] = record.username
            given["updated_at"] = now
            groups.setdefault(tuple(sorted(given)), []).append({"_id": fan_id, **given})
        for names, params in groups.items():
            statement = (
                update(Fan.__table__)
                .where(Fan.__table__.c.id == bindparam("_id"))
                .values({name: bindparam(name) for name in names})
            )
            self.session.execute(statement, params)

    def _tags(self, fan_ids: dict[int, int], rows: list[tuple[int, FanRecord]]) -> None:
        wanted = {tag for _, r in rows for tag in r.tags}
        missing = [tag for tag in wanted if tag not in self.tag_ids]
        if missing:
            upsert(
                self.session,
                Tag,
                [{"account_id": self.account_id, "name": tag, "color": ""} for tag in missing],
                key=("account_id", "name"),
            )
            self.tag_ids.update(
                self.session.execute(
                    select(Tag.name, Tag.id).where(
                        Tag.account_id == self.account_id, Tag.name.in_(missing)
                    )
                ).all()
            )
        links = [
            {"fan_id": fan_ids[line], "tag_id": self.tag_ids[tag], "account_id": self.account_id}
            for line, r in rows
            if line in fan_ids
            for tag in r.tags
        ]
        upsert(self.session, FanTag, links, key=("fan_id", "tag_id"))

    def _notes(self, fan_ids: dict[int, int], rows: list[tuple[int, FanRecord]], existing: set[int]) -> None:
        with_notes = [(fan_ids[line], r.notes) for line, r in rows if line in fan_ids and r.notes]
        if not with_notes:
            return
        known: set[tuple[int, str]] = set()
        old = [fan_id for fan_id, _ in with_notes if fan_id in existing]
        if old:
            known = set(
                self.session.execute(
                    select(Note.fan_id, Note.body).where(
                        Note.account_id == self.account_id, Note.fan_id.in_(old)
                    )
                ).all()
            )
        now = utcnow()
        notes = [
            {"account_id": self.account_id, "fan_id": fan_id, "author": self.author,
             "body": body, "created_at": now, "updated_at": now}
            for fan_id, body in with_notes
            if (fan_id, body) not in known
        ]
        if notes:
            self.session.execute(insert(Note.__table__), notes)


def _keys_of(record: FanRecord) -> list[str]:
    if record.platform_user_id is not None:
        return [f"id:{record.platform_user_id}"]
    return [f"u:{record.username}"]


def _new_fan(account_id: int, record: FanRecord, now: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account_id": account_id,
        "platform_user_id": record.platform_user_id,
        "username": record.username or "",
        "name": "",
        "nickname": "",
        "last_seen_at": None,
        "subscription_status": SubscriptionStatus.ACTIVE.value,
        "subscribed_at": None,
        "expires_at": None,
        "renewed_at": None,
        **{name: 0 for name in csv_format.MONEY_FIELDS},
        "created_at": now,
        "updated_at": now,
    }
    values.update(record.given())
    if isinstance(values["subscription_status"], SubscriptionStatus):
        values["subscription_status"] = values["subscription_status"].value
    return values
