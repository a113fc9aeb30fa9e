"""The audit trail of sensitive actions: exports, imports, deletes, campaign launches,
team changes, notes changed or deleted by another than their author. Who (the database role that logged in), when (the database's clock),
which account, how many rows.

Written by the database's ``ofcrm_audit`` (the paths call ``record`` in the unit of
work of the action, so it is written exactly when the action commits) and by a
trigger on deleted fans; read by managers only (no team role may read or change it).
A team database's trail: SQLite (one person) keeps none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import AuditAction
from ofcrm_tui.store.models import Account, AuditEvent
from ofcrm_tui.store.types import UTCDateTime


def record(
    session: Session,
    action: AuditAction,
    account_id: int | None,
    rows: int | None = None,
    detail: str = "",
) -> None:
    """One line of the trail, in ``session``'s transaction (nothing on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        select(func.ofcrm_audit(action.value, account_id, rows, detail[:500]))
    )


@dataclass(frozen=True)
class AuditSpan:
    """The events listed: since a time (None: all), of one account (None: all, team
    changes included)."""

    since: datetime | None = None
    account_id: int | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    account_id: int | None
    account_name: str | None  # None: no account, or one removed since
    rows: int | None
    detail: str


_ORDER = (AuditEvent.at.desc(), AuditEvent.id.desc())


def _select(span: AuditSpan, *columns: object) -> Select:
    query = select(*columns).select_from(AuditEvent)
    if span.since is not None:
        query = query.where(AuditEvent.at >= span.since)
    if span.account_id is not None:
        query = query.where(AuditEvent.account_id == span.account_id)
    return query


def _after(at: datetime, event_id: int) -> ColumnElement[bool]:
    """Events after ``(at, id)`` in newest-first order (the keyset condition)."""
    return tuple_(AuditEvent.at, AuditEvent.id) < tuple_(literal(at, UTCDateTime()),
                                                         literal(event_id))


def audit_window(
    db: Database, span: AuditSpan, offset: int, limit: int, anchor: AuditRow | None = None
) -> list[AuditRow]:
    """``limit`` events from ``offset``, newest first; after ``anchor`` (the row before
    ``offset``) by keyset when given."""
    query = (
        _select(span, AuditEvent, Account.name)
        .outerjoin(Account, Account.id == AuditEvent.account_id)
        .order_by(*_ORDER)
        .limit(limit)
    )
    query = query.where(_after(anchor.at, anchor.id)) if anchor else query.offset(offset)
    with db.read() as session:
        return [
            AuditRow(e.id, e.at, e.actor, e.action, e.account_id, name, e.rows, e.detail)
            for e, name in session.execute(query)
        ]


def count_audit(db: Database, span: AuditSpan) -> int:
    with db.read() as session:
        return int(session.scalar(_select(span, func.count())) or 0)


def audit_position(db: Database, span: AuditSpan, event_id: int) -> int | None:
    """The event's index in ``audit_window``'s order; None if the span lists it not."""
    with db.read() as session:
        at = session.scalar(_select(span, AuditEvent.at).where(AuditEvent.id == event_id))
        if at is None:
            return None
        newer = tuple_(AuditEvent.at, AuditEvent.id) > tuple_(literal(at, UTCDateTime()),
                                                               literal(event_id))
        return int(session.scalar(_select(span, func.count()).where(newer)) or 0)
