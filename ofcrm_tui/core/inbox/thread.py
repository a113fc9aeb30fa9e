"""A conversation's thread: pages of stored messages, the sends still pending, marking it
read (or unread again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal, select, update

from ofcrm_tui.core.inbox.filter import InboxError
from ofcrm_tui.core.inbox.read_marks import queue_read_mark
from ofcrm_tui.core.outbox import PENDING_STATES
from ofcrm_tui.core.outbox.limiter import sends_take
from ofcrm_tui.core.outbox.rules import DEFAULT_REPLY_RESERVE_PER_MINUTE, queued_ahead
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import Account, Conversation, Fan, Message, OutboundMessage
from ofcrm_tui.store.probe import ProbeOnly
from ofcrm_tui.store.types import utcnow

_C = Conversation.__table__.c


@dataclass(frozen=True)
class ThreadMessage:
    message_id: int | None  # local id; None for an outbound row not yet sent
    platform_message_id: int | None
    outbound_id: int | None  # the queue row, for queued/sending/unknown/failed ones
    direction: str  # "in" / "out"
    text: str
    created_at: datetime
    price_cents: int
    is_opened: bool  # PPV bought
    is_tip: bool
    tip_cents: int
    media_count: int
    state: str  # "sent" for stored messages, else the outbound state
    sent_by: str | None
    last_error: str | None
    due_at: datetime | None = None  # a queue row's next attempt (not before then)
    # A queued row's wait after the queue's next send: the rows the claim takes first.
    queue_wait: timedelta = timedelta(0)


def thread_page(
    db: Database,
    account_id: int,
    conversation_id: int,
    *,
    before_platform_id: int | None = None,
    limit: int = 50,
) -> list[ThreadMessage]:
    """Up to ``limit`` stored messages, newest first, older than ``before_platform_id``."""
    if limit <= 0:
        return []
    m = Message.__table__.c
    statement = (
        select(
            m.id,
            m.platform_message_id,
            m.direction,
            m.text,
            m.created_at,
            m.price_cents,
            m.is_opened,
            m.is_tip,
            m.tip_cents,
            m.media_count,
            m.sent_by,
        )
        .where(m.account_id == account_id, m.conversation_id == conversation_id)
        .order_by(m.platform_message_id.desc())
        .limit(limit)
    )
    if before_platform_id is not None:
        statement = statement.where(m.platform_message_id < before_platform_id)
    with db.read() as session:
        rows = session.execute(statement).all()
    return [
        ThreadMessage(
            message_id=row.id,
            platform_message_id=row.platform_message_id,
            outbound_id=None,
            direction=row.direction,
            text=row.text,
            created_at=row.created_at,
            price_cents=row.price_cents,
            is_opened=bool(row.is_opened),
            is_tip=bool(row.is_tip),
            tip_cents=row.tip_cents,
            media_count=row.media_count,
            state=OutboundState.SENT.value,
            sent_by=row.sent_by,
            last_error=None,
        )
        for row in rows
    ]


def pending_in_thread(
    db: Database,
    account_id: int,
    conversation_id: int,
    *,
    reply_reserve: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
) -> list[ThreadMessage]:
    """Outbound rows for this fan not sent yet (queued, sending, unknown, failed, paused),
    newest first like ``thread_page``. A queued row's ``queue_wait`` counts the account's
    queued rows that go before it (replies before campaign rows), at the rate its kind
    gets under the limit and ``reply_reserve``; one statement for them all."""
    o = OutboundMessage.__table__.c
    fan = (
        select(_C.fan_id)
        .where(_C.id == conversation_id, _C.account_id == account_id)
        .scalar_subquery()
    )
    statement = (
        select(
            o.id,
            o.text,
            o.price_cents,
            o.media_ids,
            o.state,
            o.created_at,
            o.created_by,
            o.last_error,
            o.next_attempt_at,
            o.kind,
            case((o.state == OutboundState.QUEUED, queued_ahead(account_id)), else_=0).label("ahead"),
            select(Account.send_limit_per_minute).where(Account.id == account_id)
            .scalar_subquery().label("limit"),
        )
        .where(
            # The fan's rows are few; the account's queue (a campaign) may be huge.
            o.fan_id == fan,
            ProbeOnly(o.account_id) == account_id,
            ProbeOnly(o.state).in_([state.value for state in PENDING_STATES]),
        )
        .order_by(o.created_at.desc(), o.id.desc())
    )
    with db.read() as session:
        rows = session.execute(statement).all()
    return [
        ThreadMessage(
            message_id=None,
            platform_message_id=None,
            outbound_id=row.id,
            direction="out",
            text=row.text,
            created_at=row.created_at,
            price_cents=row.price_cents,
            is_opened=False,
            is_tip=False,
            tip_cents=0,
            media_count=len(row.media_ids or ()),
            state=row.state,
            sent_by=row.created_by,
            last_error=row.last_error,
            due_at=row.next_attempt_at,
            queue_wait=sends_take(row.ahead, row.kind, row.limit, reply_reserve),
        )
        for row in rows
    ]


def mark_read_locally(
    db: Database, account_id: int, conversation_id: int, *, for_workers: bool = False
) -> int:
    """Zero the unread count here; returns the fan's platform user id for the platform
    call. ``for_workers``: the app has no platform key (team mode), a worker marks the
    chat read on the platform instead."""
    with db.write() as session:
        found = session.execute(
            select(Fan.platform_user_id)
            .join(Conversation, Conversation.fan_id == Fan.id)
            .where(
                Conversation.id == conversation_id,
                Conversation.account_id == account_id,
                Fan.account_id == account_id,
            )
        ).first()
        if found is None:
            raise InboxError(f"no conversation #{conversation_id} in this account")
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.account_id == account_id)
            .values(
                unread_count=0,
                last_read_platform_message_id=Conversation.last_platform_message_id,
                marked_unread_at=None,
            )
        )
        if for_workers and found[0] is not None:
            queue_read_mark(session, account_id, int(found[0]), utcnow())
        return int(found[0])


def mark_unread_locally(db: Database, account_id: int, conversation_id: int) -> int:
    """Show a read conversation as unread again (one unread message; one with unread
    messages keeps its count), and return its unread count. Here only: the platform has
    no way to mark a chat unread: the sync keeps the mark (``unread_kept``) until the
    conversation is read here."""
    unread = Conversation.unread_count
    mine = (Conversation.id == conversation_id, Conversation.account_id == account_id)
    with db.write() as session:
        session.execute(
            update(Conversation).where(*mine).values(
                unread_count=case((unread > 0, unread), else_=1), marked_unread_at=utcnow())
        )
        count = session.scalar(select(unread).where(*mine))
        if count is None:
            raise InboxError(f"no conversation #{conversation_id} in this account")
        return int(count)


def unread_kept(offered: Any) -> ColumnElement[int]:
    """The unread count to store for the platform's ``offered`` one (a number, or SQL such
    as an upsert's ``excluded`` column): one at least while the conversation is marked
    unread here, which the platform does not know of."""
    count = literal(offered) if isinstance(offered, int) else offered
    return case((and_(Conversation.marked_unread_at.is_not(None), count < 1), 1), else_=count)
