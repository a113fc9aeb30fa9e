"""What other processes wrote to an account since the app last looked.

An app hears what its own background jobs do (``jobs.events``). What a worker process
(team mode), ``ofcrm simulate`` or another app writes to the same database it learns
by looking, at every status read (``look``): the messages of the last ``WINDOW``
before the newest one seen (one range of ``ix_messages_account_created``), the newest
transaction (one probe of ``ix_transactions_account_created``), and the account's
outbound rows per state, which the status counts anyway. A window rather than the
newest id alone: a poll's transaction that commits after a drain's may hold messages
older than the drain's, and must not go unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import Direction
from ofcrm_tui.store.models import Fan, Message, Transaction, fan_display_name

# Longer than any transaction that writes messages may take to commit.
WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Mark:
    """Where an account stood at one look."""

    newest_at: datetime | None  # the newest message's time
    recent: frozenset[int]  # the messages within ``WINDOW`` of it
    paid_at: datetime | None  # the newest transaction's time
    queue: tuple[tuple[str, int], ...]  # outbound rows per state


@dataclass(frozen=True)
class Moves:
    """What changed between two looks."""

    messages: bool  # messages came: conversations' order, previews, unread counts
    sent: bool  # some of them were sent to fans
    queue: bool  # outbound rows came, went or changed state
    paid: bool  # transactions came
    inbound: tuple[NewInbound, ...]  # the fans' new messages, oldest first

    def __bool__(self) -> bool:
        return self.messages or self.queue or self.paid


def look(
    db: Database, account_id: int, before: Mark | None, queue: Mapping[str, int]
) -> tuple[Mark, Moves | None]:
    """The account's mark now, and what moved since ``before`` (None on a first look:
    it only sets where to look from). ``queue``: outbound rows per state, as read."""
    with db.read() as session:
        since = before.newest_at if before is not None else _newest_at(session, account_id)
        rows = [] if since is None else session.execute(
            select(Message.id, Message.created_at, Message.direction).where(
                Message.account_id == account_id, Message.created_at >= since - WINDOW)
        ).all()
        newest_at = max((row.created_at for row in rows), default=since)
        mark = Mark(
            newest_at,
            frozenset(row.id for row in rows if newest_at - row.created_at <= WINDOW),
            session.scalar(select(func.max(Transaction.created_at))
                           .where(Transaction.account_id == account_id)),
            tuple(sorted(queue.items())),
        )
        if before is None:
            return mark, None
        new = [row for row in rows if row.id not in before.recent]
        inbound = [row.id for row in new if row.direction == Direction.INBOUND]
        return mark, Moves(
            messages=bool(new),
            sent=len(inbound) < len(new),
            queue=mark.queue != before.queue,
            paid=mark.paid_at != before.paid_at,
            inbound=_inbound(session, inbound) if inbound else (),
        )


def _newest_at(session: Session, account_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(Message.created_at)).where(Message.account_id == account_id))


def _inbound(session: Session, ids: list[int]) -> tuple[NewInbound, ...]:
    rows = session.execute(
        select(Message.conversation_id, Message.platform_message_id, Message.text,
               Message.tip_cents, Message.media_count, Fan.nickname, Fan.name, Fan.username)
        .join(Fan, Fan.id == Message.fan_id)
        .where(Message.id.in_(ids))
        .order_by(Message.created_at, Message.id)
    )
    return tuple(
        NewInbound(row.conversation_id, fan_display_name(row.nickname, row.name, row.username),
                   row.text, row.tip_cents, row.media_count, row.platform_message_id)
        for row in rows
    )
