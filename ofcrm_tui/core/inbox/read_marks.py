"""Chats read in an app without the platform key (team mode): a worker marks them read
on the platform at its next poll of the account, so the platform's unread count, which
every poll follows, does not bring them back as unread."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import ReadMark
from ofcrm_tui.store.upsert import upsert

# Marks carried to the platform per poll at most (each is one request).
PER_POLL = 20


def queue_read_mark(session: Session, account_id: int, platform_user_id: int,
                    now: datetime) -> None:
    """In ``session``: a worker is to mark the fan's chat read on the platform."""
    upsert(session, ReadMark,
           [{"account_id": account_id, "platform_user_id": platform_user_id,
             "requested_at": now}],
           key=("account_id", "platform_user_id"), update=("requested_at",))


def pending_read_marks(db: Database, account_id: int, limit: int = PER_POLL) -> list[int]:
    """The fans (platform user ids) whose chats wait to be marked read, oldest first."""
    with db.read() as session:
        return list(session.scalars(
            select(ReadMark.platform_user_id)
            .where(ReadMark.account_id == account_id)
            .order_by(ReadMark.requested_at)
            .limit(limit)
        ))


def read_marks_done(db: Database, account_id: int, platform_user_ids: Collection[int]) -> None:
    if not platform_user_ids:
        return
    with db.write() as session:
        session.execute(delete(ReadMark).where(
            ReadMark.account_id == account_id,
            ReadMark.platform_user_id.in_(list(platform_user_ids)),
        ))
