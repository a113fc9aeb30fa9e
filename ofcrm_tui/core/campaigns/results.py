"""What a campaign did: progress (sent, discarded, failed, waiting), purchases and
revenue, an ETA; and its recipients with their states. Read models for the screen and
the CLI.

Progress accounts for every recipient: a row not sent is cancelled (the whole campaign
cancelled, or the one message discarded from Failed messages), and a recipient deleted
with their messages since the start leaves no row at all.

Bought: a campaign row was sent as platform message ``platform_message_id``; the synced
message of that id has ``is_opened`` once the fan bought it. Revenue is the price of the
bought messages, in cents. The ETA is ``timing.etas``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.spec import offer_parts
from ofcrm_tui.core.campaigns.timing import etas
from ofcrm_tui.core.outbox.rules import (
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
    WAITING_STATES,
    shown_state,
)
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundState
from ofcrm_tui.store.models import Campaign, Fan, Message, OutboundMessage, fan_display_name
from ofcrm_tui.store.types import utcnow


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
    def offer(self) -> list[str]:
        """Its price and media (``$9.99 PPV``, ``2 media``); none for a free text."""
        return offer_parts(self.price_cents, self.media_count)

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
    done_at = etas(session, account_id, reply_reserve, now)
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
            waiting=sum(counts.get(state, 0) for state in WAITING_STATES),
            cancelled=counts.get(OutboundState.CANCELLED, 0),
            deleted=max(c.recipients - sum(counts.values()), 0),
            bought=bought.get(c.id, (0, 0))[0],
            revenue_cents=bought.get(c.id, (0, 0))[1],
            eta=done_at.get(c.id),
        ))
    return rows


def _sent_as(message: Any) -> Any:
    """The synced message a sent campaign row became."""
    return and_(
        message.account_id == OutboundMessage.account_id,
        message.platform_message_id == OutboundMessage.platform_message_id,
    )


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
    given, else ``offset``). The campaign's status (how a cancelled row reads) is read
    once for the window, not joined to each row."""
    query = (
        select(
            OutboundMessage.id, OutboundMessage.fan_id, Fan.username, Fan.nickname, Fan.name,
            OutboundMessage.state, OutboundMessage.attempts, OutboundMessage.last_error,
            OutboundMessage.sent_at,
            case((Message.is_opened.is_(True) & (OutboundMessage.price_cents > 0), True),
                 else_=False),
        )
        .join(Fan, Fan.id == OutboundMessage.fan_id)
        .outerjoin(Message, _sent_as(Message))
        .where(OutboundMessage.account_id == account_id, OutboundMessage.campaign_id == campaign_id)
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    query = query.where(OutboundMessage.id > after_id) if after_id is not None else query.offset(offset)
    with db.read() as session:
        status = session.scalar(select(Campaign.status).where(
            Campaign.id == campaign_id, Campaign.account_id == account_id))
        if status is None:
            return []
        cancelled = status == CampaignStatus.CANCELLED
        return [
            RecipientRow(
                outbound_id=row[0], fan_id=row[1], username=row[2],
                display_name=fan_display_name(row[3], row[4], row[2]),
                state=OutboundState(row[5]),
                shown_state=shown_state(OutboundState(row[5]), campaign_cancelled=cancelled),
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
