"""The fans list as windows onto SQL: keyset-paged rows in one of four orders, the count,
and a fan's position, for a set of fans given as a select of fan ids (the fan filter's
output).

A window is ``limit`` rows after an anchor (the last row of the previous window, whose
``sort_value`` and ``fan_id`` continue the order), or, for a jump, from the sort key at
an offset found on the index alone: never all rows. Empty dates sort last (read as the
epoch), ties break on the fan id. Each order has an index on ``(account_id, sort key,
id)`` (migration 0014, which spells the same expressions: keep them in step), so the
first window of 100,000 fans costs what it costs for 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, case, func, literal, literal_column, select, tuple_

from ofcrm_tui.core.fans.edits import tags_by_fan
from ofcrm_tui.core.fans.fields import subscription
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, fan_display_name
from ofcrm_tui.store.types import UTCDateTime

_F = Fan.__table__.c


class FanSort(StrEnum):
    SPEND = "spend"  # most spent first
    LAST_ACTIVE = "last-active"  # most recently seen first
    SUBSCRIBED = "subscribed"  # most recent subscription first
    NAME = "name"  # display name, A to Z (any case)


# Constants are written into the SQL (not bound): an index on an expression serves a
# query only when the query spells the same expression, bound parameters excluded.
_EMPTY = literal_column("''")


def _epoch(db: Database) -> ColumnElement[Any]:
    if db.is_sqlite:  # how SQLAlchemy stores a DateTime on SQLite (naive UTC text)
        return literal_column("'1970-01-01 00:00:00.000000'", UTCDateTime())
    return literal_column("'1970-01-01 00:00:00+00'::timestamptz", UTCDateTime())


def sort_key(db: Database, sort: FanSort) -> tuple[ColumnElement[Any], bool]:
    """(sort expression on the fans table, descending); the indexes of 0014 use these."""
    if sort is FanSort.SPEND:
        return _F.total_spent_cents, True
    if sort is FanSort.NAME:
        shown = case((_F.nickname != _EMPTY, _F.nickname), (_F.name != _EMPTY, _F.name),
                     else_=_F.username)
        return func.lower(shown), False
    column = _F.last_seen_at if sort is FanSort.LAST_ACTIVE else _F.subscribed_at
    return func.coalesce(column, _epoch(db)), True


# How a list, a fan's page and the command line show a fan with no subscription status.
NO_STATUS = "—"


@dataclass(frozen=True)
class FanRow:
    fan_id: int
    platform_user_id: int | None
    display_name: str  # nickname, else name, else username (raw: shown literally)
    username: str
    subscription_status: str | None  # None: no subscription data (``subscription``)
    total_spent_cents: int
    last_seen_at: datetime | None
    subscribed_at: datetime | None
    conversation_id: int | None  # None: no chat yet
    last_message_at: datetime | None
    last_message_preview: str
    tags: tuple[str, ...]
    sort_value: Any  # where this row sits in the order: the anchor of the next window


def _scoped(account_id: int, fan_ids: Select[Any] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [_F.account_id == account_id]
    if fan_ids is not None:
        where.append(_F.id.in_(fan_ids))
    return where


def _beyond(key: ColumnElement[Any], descending: bool, value: Any, fan_id: int,
            *, inclusive: bool = False) -> ColumnElement[bool]:
    """Rows after ``(value, fan_id)`` in the order (and that row too, ``inclusive``):
    one row-value comparison, a range on the sort index."""
    row, at = tuple_(key, _F.id), tuple_(literal(value, key.type), literal(fan_id, Integer))
    if descending:
        return row <= at if inclusive else row < at
    return row >= at if inclusive else row > at


def _ahead(key: ColumnElement[Any], descending: bool, value: Any, fan_id: int) -> ColumnElement[bool]:
    """Rows before ``(value, fan_id)`` in the order."""
    row, at = tuple_(key, _F.id), tuple_(literal(value, key.type), literal(fan_id, Integer))
    return row > at if descending else row < at


def _order(key: ColumnElement[Any], descending: bool) -> tuple[Any, Any]:
    return (key.desc(), _F.id.desc()) if descending else (key.asc(), _F.id.asc())


def order_by(db: Database, sort: FanSort) -> tuple[Any, Any]:
    """The list's ORDER BY in ``sort`` (the sort key, ties by fan id), for a query on the
    fans table that lists them as the list does (the CSV export)."""
    return _order(*sort_key(db, sort))


def count_fans(db: Database, account_id: int, fan_ids: Select[Any] | None = None) -> int:
    with db.read() as session:
        query = select(func.count()).select_from(Fan.__table__).where(*_scoped(account_id, fan_ids))
        return int(session.scalar(query) or 0)


def fan_position(
    db: Database,
    account_id: int,
    fan_id: int,
    *,
    fan_ids: Select[Any] | None = None,
    sort: FanSort = FanSort.SPEND,
) -> int | None:
    """The fan's index in the list; None when the list does not hold them."""
    key, descending = sort_key(db, sort)
    where = _scoped(account_id, fan_ids)
    with db.read() as session:
        value = session.execute(select(key).where(*where, _F.id == fan_id)).first()
        if value is None:
            return None
        ahead = select(func.count()).select_from(Fan.__table__).where(
            *where, _ahead(key, descending, value[0], fan_id))
        return int(session.scalar(ahead) or 0)


def fans_window(
    db: Database,
    account_id: int,
    *,
    fan_ids: Select[Any] | None = None,
    sort: FanSort = FanSort.SPEND,
    after: FanRow | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[FanRow]:
    """``limit`` rows after ``after`` (keyset), else from row ``offset``."""
    key, descending = sort_key(db, sort)
    where = _scoped(account_id, fan_ids)
    with db.read() as session:
        if after is not None:
            where.append(_beyond(key, descending, after.sort_value, after.fan_id))
        elif offset > 0:
            # The key at the offset, read on the sort index alone; then a keyset read.
            start = session.execute(
                select(key, _F.id).where(*where).order_by(*_order(key, descending))
                .offset(offset).limit(1)
            ).first()
            if start is None:
                return []
            where.append(_beyond(key, descending, start[0], start[1], inclusive=True))
        query = (
            select(_F.id, _F.platform_user_id, _F.nickname, _F.name, _F.username,
                   _F.subscription_status, _F.total_spent_cents, _F.last_seen_at,
                   _F.subscribed_at, Conversation.id.label("conversation_id"),
                   Conversation.last_message_at,
                   Conversation.last_message_preview, key.label("sort_value"))
            .select_from(Fan.__table__)
            .outerjoin(Conversation, Conversation.fan_id == _F.id)
            .where(*where)
            .order_by(*_order(key, descending))
            .limit(limit)
        )
        rows = session.execute(query).all()
        tags = tags_by_fan(session, account_id, [r.id for r in rows])
        return [
            FanRow(
                fan_id=r.id, platform_user_id=r.platform_user_id,
                display_name=fan_display_name(r.nickname, r.name, r.username),
                username=r.username,
                subscription_status=subscription(r.platform_user_id, r.subscription_status),
                total_spent_cents=r.total_spent_cents, last_seen_at=r.last_seen_at,
                subscribed_at=r.subscribed_at, conversation_id=r.conversation_id,
                last_message_at=r.last_message_at,
                last_message_preview=r.last_message_preview or "",
                tags=tags.get(r.id, ()), sort_value=r.sort_value,
            )
            for r in rows
        ]
