"""The list's statements, with the conversation an unread-only list keeps read.

Unread only, the open conversation stays listed once read (``InboxFilter.keep``): the
list is "unread, or that one". Spelled as one ``OR``, no index answers it (the partial
unread indexes need ``unread_count > 0`` itself). So such a list is two arms, each on
its own index: its unread conversations (``ix_conversations_unread``, as without the
kept one), and the kept one while read (its primary key); a window merges the arms in
order, a count adds them up. Every other filter is one arm, the statement as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union_all

from ofcrm_tui.core.inbox.filter import InboxFilter, base, sort_column
from ofcrm_tui.core.inbox.rows import newest_first
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation

_C = Conversation.__table__.c


def arms(flt: InboxFilter) -> list[tuple[InboxFilter, list[ColumnElement[bool]]]]:
    """The filters (and extra conditions) whose lists, together, are ``flt``'s."""
    if not flt.unread_only or flt.keep is None:
        return [(flt, [])]
    read = replace(flt, unread_only=False, keep=None)
    return [(replace(flt, keep=None), []), (read, [_C.id == flt.keep, _C.unread_count <= 0])]


def listed(
    columns: Sequence[Any],
    db: Database,
    account_id: int,
    flt: InboxFilter,
    *,
    join: bool,
    where: Sequence[ColumnElement[bool]] = (),
    limit: int | None = None,
    offset: int = 0,
) -> Any:
    """``columns`` of ``flt``'s conversations (in list order: ``filter.base``) after
    ``where``; with ``limit``, that many newest first from ``offset``."""
    parts = [
        base(columns, db, account_id, arm, join=join, ordered=True).where(*where, *extra)
        for arm, extra in arms(flt)
    ]
    if len(parts) == 1:
        if limit is None:
            return parts[0]
        return parts[0].order_by(*newest_first(flt)).offset(offset or None).limit(limit)
    if limit is None:
        return union_all(*parts)
    # Each arm gives its rows in order (the sort key is selected for the merge): SQLite
    # merges them and stops at the limit. PostgreSQL plans an arm that joins on its own,
    # unordered (a hash of every unread row, then a sort): there the unread arm is
    # ordered and limited itself, walking its index as the list without the kept one.
    names = [column.name for column in columns]
    key = [] if sort_column(flt).name in names else [sort_column(flt)]
    parts = [part.add_columns(*key) for part in parts]
    if not db.is_sqlite:
        parts[0] = parts[0].order_by(*newest_first(flt)).limit(offset + limit)
    merged = union_all(*parts).subquery()
    at = merged.c[sort_column(flt).name]
    return (
        select(*(merged.c[name] for name in names))
        .order_by(at.desc(), merged.c.id.desc())
        .offset(offset or None)
        .limit(limit)
    )


def counted(
    db: Database,
    account_id: int,
    flt: InboxFilter,
    *,
    join: bool,
    ordered: bool,
    where: Sequence[ColumnElement[bool]] = (),
) -> Select[Any]:
    """The count of ``flt``'s conversations after ``where`` (``ordered``: as
    ``filter.base``)."""
    counts = [
        base([func.count()], db, account_id, arm, join=join, ordered=ordered).where(*where, *extra)
        for arm, extra in arms(flt)
    ]
    if len(counts) == 1:
        return counts[0]
    return select(counts[0].scalar_subquery() + counts[1].scalar_subquery())
