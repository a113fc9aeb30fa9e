"""Importing fans from a CSV file: streamed in batches, in one transaction.

Every row is validated (``csv_rows``, a batch at a time). A row names an existing fan by its
platform user id, else by its username (a row with a platform id matches by username
only a fan created by hand, which then gets the id; never another platform fan). A
matched fan gets the fields the row gives; its tags and notes are added to (a note
already there word for word, or an export's cell of notes it has, is not added again; an
export's notes keep their authors and times: ``csv_format.cell_notes``);
it counts as updated only when one of these changes something, else as unchanged.
A fan with a platform id is the platform's: its name, username, subscription, dates and
spend stay as the sync wrote them (``csv_format.PLATFORM_FIELDS``; the next refresh would
put them back anyway), the row gives only the team's own fields; the report counts such
rows. A new fan with a platform id and no status is active (the next sync corrects it); a
fan without one has no subscription data (``fields.subscription``), so a status its row
gives is not one: the report counts both. Which matched fans have a platform id, the
look-up that matches them says.
Two rows naming the same fan (same id, or same username without an id) are a problem:
which should win is not ours to guess; they are found even once a bad row stopped the
writing, so the report lists every bad row.

All of it is one transaction: without ``skip_invalid`` the first bad row stops the
writing (the rest of the file is still validated, for the report) and nothing is
kept; a dry run rolls back whatever it did. A process killed half-way leaves nothing.
Memory does not grow with the file: rows are read and written ``BATCH`` at a time, and
the keys seen so far (to find repeated rows) live in a temporary table, each with the
first line naming it.

Rows are matched against the fans the account had before the import (an account
without fans skips the look-up), so the outcome does not depend on the batch size.
The writer (``csv_write``) writes rows as plain tuples, many a statement
(``RowsInsert``), put together column by column (what the file has no column for, and
what every row shares, is written into the SQL), tag links one statement per tag and
batch. On SQLite the full-text index and
the fans rollup are filled once at the end (``fts_deferred``, ``inserts_deferred``) and,
when the file is large for the fans table, the secondary indexes too
(``indexes_deferred``) and the references are checked once before the commit
(``Database.bulk_write``), all inside the transaction. Most of the time goes to the
database (``bench/README.md``).
"""

from __future__ import annotations

import bisect
import logging
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.fans import csv_format, csv_rows, fields
from ofcrm_tui.core.fans.collector import collector_paused
from ofcrm_tui.core.fans.csv_format import ColumnMapping, CsvFormatError
from ofcrm_tui.core.fans.csv_read import CsvSource, open_csv
from ofcrm_tui.core.fans.csv_write import Writer
from ofcrm_tui.core.fans.edits import fans_changed
from ofcrm_tui.core.wording import counted
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.fts import fts_deferred
from ofcrm_tui.store.indexes import holds_at_most, indexes_deferred
from ofcrm_tui.store.rollups import inserts_deferred
from ofcrm_tui.store.types import utcnow

log = logging.getLogger(__name__)

BATCH = 5_000
MAX_LISTED_PROBLEMS = 1_000  # the report keeps the first ones; the count is exact

# rows done, bytes of the file read so far
Progress = Callable[[int, int], None]

# The tables an import adds rows to (the rollup's through its trigger or statement).
_WRITTEN = ("fans", "tags", "fan_tags", "notes", "analytics_fan_days", "team_versions")


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
    updated: int = 0  # existing fans the import changed (a field, a new tag or note)
    unchanged: int = 0  # existing fans their rows left as they were
    problem_count: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False  # committed to the database
    platform_kept: int = 0  # rows of platform fans giving platform fields, not written
    status_defaulted: int = 0  # new fans with a user id and no status: active
    status_left_out: int = 0  # fans without a user id whose row gives a status

    @property
    def changed_fans(self) -> bool:
        """Some fan was (a dry run: would be) created or changed; written, the import
        moved the fans version once."""
        return bool(self.created or self.updated)

    @property
    def complete(self) -> bool:
        """Every row was taken (and, unless a dry run, written)."""
        return self.problem_count == 0 and self.rows > 0 and (self.written or self.dry_run)

    def add_problem(self, line: int, reason: str) -> None:
        """A bad row; the listed ones are the first by line number, whatever order the
        checks found them in (a repeated fan is found after its batch's bad cells)."""
        self.problem_count += 1
        if len(self.problems) == MAX_LISTED_PROBLEMS and line > self.problems[-1].line:
            return
        bisect.insort(self.problems, RowProblem(line, reason), key=lambda problem: problem.line)
        if len(self.problems) > MAX_LISTED_PROBLEMS:
            self.problems.pop()

    def summary(self) -> str:
        rows = counted(self.rows, "row")
        if self.dry_run:
            taken = f"would create {self.created:,}, would update {self.updated:,}"
        else:
            taken = f"created {self.created:,}, updated {self.updated:,}"
        taken += f", unchanged {self.unchanged:,}"
        if not self.problem_count:
            return f"{rows}: {taken}" + (" (dry run: nothing written)" if self.dry_run else "")
        if self.skip_invalid:
            return f"{rows}: {taken}; skipped {self.problem_count:,} bad"
        return f"{rows}, {self.problem_count:,} bad: nothing written"

    def platform_lines(self) -> list[str]:
        """What the import took otherwise than the file gives it, one line each: the rows
        of fans the platform knows (their platform fields stay), the new fans with a user
        id and no status (active), the fans without a user id given a status (none kept).
        None when a bad row stopped the import before the end. Each wording is said in
        one place (``fields.taken_as_active``, ``fields.status_left_out``)."""
        if self.problem_count and not self.skip_invalid:
            return []
        lines: list[str] = []
        if self.platform_kept:
            lines.append(f"{counted(self.platform_kept, 'row')} named fans the platform knows: "
                         "their name, username, subscription, dates and spend stay as the "
                         "platform has them (only nickname, tags and notes are taken)")
        if self.status_defaulted:
            lines.append(fields.taken_as_active(self.status_defaulted))
        if self.status_left_out:
            lines.append(fields.status_left_out(self.status_left_out))
        return lines

    def platform_line(self) -> str:
        """``platform_lines`` joined by newlines ("" when none)."""
        return "\n".join(self.platform_lines())


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

    Raises CsvFormatError when the file cannot be read as a fans CSV at all (empty, a
    header without rows, no known column, broken quoting); nothing is written then either.
    """
    report = ImportReport(str(path), dry_run=dry_run, skip_invalid=skip_invalid)
    # A chatter writes notes in its own name only (the team's policy): an export's notes
    # keep their authors for anyone else.
    keep_authors = access.identity(db).kind is not access.Kind.CHATTER
    with open_csv(Path(path)) as stream, collector_paused():
        source = CsvSource(stream)
        report.delimiter, report.mapping = source.delimiter, source.mapping
        # A file of N bytes holds up to ~N / 100 fans: rebuild the indexes of a table
        # holding fewer than that rather than fill them row by row, and check the
        # references of what was written once, over the tables (SQLite, ``bulk_write``).
        rows_at_most = os.fstat(stream.fileno()).st_size // 100
        try:
            with _unit(db, rows_at_most) as session:
                spend = set(csv_format.SPEND_FIELDS) & set(source.mapping.fields)
                access.require_update(session, "fans", sorted(spend), "fans' spend")
                connection = session.connection()
                with (
                    fts_deferred(connection),
                    inserts_deferred(connection, "fans"),
                    indexes_deferred(connection, "fans", when_at_most=rows_at_most),
                    indexes_deferred(connection, "fan_tags", when_at_most=rows_at_most),
                ):
                    writer = Writer(session, account_id, author, report,
                                    keep_authors=keep_authors)
                    _run(source, writer, report, progress)
                    writer.finish()
                if dry_run or (report.problem_count and not skip_invalid):
                    raise _Discard
                if report.changed_fans:
                    fans_changed(session, account_id)
                access.record(
                    session, AuditAction.FANS_IMPORTED, account_id,
                    report.created + report.updated,
                    f"{Path(path).name}: created {report.created:,}, updated {report.updated:,}",
                )
        except _Discard:
            return report
    report.written = True
    log.info("account %s: fans imported from %s: %s rows, %s created, %s updated, %s unchanged, "
             "%s skipped", account_id, Path(path).name, report.rows, report.created,
             report.updated, report.unchanged, report.problem_count)
    return report


def _unit(db: Database, rows_at_most: int) -> AbstractContextManager[Session]:
    """The import's unit of work: a bulk write when the fans table is small for the file."""
    if db.is_sqlite:
        with db.read() as session:
            if holds_at_most(session.connection(), "fans", rows_at_most):
                return db.bulk_write(_WRITTEN)
    return db.write()


def _run(source: CsvSource, writer: Writer, report: ImportReport, progress: Progress | None) -> None:
    assert report.mapping is not None
    parse = csv_rows.RowParser(report.mapping, utcnow())
    for lines, rows in source.batches(BATCH):
        report.rows += len(rows)
        parsed = parse.batch(rows)
        for position, reason in parsed.problems.items():
            report.add_problem(lines[position], reason)
        kept = lines if len(parsed.kept) == len(lines) else [lines[p] for p in parsed.kept]
        writer.write(kept, parsed.columns)
        if progress is not None:
            progress(report.rows, source.bytes_read)
    if report.rows == 0:  # as an empty file: nothing to import, said in one line
        raise CsvFormatError(csv_format.NO_ROWS)
