"""The team at a glance (``ofcrm chatters``): who is online now, on which conversation,
and how many messages each chatter queued since the start of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ofcrm_tui.core.team.presence import Online, online
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.models import OutboundMessage


@dataclass(frozen=True)
class ChatterDay:
    chatter: str
    online: Online | None  # None: no app of theirs is open
    # Replies and messages they queued since the day began (campaigns aside), sent or on
    # their way: not those cancelled or failed (a failed one counts once retried and sent).
    sends: int


def team_day(
    db: Database, account_id: int, *, now: datetime, day_start: datetime, expiry_seconds: float
) -> list[ChatterDay]:
    """Everyone online or who sent today: online first, then by sends."""
    here = {person.chatter: person for person in online(
        db, account_id, now=now, expiry_seconds=expiry_seconds)}
    o = OutboundMessage
    with db.read() as session:
        sends: dict[str, int] = {name: count for name, count in session.execute(
            select(o.created_by, func.count())
            .where(
                o.account_id == account_id,
                o.created_at >= day_start,
                o.kind != OutboundKind.CAMPAIGN,
                o.state.not_in((OutboundState.CANCELLED, OutboundState.FAILED)),
            )
            .group_by(o.created_by)
        )}
    days = [ChatterDay(name, here.get(name), int(sends.get(name, 0)))
            for name in set(here) | set(sends)]
    return sorted(days, key=lambda d: (d.online is None, -d.sends, d.chatter.casefold()))
