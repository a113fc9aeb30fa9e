"""The fans list as windows onto SQL: keyset-paged rows in one of four orders, and the
count, for a set of fans given as a select of fan ids (the fan filter's output).

A window is ``limit`` rows after an anchor (the last row of the previous window, whose
``sort_value`` and ``fan_id`` continue the order): never OFFSET, never all rows. Empty
dates sort last (read as the epoch), ties break on the fan id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select

from ofcrm_tui.core.fans.edits import tags_by_fan
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, fan_display_name
from ofcrm_tui.store.types import UTCDateTime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FanSort(StrEnum):
    SPEND = "spend"  # most spent first
    LAST_ACTIVE = "last-active"  # most recently seen first
    SUBSCRIBED = "subscribed"  # most recent subscription first
    NAME = "name"  # display name, A to Z (any case)


def _key(sort: FanSort) -> tuple[ColumnElement[Any], bool]:
    """(sort expression, descending)."""
    if sort is FanSort.SPEND:
        return Fan.total_spent_cents, True
    if sort is FanSort.NAME:
        shown = case((Fan.nickname != "", Fan.nickname), (Fan.name != "", Fan.name), else_=Fan.username)
        return func.lower(shown), False
    column = Fan.last_seen_at if sort is FanSort.LAST_ACTIVE else Fan.subscribed_at
    return func.coalesce(column, literal(_EPOCH, UTCDateTime())), True


@dataclass(frozen=True)
class FanRow:
    fan_id: int
    platform_user_id: int | None
    display_name: str  # nickname, else name, else username (raw: shown literally)
    username: str
    subscription_status: str
    total_spent_cents: int
    last_seen_at: datetime | None
    subscribed_at: datetime | None
    last_message_at: datetime | None
    last_message_preview: str
    tags: tuple[str, ...]
    sort_value: Any  # where this row sits in the order: the anchor of the next window


def _scoped(account_id: int, fan_ids: Select[Any] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Fan.account_id == account_id]
    if fan_ids is not None:
        where.append(Fan.id.in_(fan_ids))
    return where


def count_fans(db: Database, account_id: int, fan_ids: Select[Any] | None = None) -> int:
    with db.read() as session:
        query = select(func.count()).select_from(Fan).where(*_scoped(account_id, fan_ids))
        return int(session.scalar(query) or 0)


def fans_window(
    db: Database,
    account_id: int,
    *,
    fan_ids: Select[Any] | None = None,
    sort: FanSort = FanSort.SPEND,
    after: FanRow | None = None,
    limit: int = 100,
) -> list[FanRow]:
    key, descending = _key(sort)
    where = _scoped(account_id, fan_ids)
    if after is not None:
        beyond = key < after.sort_value if descending else key > after.sort_value
        tie = Fan.id < after.fan_id if descending else Fan.id > after.fan_id
        where.append(or_(beyond, and_(key == after.sort_value, tie)))
    order = (key.desc(), Fan.id.desc()) if descending else (key.asc(), Fan.id.asc())
    query = (
        select(Fan.id, Fan.platform_user_id, Fan.nickname, Fan.name, Fan.username,
               Fan.subscription_status, Fan.total_spent_cents, Fan.last_seen_at,
               Fan.subscribed_at, Conversation.last_message_at,
               Conversation.last_message_preview, key.label("sort_value"))
        .outerjoin(Conversation, Conversation.fan_id == Fan.id)
        .where(*where)
        .order_by(*order)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
        tags = tags_by_fan(session, account_id, [r.id for r in rows])
        return [
            FanRow(
                fan_id=r.id, platform_user_id=r.platform_user_id,
                display_name=fan_display_name(r.nickname, r.name, r.username),
                username=r.username, subscription_status=r.subscription_status,
                total_spent_cents=r.total_spent_cents, last_seen_at=r.last_seen_at,
                subscribed_at=r.subscribed_at, last_message_at=r.last_message_at,
                last_message_preview=r.last_message_preview or "",
                tags=tags.get(r.id, ()), sort_value=r.sort_value,
            )
            for r in rows
        ]
