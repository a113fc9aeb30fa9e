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

Rows are matched against the fans the account had before the import (an account
without fans skips the look-up), so the outcome does not depend on the batch size.
Rows are written as plain tuples with ``executemany`` and the SQLite full-text index
is filled once at the end (``fts_deferred``): most of the time goes to reading and
checking the cells, not to the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, bindparam, func, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.csv_format import ColumnMapping, FanRecord
from ofcrm_tui.core.fans.csv_read import CsvSource, open_csv
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction, SubscriptionStatus
from ofcrm_tui.store.fts import fts_deferred
from ofcrm_tui.store.indexes import indexes_deferred
from ofcrm_tui.store.models import Fan, Note, Tag
from ofcrm_tui.store.rollups import inserts_deferred
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert

BATCH = 5_000
MAX_LISTED_PROBLEMS = 1_000  # the report keeps the first ones; the count is exact

# rows done, bytes of the file read so far
Progress = Callable[[int, int], None]

_KEYS = "ofcrm_import_keys"
# The columns of a new fan, in the order of the tuples the import writes.
_FAN_COLUMNS = (
    "id", "account_id", "platform_user_id", "username", "name", "nickname", "subscription_status",
    "subscribed_at", "expires_at", "last_seen_at", *csv_format.MONEY_FIELDS,
    "renewed_at", "created_at", "updated_at",
)


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
        # A file of N bytes holds up to ~N / 100 fans: rebuild the indexes of a table
        # holding fewer than that rather than fill them row by row.
        rows_at_most = os.fstat(stream.fileno()).st_size // 100
        try:
            with db.write() as session:
                connection = session.connection()
                with (
                    fts_deferred(connection),
                    inserts_deferred(connection, "fans"),
                    indexes_deferred(connection, "fans", when_at_most=rows_at_most),
                    indexes_deferred(connection, "fan_tags", when_at_most=rows_at_most),
                ):
                    writer = _Writer(session, account_id, author, report)
                    _run(source, writer, report, progress)
                    writer.finish()
                if dry_run or (report.problem_count and not skip_invalid):
                    raise _Discard
                access.record(
                    session, AuditAction.FANS_IMPORTED, account_id,
                    report.created + report.updated,
                    f"{Path(path).name}: created {report.created}, updated {report.updated}",
                )
        except _Discard:
            return report
    report.written = True
    return report


def _run(source: CsvSource, writer: _Writer, report: ImportReport, progress: Progress | None) -> None:
    assert report.mapping is not None
    parse = csv_format.RowParser(report.mapping, utcnow())
    batch: list[tuple[int, FanRecord]] = []
    for line, cells in source.rows():
        report.rows += 1
        try:
            batch.append((line, parse(cells)))
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


def _date_encoder(dialect: Dialect) -> Callable[[datetime], Any]:
    """A UTC datetime as the database stores it, exactly as SQLAlchemy would write it.

    On SQLite that is naive ISO text with microseconds, which ``isoformat`` writes ten
    times faster than SQLAlchemy's processor; it is used after checking on a sample
    that both agree, so a change of SQLAlchemy's format cannot slip by.
    """
    official = Fan.__table__.c.last_seen_at.type.dialect_impl(dialect).bind_processor(dialect)
    if official is None:
        return lambda value: value

    @lru_cache(maxsize=4096)  # files repeat dates (whole days, one sync's time)
    def fast(value: datetime) -> str:
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    sample = datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    return fast if dialect.name == "sqlite" and official(sample) == fast(sample) else official


class _Writer:
    """Writes batches of valid rows in the import's session."""

    def __init__(self, session: Session, account_id: int, author: str, report: ImportReport) -> None:
        self.session = session
        self.connection: Connection = session.connection()
        self.account_id = account_id
        self.author = author
        self.report = report
        self.tag_ids: dict[str, int] = {}
        self.now = utcnow()
        dialect = self.connection.dialect
        self.postgres = dialect.name == "postgresql"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.encode_date = _date_encoder(dialect)
        self.stamp = self.encode_date(self.now)
        # Rows match the fans that were there before: none to look up in an empty account.
        self.last_old_fan = session.scalar(select(func.max(Fan.id)).where(Fan.account_id == account_id))
        tail = " ON COMMIT DROP" if self.postgres else " WITHOUT ROWID"
        self._sql(f"CREATE TEMPORARY TABLE {_KEYS} (key VARCHAR PRIMARY KEY, line INTEGER){tail}")
        self.insert_key = self._insert_sql(_KEYS, ("key", "line"))
        self.insert_fan = self._insert_sql("fans", _FAN_COLUMNS)
        self.insert_tag = self._insert_sql(
            "fan_tags", ("fan_id", "tag_id", "account_id"), " ON CONFLICT (fan_id, tag_id) DO NOTHING")
        self.insert_note = self._insert_sql(
            "notes", ("account_id", "fan_id", "author", "body", "created_at", "updated_at"))

    def _insert_sql(self, table: str, columns: Sequence[str], tail: str = "") -> str:
        marks = ", ".join([self.mark] * len(columns))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){tail}"

    def _sql(self, sql: str, params: Any = None) -> Any:
        """Driver SQL: a tuple of parameters, or a non-empty list of them (executemany)."""
        return self.connection.exec_driver_sql(sql, params)

    def _marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    @property
    def stopped(self) -> bool:
        return bool(self.report.problem_count) and not self.report.skip_invalid

    def finish(self) -> None:
        if not self.postgres:
            self._sql(f"DROP TABLE temp.{_KEYS}")

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
        self._notes(fan_ids, fresh, existing=set(matched.values()))
        self.report.created += len(new)
        self.report.updated += len(matched)

    # -- repeated rows ------------------------------------------------------------------

    def _first_times(self, batch: Sequence[tuple[int, FanRecord]]) -> list[tuple[int, FanRecord]]:
        """The rows naming a fan no earlier row named; the others are problems."""
        row_keys = [
            f"u:{record.username}" if record.platform_user_id is None else f"id:{record.platform_user_id}"
            for _, record in batch
        ]
        keys: dict[str, int] = {}  # key -> the first line naming it in the batch
        for key, (line, _) in zip(reversed(row_keys), reversed(batch), strict=True):
            keys[key] = line
        earlier = dict(self._sql(
            f"SELECT key, line FROM {_KEYS} WHERE key IN ({self._marks(len(keys))})", tuple(keys)
        ).all())
        if not earlier and len(keys) == len(batch):  # the usual case: every row is new
            self._sql(self.insert_key, list(zip(row_keys, (line for line, _ in batch), strict=True)))
            return list(batch)
        fresh: list[tuple[int, FanRecord]] = []
        for key, (line, record) in zip(row_keys, batch, strict=True):
            before = earlier.get(key) or (keys[key] if keys[key] != line else None)
            if before is not None:
                self.report.add_problem(line, f"the same fan as line {before}")
            else:
                fresh.append((line, record))
        first_seen = [(k, line) for k, line in keys.items() if k not in earlier]
        if first_seen:
            self._sql(self.insert_key, first_seen)
        return fresh

    # -- existing fans -------------------------------------------------------------------

    def _matches(self, rows: list[tuple[int, FanRecord]]) -> dict[int, int]:
        """line -> fan id of the existing fan each row names ."""
        if self.last_old_fan is None:
            return {}
        old = (Fan.account_id == self.account_id, Fan.id <= self.last_old_fan)
        ids = [r.platform_user_id for _, r in rows if r.platform_user_id is not None]
        by_id: dict[int, int] = {}
        if ids:
            by_id = dict(
                self.session.execute(
                    select(Fan.platform_user_id, Fan.id).where(*old, Fan.platform_user_id.in_(ids))
                ).all()
            )
        names = [r.username for _, r in rows if r.username and r.platform_user_id not in by_id]
        by_name: dict[str, tuple[int, int | None]] = {}
        if names:
            found = self.session.execute(
                select(Fan.username, Fan.id, Fan.platform_user_id)
                .where(*old, Fan.username.in_(names))
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

    def _new_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new fans, taken before the insert so no read-back is needed."""
        if self.postgres:
            return list(self._sql(
                "SELECT nextval(pg_get_serial_sequence('fans', 'id')) FROM generate_series(1, %s)",
                (count,),
            ).scalars())
        # SQLite: the import holds the write lock (BEGIN IMMEDIATE); ids follow the highest.
        last = self._sql("SELECT coalesce(max(id), 0) FROM fans").scalar()
        return list(range(last + 1, last + 1 + count))

    def _insert(self, rows: list[tuple[int, FanRecord]]) -> dict[int, int]:
        """line -> id of the fan created for it."""
        if not rows:
            return {}
        ids = self._new_ids(len(rows))
        encode, stamp, account = self.encode_date, self.stamp, self.account_id
        active = SubscriptionStatus.ACTIVE.value
        values = [
            (fan_id, account, r.platform_user_id, r.username or "", r.name or "", r.nickname or "",
             # str() of a StrEnum is its value, without the Enum property's cost
             active if r.subscription_status is None else str(r.subscription_status),
             None if r.subscribed_at is None else encode(r.subscribed_at),
             None if r.expires_at is None else encode(r.expires_at),
             None if r.last_seen_at is None else encode(r.last_seen_at),
             r.subscribe_price_cents or 0, r.total_spent_cents or 0, r.tips_cents or 0,
             r.messages_cents or 0, r.subscriptions_cents or 0, r.posts_cents or 0,
             None, stamp, stamp)
            for fan_id, (_, r) in zip(ids, rows, strict=True)
        ]
        self._sql(self.insert_fan, values)
        return {line: fan_id for (line, _), fan_id in zip(rows, ids, strict=True)}

    def _update(self, rows: list[tuple[int, FanRecord]]) -> None:
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for fan_id, record in rows:
            given = record.given()
            if record.platform_user_id is not None:
                given["platform_user_id"] = record.platform_user_id
            if record.username:
                given["username"] = record.username
            given["updated_at"] = self.now
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
        tag_ids, account = self.tag_ids, self.account_id
        links = [
            (fan_ids[line], tag_ids[tag], account)
            for line, r in rows
            if r.tags and line in fan_ids
            for tag in r.tags
        ]
        if links:
            self._sql(self.insert_tag, links)

    def _notes(self, fan_ids: dict[int, int], rows: list[tuple[int, FanRecord]], existing: set[int]) -> None:
        with_notes = [(fan_ids[line], r.notes) for line, r in rows if r.notes and line in fan_ids]
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
        notes = [
            (self.account_id, fan_id, self.author, body, self.stamp, self.stamp)
            for fan_id, body in with_notes
            if (fan_id, body) not in known
        ]
        if notes:
            self._sql(self.insert_note, notes)
