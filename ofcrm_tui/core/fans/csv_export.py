"""Exporting fans to CSV: the columns the import reads, streamed in one query, in the
order of the fans list (``listing.FanSort``: the sort the screen shows, ``--sort`` on
the shell).

One query reads every cell already as it is written (ids, money and dates as text, the
formula guard on the text columns, each fan's tags and notes aggregated beside it),
streamed ``PAGE`` rows at a time, so memory stays flat however many fans are exported,
and Python hands each page to the CSV writer as it comes. The cells are those of
``csv_format.export_cells`` (``tests/fans/test_csv_cells.py``), written faster. Notes
are joined oldest first with a blank line between them, each under its author and time
(``csv_format.notes_cell``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Dialect,
    Select,
    String,
    aggregate_order_by,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from ofcrm_tui.core import access
from ofcrm_tui.core.access import Right
from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.collector import collector_paused
from ofcrm_tui.core.fans.listing import FanSort, order_by
from ofcrm_tui.core.files import written_in_place
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Fan, FanTag, Note, Tag

PAGE = 2_000

# fans written so far, fans to write in all
Progress = Callable[[int, int], None]

# Text columns under the formula guard (tags and notes too, inside their aggregates).
_GUARDED = ("username", "name", "nickname")


def export_fans(
    db: Database,
    account_id: int,
    path: str | Path,
    *,
    fan_ids: Select[Any] | None = None,
    sort: FanSort = FanSort.SPEND,
    progress: Progress | None = None,
) -> int:
    """Write the account's fans (those ``fan_ids`` selects, if given) to ``path`` in the
    list's ``sort``; returns how many. The file is written next to ``path`` and moved
    over it at the end, so a failed export leaves no half-written file behind."""
    with written_in_place(path) as out, collector_paused():
        return _write(db, account_id, out, fan_ids, sort, progress, Path(path).name)


def _write(db: Database, account_id: int, out: Any, fan_ids: Select[Any] | None,
           sort: FanSort, progress: Progress | None, name: str) -> int:
    writer = csv.writer(out)
    writer.writerow(csv_format.HEADER)
    with db.read() as session:  # one snapshot (PostgreSQL) for the whole file
        # A team database says first whether this role may export, and records it.
        access.require(session, Right.EXPORT, account_id)
        total = _count(session, account_id, fan_ids) if progress is not None else 0
        connection = session.connection()
        query = _cells(connection.dialect, account_id).order_by(*order_by(db, sort))
        if fan_ids is not None:
            query = query.where(Fan.id.in_(fan_ids))
        written = 0
        for page in connection.execution_options(yield_per=PAGE).execute(query).partitions():
            writer.writerows(page)
            written += len(page)
            if progress is not None:
                progress(written, total)
        access.record(session, AuditAction.FANS_EXPORTED, account_id, written, name)
        return written


def _cells(dialect: Dialect, account_id: int) -> Select[Any]:
    """The fans of the account, one text cell per column of the file (dates as stored,
    written by ``_date_text``), in no order yet."""
    columns: dict[str, ColumnElement[Any]] = {
        name: getattr(Fan, name) for name in csv_format.COLUMNS if name not in ("tags", "notes")
    }
    columns["platform_user_id"] = func.coalesce(cast(Fan.platform_user_id, String), _const(""))
    # A fan with no subscription data (``Fan.on_platform``) has no status, as a list
    # shows it (``fields.subscription``): its stored one is a default only.
    columns["subscription_status"] = case((Fan.on_platform, Fan.subscription_status), else_=_const(""))
    hundred, zero = _const(100), _const(0)
    for name in csv_format.MONEY_FIELDS:
        cents = getattr(Fan, name)
        # dollars "." two digits of cents: 1234 -> "12.34" (as csv_format.money_cell);
        # most fans spent nothing of some kind, and a constant costs nothing to write
        columns[name] = case((cents == zero, _const("0.00")), else_=(
            cast(cents // hundred, String) + _const(".")
            + func.substr(cast(hundred + cents % hundred, String), _const(2))))
    # Nor a known price: an empty cell (the import reads it back as none given), as the
    # app and ``fans show`` show it (``—``), not 0.00.
    price = "subscribe_price_cents"
    columns[price] = case((Fan.on_platform, columns[price]), else_=_const(""))
    for name in csv_format.DATE_FIELDS:
        columns[name] = func.coalesce(_date_text(dialect, getattr(Fan, name)), _const(""))
    # Tags and notes of the fan of the row (the outer query keeps to the account): a
    # test of their account_id as well lets SQLite pick the account index instead of
    # the fan's and read all the account's rows for each fan.
    columns["tags"] = _joined(
        dialect, Tag.name, "|", Tag.name,
        select(Tag.name).join(FanTag, FanTag.tag_id == Tag.id).where(FanTag.fan_id == Fan.id),
    )
    note = _note_block(dialect)
    columns["notes"] = _joined(
        dialect, note, csv_format.NOTE_SEPARATOR, (Note.created_at, Note.id),
        select(note).where(Note.fan_id == Fan.id),
    )
    for name in _GUARDED:
        columns[name] = guarded(columns[name])
    return (
        select(*(columns[name] for name in csv_format.COLUMNS))
        .where(Fan.account_id == account_id)
    )


def _const(value: str | int) -> Any:
    """A constant written into the SQL: SQLite reads a bound value again for each row,
    a constant once (a fifth of the export's query)."""
    return literal(value, literal_execute=True)


def guarded(cell: ColumnElement[str]) -> ColumnElement[str]:
    """``csv_format.guard`` in SQL: a cell that starts like a formula (after any quotes)
    gets a leading quote."""
    formula = [_const(char) for char in csv_format.FORMULA_FIRST]
    quote, one = _const("'"), _const(1)
    starts = func.substr(cell, one, one).in_([quote, *formula])  # rare: the rest is not computed
    return case((and_(starts, func.substr(func.ltrim(cell, quote), one, one).in_(formula)), quote + cell),
                else_=cell)


def _joined(dialect: Dialect, value: Any, separator: str, order: Any, rows: Select[Any]) -> Any:
    """The ``value`` of ``rows`` (a subquery correlated to the fan) joined by
    ``separator`` in ``order`` under the formula guard, or "". The guard is taken inside
    the subquery: both databases compute the aggregate it names twice only once, where
    outside it would run the whole subquery twice."""
    order_by = order if isinstance(order, tuple) else (order,)
    if dialect.name == "sqlite" and (dialect.server_version_info or (0,)) < (3, 44):
        # No ORDER BY inside group_concat before 3.44: it joins in the order rows come.
        ordered = rows.add_columns(*order_by).order_by(*order_by).correlate(Fan).subquery()
        joined = func.group_concat(ordered.c[value.key], _const(separator))
        return func.coalesce(select(guarded(joined)).select_from(ordered).scalar_subquery(), _const(""))
    joined = aggregate_order_by(func.aggregate_strings(value, _const(separator)), *order_by)
    return func.coalesce(rows.with_only_columns(guarded(joined)).scalar_subquery(), _const(""))


def _note_block(dialect: Dialect) -> Any:
    """A note as ``csv_format.notes_cell`` writes it: ``[author, time]``, then its body,
    a line of it starting with one of ``NOTE_ESCAPED`` given a backslash more."""
    body = _const("\n") + Note.body
    for first in csv_format.NOTE_ESCAPED[::-1]:  # backslashes first, then "["
        body = func.replace(body, _const("\n" + first), _const("\n\\" + first))
    return (_const("[") + Note.author + _const(", ") + _date_text(dialect, Note.created_at)
            + _const("]") + body).label("note")


def _date_text(dialect: Dialect, column: Any) -> Any:
    """A date as ``files.date_cell`` writes it (``2026-01-31T18:00:00Z``: UTC, to the
    second), written by the database."""
    if dialect.name == "sqlite":  # stored as naive UTC text: 2026-01-31 18:00:00.000000
        seconds = func.substr(column, _const(1), _const(19))
        return func.replace(seconds, _const(" "), _const("T")) + _const("Z")
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')


def _count(session: Session, account_id: int, fan_ids: Select[Any] | None) -> int:
    query = select(func.count()).select_from(Fan).where(Fan.account_id == account_id)
    if fan_ids is not None:
        query = query.where(Fan.id.in_(fan_ids))
    return int(session.scalar(query) or 0)
