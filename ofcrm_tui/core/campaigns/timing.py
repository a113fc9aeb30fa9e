"""How long campaign messages take to send: each running campaign's ETA (its rows wait
behind those of the campaigns started before it) and a new campaign's send time, now
or at a later start (behind what is expected still queued then).

Campaign rows go at the rate the send policy leaves them (the limit less the reply
reserve: ``outbox.limiter.sends_take``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.segment import Segment, recipient_counts
from ofcrm_tui.core.outbox.limiter import sends_take, sends_within
from ofcrm_tui.core.outbox.rules import ACTIVE_STATES
from ofcrm_tui.core.wording import counted
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind
from ofcrm_tui.store.models import Account, Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow


def send_duration(rows: int, limit: int, reply_reserve: int, *, ahead: int = 0) -> timedelta:
    """How long ``rows`` campaign messages take at the rate campaigns get, behind
    ``ahead`` campaign messages queued before them (sent first)."""
    if not rows:
        return timedelta(0)
    return sends_take(ahead + rows, OutboundKind.CAMPAIGN, limit, reply_reserve)


@dataclass(frozen=True)
class SendTime:
    """How long a new campaign's messages take to send: ``takes``, behind the ``ahead``
    campaign messages still queued when it starts, at ``limit`` a minute; ``scheduled``:
    it starts later, and ``ahead`` is what is expected to be left then."""

    takes: timedelta
    ahead: int
    limit: int
    scheduled: bool = False

    def ahead_text(self) -> str:
        """``after 120 campaign messages queued ahead``, ``after ~40 campaign messages
        still queued at its start`` (empty when none are)."""
        if not self.ahead:
            return ""
        if self.scheduled:
            return f"after ~{counted(self.ahead, 'campaign message')} still queued at its start"
        return f"after {counted(self.ahead, 'campaign message')} queued ahead"


def send_time(db: Database, account_id: int, rows: int, reply_reserve: int, *,
              at: datetime | None = None, now: datetime | None = None,
              campaign_id: int | None = None) -> SendTime:
    """The send time of ``rows`` campaign messages launched now (``at`` None): they wait
    behind every running campaign's rows still to go (as ``CampaignRow.eta`` counts
    them). Launched at ``at``: behind those expected still to go by then
    (``_queued_at``); ``campaign_id``, the campaign estimated when it is saved already,
    is not ahead of itself. One unit of work; the campaign composer asks on every change
    of its start time."""
    now = now or utcnow()
    with db.read() as session:
        limit = session.scalar(
            select(Account.send_limit_per_minute).where(Account.id == account_id))
        if limit is None:
            raise CampaignError(f"no account #{account_id}")
        ahead = sum(number for _, number in waiting(session, account_id))
        if at is not None:
            joining = _joining(session, db, account_id, at, campaign_id, now)
            ahead = _queued_at(ahead, joining, limit, reply_reserve, now=now, at=at)
    return SendTime(send_duration(rows, limit, reply_reserve, ahead=ahead), ahead, limit,
                    scheduled=at is not None)


def _joining(session: Session, db: Database, account_id: int, at: datetime,
             leave_out: int | None, now: datetime) -> list[tuple[datetime, int]]:
    """The start and rows of each campaign scheduled to start by ``at`` (but
    ``leave_out``), in the order they start (``schedule.due``'s): its segment counted
    at its start over the fans as they are now, all in one statement (``recipient_counts``:
    nothing is frozen before a start). One due already starts with the next drain; one
    that cannot start queues none (it goes back to draft)."""
    starts: list[datetime] = []
    segments: list[tuple[Segment, datetime]] = []
    for start, stored in session.execute(
        select(Campaign.scheduled_at, Campaign.segment)
        .where(
            Campaign.account_id == account_id,
            Campaign.status == CampaignStatus.SCHEDULED,
            Campaign.scheduled_at <= at,
            *([Campaign.id != leave_out] if leave_out is not None else []),
        )
        .order_by(Campaign.scheduled_at, Campaign.id)
    ):
        start = max(start, now)
        try:
            segments.append((Segment.from_json(stored or {}), start))
        except CampaignError:
            continue
        starts.append(start)
    return list(zip(starts, recipient_counts(session, db, account_id, segments), strict=True))


def _queued_at(queued: int, joining: list[tuple[datetime, int]], limit: int,
               reply_reserve: int, *, now: datetime, at: datetime) -> int:
    """The campaign messages expected still to go at ``at``: the ``queued`` now drain at
    the rate campaigns get, and the ``joining`` (start, rows) join as they start."""
    since = now
    for start, number in [*joining, (at, 0)]:
        sent = sends_within(start - since, OutboundKind.CAMPAIGN, limit, reply_reserve)
        queued, since = max(queued - sent, 0) + number, start
    return queued


def duration_text(span: timedelta) -> str:
    """``7 min``, ``2 h 05 min``: how long a campaign takes, as the CLI and app say it."""
    minutes = math.ceil(span.total_seconds() / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def etas(session: Session, account_id: int, reply_reserve: int, now: datetime) -> dict[int, datetime]:
    """When each running campaign should be done: its rows wait behind those of the
    campaigns started before it."""
    limit = session.scalar(select(Account.send_limit_per_minute).where(Account.id == account_id))
    if limit is None:
        return {}
    done, ahead = {}, 0
    for campaign_id, number in waiting(session, account_id):
        done[campaign_id] = now + send_duration(number, limit, reply_reserve, ahead=ahead)
        ahead += number
    return done


def waiting(session: Session, account_id: int) -> list[tuple[int, int]]:
    """Each running campaign's rows still to send, in the order they go (by start)."""
    return [tuple(row) for row in session.execute(
        select(Campaign.id, func.count(OutboundMessage.id))
        .join(OutboundMessage, OutboundMessage.campaign_id == Campaign.id)
        .where(
            Campaign.account_id == account_id,
            Campaign.status == CampaignStatus.RUNNING,
            OutboundMessage.state.in_([str(state) for state in ACTIVE_STATES]),
        )
        .group_by(Campaign.id, Campaign.started_at)
        .order_by(Campaign.started_at, Campaign.id)
    )]
