"""Keyset paging of the conversation list: conditions on its sort key, and the key at an offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, literal, tuple_
from sqlalchemy.orm import Session

from ofcrm_tui.core.inbox.filter import InboxFilter, base, needs_fans
from ofcrm_tui.core.inbox.rows import NEWEST_FIRST
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.store.types import UTCDateTime

_C = Conversation.__table__.c


def before(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    """Rows after ``(at, id)`` in newest-first order: keyset condition on the index."""
    return tuple_(_C.last_message_at, _C.id) < tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def at_or_after(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    """Rows up to and including ``(at, id)`` in newest-first order."""
    return tuple_(_C.last_message_at, _C.id) >= tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def at_or_before(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    return tuple_(_C.last_message_at, _C.id) <= tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def after(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    return tuple_(_C.last_message_at, _C.id) > tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def key_at(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    offset: int,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """The sort key ``(last_message_at, id)`` of the row at ``offset`` (after ``where``),
    found on the conversations index without reading the rows skipped; None past the end."""
    statement = base(
        [_C.last_message_at, _C.id], db, account_id, flt, join=needs_fans(flt), ordered=True
    )
    if where is not None:
        statement = statement.where(where)
    return session.execute(statement.order_by(*NEWEST_FIRST).offset(offset).limit(1)).first()
