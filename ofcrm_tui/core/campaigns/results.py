"""What a campaign did: progress (sent, discarded, failed, waiting), purchases and
revenue, an ETA; and its recipients with their states. Read models for the screen and
the CLI.

Progress accounts for every recipient: a row not sent is cancelled (the whole campaign
cancelled, or the one message discarded from Failed messages), and a recipient deleted
with their messages since the start leaves no row at all.

Bought: a campaign row was sent as platform message ``platform_message_id``; the synced
message of that id has ``is_opened`` once the fan bought it. Revenue is the price of the
bought messages, in cents. The ETA assumes campaign rows go at the rate the send policy
leaves them (the limit less the reply reserve) after the rows of campaigns started
earlier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.segment import Segment
from ofcrm_tui.core.campaigns.segment import count as count_segment
from ofcrm_tui.core.outbox.limiter import sends_take, sends_within
from ofcrm_tui.core.outbox.rules import (
    ACTIVE_STATES,
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
    shown_state,
)
from ofcrm_tui.core.wording import counted
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind, OutboundState
from ofcrm_tui.store.models import Account, Campaign, Fan, Message, OutboundMessage, fan_display_name
from ofcrm_tui.store.types import utcnow

_WAITING = (*ACTIVE_STATES, OutboundState.PAUSED)


@dataclass(frozen=True)
class CampaignRow:
    id: int
    name: str
    status: CampaignStatus
    text: str
    price_cents: int
    media_count: int
    created_at: datetime
    scheduled_at: datetime | None
    started_at: datetime | None
    recipients: int
    launch_error: str | None
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # queued, being sent, unsettled or paused
    cancelled: int = 0  # with the campaign, or discarded one by one
    deleted: int = 0  # recipients deleted since the start (their rows went with them)
    bought: int = 0
    revenue_cents: int = 0
    eta: datetime | None = None  # when the last waiting row should be sent

    @property
    def conversion(self) -> float | None:
        """Bought per sent, for a priced campaign that sent something."""
        return self.bought / self.sent if self.price_cents and self.sent else None

    @property
    def started(self) -> bool:
        """Its recipients were frozen and queued. Before that (a draft, a scheduled
        campaign not yet due, one cancelled before it started) it has no progress and
        no results: none can exist yet."""
        return self.started_at is not None


def progress_parts(row: CampaignRow) -> list[str]:
    """Progress and results as the app and the command line say them: sent of all the
    recipients, those not sent (discarded, or cancelled with the campaign; deleted),
    failed, waiting and, when priced, bought (conversion) and revenue; none before it
    started."""
    return delivery_parts(row) + result_parts(row)


def delivery_parts(row: CampaignRow) -> list[str]:
    """The progress alone: sent of all, not sent, failed, waiting."""
    if not row.started:
        return []
    parts = [f"sent {row.sent:,} of {row.recipients:,}"]
    if row.cancelled:
        verb = shown_state(OutboundState.CANCELLED,
                           campaign_cancelled=row.status == CampaignStatus.CANCELLED)
        parts.append(f"{verb} {row.cancelled:,}")
    if row.deleted:
        parts.append(f"fans deleted {row.deleted:,}")
    return parts + [f"failed {row.failed:,}", f"waiting {row.waiting:,}"]


def result_parts(row: CampaignRow) -> list[str]:
    """The results alone: bought (conversion) and revenue, of a priced campaign."""
    if not row.started or not row.price_cents:
        return []
    rate = f" ({row.conversion:.0%})" if row.conversion is not None else ""
    return [f"bought {row.bought:,}{rate}", f"revenue {format_cents(row.revenue_cents)}"]


@dataclass(frozen=True)
class RecipientRow:
    outbound_id: int
    fan_id: int
    username: str
    display_name: str
    state: OutboundState
    shown_state: str  # the state as people read it (``outbox.rules.shown_state``)
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    bought: bool


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
    is not ahead of itself."""
    now = now or utcnow()
    with db.read() as session:
        limit = session.scalar(
            select(Account.send_limit_per_minute).where(Account.id == account_id))
        if limit is None:
            raise CampaignError(f"no account #{account_id}")
        ahead = sum(number for _, number in _waiting(session, account_id))
        before = [] if at is None else _scheduled_before(session, account_id, at, campaign_id)
    if at is not None:
        joining = [(max(start, now), _recipients_at(db, account_id, segment, max(start, now)))
                   for start, segment in before]  # one due already starts with the next drain
        ahead = _queued_at(ahead, joining, limit, reply_reserve, now=now, at=at)
    return SendTime(send_duration(rows, limit, reply_reserve, ahead=ahead), ahead, limit,
                    scheduled=at is not None)


def _scheduled_before(session: Session, account_id: int, at: datetime,
                      leave_out: int | None) -> list[tuple[datetime, dict[str, Any]]]:
    """The start and segment of each campaign scheduled to start by ``at``, in the order
    they start (``schedule.due``'s), but ``leave_out``."""
    return [(start, segment) for start, segment in session.execute(
        select(Campaign.scheduled_at, Campaign.segment)
        .where(
            Campaign.account_id == account_id,
            Campaign.status == CampaignStatus.SCHEDULED,
            Campaign.scheduled_at <= at,
            *([Campaign.id != leave_out] if leave_out is not None else []),
        )
        .order_by(Campaign.scheduled_at, Campaign.id)
    )]


def _recipients_at(db: Database, account_id: int, segment: dict[str, Any],
                   start: datetime) -> int:
    """How many a scheduled campaign queues as it starts: its segment at ``start`` over
    the fans as they are now (one that cannot start queues none: it goes back to draft)."""
    try:
        return count_segment(db, account_id, Segment.from_json(segment or {}), start).recipients
    except CampaignError:
        return 0


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


def account_limit(db: Database, account_id: int) -> int:
    with db.read() as session:
        limit = session.scalar(
            select(Account.send_limit_per_minute).where(Account.id == account_id)
        )
    if limit is None:
        raise CampaignError(f"no account #{account_id}")
    return int(limit)


def count_campaigns(db: Database, account_id: int) -> int:
    with db.read() as session:
        return _count_campaigns(session, account_id)


def campaign_position(db: Database, account_id: int, campaign_id: int) -> int | None:
    """Where the campaign stands in ``campaigns`` (newest first); None: not the account's."""
    with db.read() as session:
        if session.scalar(select(Campaign.id).where(
                Campaign.id == campaign_id, Campaign.account_id == account_id)) is None:
            return None
        return _count_campaigns(session, account_id, Campaign.id > campaign_id)


def _count_campaigns(session: Session, account_id: int, *where: Any) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Campaign)
            .where(Campaign.account_id == account_id, *where)
        )
        or 0
    )


def campaigns(
    db: Database,
    account_id: int,
    *,
    offset: int = 0,
    limit: int = 100,
    reply_reserve: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
    now: datetime | None = None,
) -> list[CampaignRow]:
    """A window of the account's campaigns, newest first, with their progress."""
    now = now or utcnow()
    with db.read() as session:
        found = list(
            session.scalars(
                select(Campaign)
                .where(Campaign.account_id == account_id)
                .order_by(Campaign.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        return _rows(session, account_id, found, reply_reserve, now)


def campaign(
    db: Database,
    account_id: int,
    campaign_id: int,
    *,
    reply_reserve: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
    now: datetime | None = None,
) -> CampaignRow:
    with db.read() as session:
        found = session.scalar(
            select(Campaign).where(Campaign.id == campaign_id, Campaign.account_id == account_id)
        )
        if found is None:
            raise CampaignError(f"no campaign #{campaign_id} in this account")
        return _rows(session, account_id, [found], reply_reserve, now or utcnow())[0]


def _rows(
    session: Session,
    account_id: int,
    found: list[Campaign],
    reply_reserve: int,
    now: datetime,
) -> list[CampaignRow]:
    ids = [c.id for c in found]
    states: dict[int, dict[str, int]] = {i: {} for i in ids}
    bought: dict[int, tuple[int, int]] = {}
    if ids:
        for campaign_id, state, number in session.execute(
            select(OutboundMessage.campaign_id, OutboundMessage.state, func.count())
            .where(OutboundMessage.account_id == account_id, OutboundMessage.campaign_id.in_(ids))
            .group_by(OutboundMessage.campaign_id, OutboundMessage.state)
        ):
            states[campaign_id][state] = number
        for campaign_id, number, revenue in session.execute(
            select(OutboundMessage.campaign_id, func.count(), func.sum(Message.price_cents))
            .join(Message, _sent_as(Message))
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.campaign_id.in_(ids),
                OutboundMessage.state == OutboundState.SENT,
                OutboundMessage.price_cents > 0,
                Message.is_opened.is_(True),
            )
            .group_by(OutboundMessage.campaign_id)
        ):
            bought[campaign_id] = (int(number), int(revenue or 0))
    etas = _etas(session, account_id, reply_reserve, now)
    rows = []
    for c in found:
        counts = states[c.id]
        rows.append(CampaignRow(
            id=c.id, name=c.name, status=CampaignStatus(c.status), text=c.text,
            price_cents=c.price_cents, media_count=len(c.media_ids or ()),
            created_at=c.created_at, scheduled_at=c.scheduled_at, started_at=c.started_at,
            recipients=c.recipients, launch_error=c.launch_error,
            sent=counts.get(OutboundState.SENT, 0),
            failed=counts.get(OutboundState.FAILED, 0),
            waiting=sum(counts.get(state, 0) for state in _WAITING),
            cancelled=counts.get(OutboundState.CANCELLED, 0),
            deleted=max(c.recipients - sum(counts.values()), 0),
            bought=bought.get(c.id, (0, 0))[0],
            revenue_cents=bought.get(c.id, (0, 0))[1],
            eta=etas.get(c.id),
        ))
    return rows


def _sent_as(message: Any) -> Any:
    """The synced message a sent campaign row became."""
    return and_(
        message.account_id == OutboundMessage.account_id,
        message.platform_message_id == OutboundMessage.platform_message_id,
    )


def _etas(session: Session, account_id: int, reply_reserve: int, now: datetime) -> dict[int, datetime]:
    """When each running campaign should be done: its rows wait behind those of the
    campaigns started before it."""
    limit = session.scalar(select(Account.send_limit_per_minute).where(Account.id == account_id))
    if limit is None:
        return {}
    etas, ahead = {}, 0
    for campaign_id, number in _waiting(session, account_id):
        etas[campaign_id] = now + send_duration(number, limit, reply_reserve, ahead=ahead)
        ahead += number
    return etas


def _waiting(session: Session, account_id: int) -> list[tuple[int, int]]:
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


def count_recipients(db: Database, account_id: int, campaign_id: int) -> int:
    with db.read() as session:
        return _count_rows(session, account_id, campaign_id)


def recipient_rows(
    db: Database,
    account_id: int,
    campaign_id: int,
    *,
    after_id: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[RecipientRow]:
    """A window of the campaign's rows in queue order (keyset after ``after_id`` when
    given, else ``offset``)."""
    query = (
        select(
            OutboundMessage.id, OutboundMessage.fan_id, Fan.username, Fan.nickname, Fan.name,
            OutboundMessage.state, OutboundMessage.attempts, OutboundMessage.last_error,
            OutboundMessage.sent_at,
            case((Message.is_opened.is_(True) & (OutboundMessage.price_cents > 0), True),
                 else_=False),
            Campaign.status,
        )
        .join(Fan, Fan.id == OutboundMessage.fan_id)
        .join(Campaign, Campaign.id == OutboundMessage.campaign_id)
        .outerjoin(Message, _sent_as(Message))
        .where(OutboundMessage.account_id == account_id, OutboundMessage.campaign_id == campaign_id)
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    query = query.where(OutboundMessage.id > after_id) if after_id is not None else query.offset(offset)
    with db.read() as session:
        return [
            RecipientRow(
                outbound_id=row[0], fan_id=row[1], username=row[2],
                display_name=fan_display_name(row[3], row[4], row[2]),
                state=OutboundState(row[5]),
                shown_state=shown_state(OutboundState(row[5]),
                                        campaign_cancelled=row[10] == CampaignStatus.CANCELLED),
                attempts=row[6], last_error=row[7],
                sent_at=row[8], bought=bool(row[9]),
            )
            for row in session.execute(query)
        ]


def recipient_position(db: Database, account_id: int, campaign_id: int, outbound_id: int) -> int | None:
    with db.read() as session:
        exists_ = session.scalar(
            select(OutboundMessage.id).where(
                OutboundMessage.id == outbound_id,
                OutboundMessage.account_id == account_id,
                OutboundMessage.campaign_id == campaign_id,
            )
        )
        if exists_ is None:
            return None
        return _count_rows(session, account_id, campaign_id, OutboundMessage.id < outbound_id)


def _count_rows(session: Session, account_id: int, campaign_id: int, *where: Any) -> int:
    """How many of the campaign's queued rows there are (that meet ``where``)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.campaign_id == campaign_id,
                *where,
            )
        )
        or 0
    )
