"""Keyset paging of the conversation list: conditions on its sort key, and the key at an offset.

A key is ``(time, conversation id)`` in the filter's order (``filter.sort_column``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, literal, tuple_
from sqlalchemy.orm import Session

from ofcrm_tui.core.inbox.filter import InboxFilter, needs_fans, sort_column
from ofcrm_tui.core.inbox.kept import listed
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.store.types import UTCDateTime

_C = Conversation.__table__.c
Key = tuple[datetime | None, int]


def _pair(flt: InboxFilter, key: Key) -> tuple[Any, Any]:
    at, conversation_id = key
    return tuple_(sort_column(flt), _C.id), tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def before(flt: InboxFilter, key: Key) -> ColumnElement[bool]:
    """Rows after ``key`` in newest-first order: keyset condition on the index."""
    column, value = _pair(flt, key)
    return column < value


def at_or_after(flt: InboxFilter, key: Key) -> ColumnElement[bool]:
    """Rows up to and including ``key`` in newest-first order."""
    column, value = _pair(flt, key)
    return column >= value


def at_or_before(flt: InboxFilter, key: Key) -> ColumnElement[bool]:
    column, value = _pair(flt, key)
    return column <= value


def after(flt: InboxFilter, key: Key) -> ColumnElement[bool]:
    column, value = _pair(flt, key)
    return column > value


def key_at(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    offset: int,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """The sort key of the row at ``offset`` (after ``where``), found on the
    conversations index without reading the rows skipped; None past the end."""
    statement = listed([sort_column(flt), _C.id], db, account_id, flt, join=needs_fans(flt),
                       where=() if where is None else [where], limit=1, offset=offset)
    return session.execute(statement).first()
