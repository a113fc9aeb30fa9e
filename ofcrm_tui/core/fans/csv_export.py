"""Exporting fans to CSV: the columns the import reads, streamed a page at a time.

Fans are read in id order by keyset (``WHERE id > last``), ``PAGE`` at a time, with
their tags and notes for that page only, so memory stays flat however many fans are
exported. Notes are joined oldest first with a blank line between them; cells are
passed through the formula guard (``csv_format.guard``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans import csv_format
from ofcrm_tui.core.fans.edits import tags_by_fan
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan, Note

PAGE = 2_000
NOTE_SEPARATOR = "\n\n"

# fans written so far, fans to write in all
Progress = Callable[[int, int], None]

_FIELDS = [name for name in csv_format.COLUMNS if name not in ("tags", "notes")]
_COLUMNS = [Fan.id, *(getattr(Fan, name) for name in _FIELDS)]


def export_fans(
    db: Database,
    account_id: int,
    path: str | Path,
    *,
    fan_ids: Select[Any] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the account's fans (those ``fan_ids`` selects, if given) to ``path``;
    returns how many. The file is written next to ``path`` and moved over it at the
    end, so a failed export leaves no half-written file behind."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            written = _write(db, account_id, out, fan_ids, progress)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OfcrmError(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written


def _write(db: Database, account_id: int, out: Any, fan_ids: Select[Any] | None,
           progress: Progress | None) -> int:
    writer = csv.writer(out)
    writer.writerow(csv_format.HEADER)
    with db.read() as session:  # one snapshot (PostgreSQL) for the whole file
        total = _count(session, account_id, fan_ids) if progress is not None else 0
        last_id, written = 0, 0
        while True:
            query = (
                select(*_COLUMNS)
                .where(Fan.account_id == account_id, Fan.id > last_id)
                .order_by(Fan.id)
                .limit(PAGE)
            )
            if fan_ids is not None:
                query = query.where(Fan.id.in_(fan_ids))
            page = session.execute(query).all()
            if not page:
                return written
            ids = [row[0] for row in page]
            tags, notes = tags_by_fan(session, account_id, ids), _notes(session, account_id, ids)
            for row in page:
                values = dict(zip(_FIELDS, row[1:], strict=True))
                values["tags"] = tags.get(row[0], ())
                values["notes"] = NOTE_SEPARATOR.join(notes.get(row[0], ()))
                writer.writerow(csv_format.export_cells(values))
            written += len(page)
            last_id = ids[-1]
            if progress is not None:
                progress(written, total)


def _count(session: Session, account_id: int, fan_ids: Select[Any] | None) -> int:
    query = select(func.count()).select_from(Fan).where(Fan.account_id == account_id)
    if fan_ids is not None:
        query = query.where(Fan.id.in_(fan_ids))
    return int(session.scalar(query) or 0)


def _notes(session: Session, account_id: int, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(Note.fan_id, Note.body)
        .where(Note.account_id == account_id, Note.fan_id.in_(ids))
        .order_by(Note.fan_id, Note.created_at, Note.id)
    )
    for fan_id, body in rows:
        found.setdefault(fan_id, []).append(body)
    return found
