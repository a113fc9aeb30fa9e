"""Read models of the outbound queue: messages as shown, failed views, the queue's status."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from ofcrm_tui.core import metrics, outage
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outage import Outage
from ofcrm_tui.core.outbox.rules import (
    ACTIVE_STATES,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
    FAN_LABEL_COLUMNS,
    FanLabel,
    NoAccount,
    shown_state,
)
from ofcrm_tui.store.bounds import IN_CHUNK
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind, OutboundState
from ofcrm_tui.store.models import Campaign, Conversation, Fan, OutboundMessage
from ofcrm_tui.store.types import UTCDateTime, utcnow


@dataclass(frozen=True)
class OutboundView:
    """One queued message as the app and the command line show it."""

    id: int
    text: str
    price_cents: int
    media_ids: tuple[int, ...]
    state: OutboundState
    attempts: int  # since it was queued or last retried by hand
    last_error: str | None
    created_at: datetime
    created_by: str
    fan_id: int
    kind: OutboundKind
    preview_ids: tuple[int, ...] = ()
    campaign_id: int | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
    platform_message_id: int | None = None
    fan_username: str = ""
    fan_display_name: str = ""  # nickname, else name, else username (as the inbox shows)
    conversation_id: int | None = None  # the fan's conversation, once there is one
    tries: int = 0  # every attempt, manual retries included


@dataclass(frozen=True)
class QueueStatus:
    """The queue of one account: counts by state, where the send budget stands and when
    the account was last polled (everything the app's status bar shows, read together)."""

    account_id: int
    counts: dict[str, int]
    limit: int
    used: int  # send attempts in the last 60 s, by every process
    budget_left: int  # sends allowed right now
    campaign_budget_left: int  # of which campaign rows may take
    next_send_at: datetime | None  # None: nothing queued
    blocked_until: datetime | None  # a 429 stops sends until then
    auth_error: str | None
    last_poll_at: datetime | None = None  # the last successful poll
    last_poll_failed_at: datetime | None = None
    outage: Outage | None = None  # the platform refuses connections (``core.outage``)

    @property
    def depth(self) -> int:
        return sum(self.counts.get(state, 0) for state in ACTIVE_STATES)

    @property
    def last_poll_ok(self) -> bool:
        """A poll succeeded and none failed since."""
        return self.last_poll_at is not None and (
            self.last_poll_failed_at is None or self.last_poll_at >= self.last_poll_failed_at
        )



def _views(session: Session, query) -> list[OutboundView]:  # noqa: ANN001 - a Select
    rows = session.execute(
        query.join(Fan, Fan.id == OutboundMessage.fan_id)
        .outerjoin(Conversation, Conversation.fan_id == OutboundMessage.fan_id)
        .add_columns(*FAN_LABEL_COLUMNS, Conversation.id.label("conversation_id"))
    )
    views = []
    for row in rows:
        fan = FanLabel.of(row)
        views.append(_view(row[0], fan, row.conversation_id))
    return views


def _view(row: OutboundMessage, fan: FanLabel, conversation_id: int | None) -> OutboundView:
    return OutboundView(
        id=row.id,
        text=row.text,
        price_cents=row.price_cents,
        media_ids=tuple(row.media_ids or ()),
        state=OutboundState(row.state),
        attempts=row.attempts,
        tries=row.tries,
        last_error=row.last_error,
        created_at=row.created_at,
        created_by=row.created_by,
        fan_id=row.fan_id,
        kind=OutboundKind(row.kind),
        preview_ids=tuple(row.preview_ids or ()),
        campaign_id=row.campaign_id,
        max_attempts=row.max_attempts,
        next_attempt_at=row.next_attempt_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        platform_message_id=row.platform_message_id,
        fan_username=fan.username,
        fan_display_name=fan.display_name,
        conversation_id=conversation_id,
    )


def get(db: Database, account_id: int, outbound_id: int) -> OutboundView | None:
    with db.read() as session:
        views = _views(
            session,
            select(OutboundMessage).where(
                OutboundMessage.account_id == account_id, OutboundMessage.id == outbound_id
            ),
        )
    return views[0] if views else None


@dataclass(frozen=True)
class FailedSpan:
    """Messages that failed (``updated_at``) from ``since`` to before ``until`` (None: now)."""

    since: datetime
    until: datetime | None = None

    @classmethod
    def last_days(cls, days: float, now: datetime | None = None) -> FailedSpan:
        return cls((now or utcnow()) - timedelta(days=days))


_FAILED_ORDER = (OutboundMessage.updated_at.desc(), OutboundMessage.id.desc())


def _failed_select(account_id: int, span: FailedSpan | None, *columns: object) -> Select:
    """The account's failed rows (``columns``, default the rows), those of ``span`` when
    given, not yet ordered."""
    query = select(*(columns or (OutboundMessage,))).where(
        OutboundMessage.account_id == account_id,
        OutboundMessage.state == OutboundState.FAILED,
    )
    if span is None:
        return query
    query = query.where(OutboundMessage.updated_at >= span.since)
    return query if span.until is None else query.where(OutboundMessage.updated_at < span.until)


def _after(updated_at: datetime | None, outbound_id: int) -> ColumnElement[bool]:
    """Rows after ``(updated_at, id)`` in newest-first order (the keyset condition)."""
    return tuple_(OutboundMessage.updated_at, OutboundMessage.id) < tuple_(
        literal(updated_at, UTCDateTime()), literal(outbound_id))


def failed(
    db: Database, account_id: int, since_days: float = 7, *, now: datetime | None = None
) -> list[OutboundView]:
    """Messages that failed in the last ``since_days`` days, newest first, reason kept."""
    with db.read() as session:
        span = FailedSpan.last_days(since_days, now)
        return _views(session, _failed_select(account_id, span).order_by(*_FAILED_ORDER))


def failed_window(
    db: Database,
    account_id: int,
    span: FailedSpan,
    offset: int,
    limit: int,
    anchor: OutboundView | None = None,
) -> list[OutboundView]:
    """``limit`` failed messages of ``span`` from ``offset``, newest first; with the row
    before ``offset`` as ``anchor``, read after it (keyset) instead of skipping rows."""
    query = _failed_select(account_id, span).order_by(*_FAILED_ORDER).limit(limit)
    if anchor is not None:
        query = query.where(_after(anchor.updated_at, anchor.id))
    else:
        query = query.offset(offset)
    with db.read() as session:
        return _views(session, query)


def count_failed(db: Database, account_id: int, span: FailedSpan) -> int:
    with db.read() as session:
        return session.scalar(_failed_select(account_id, span, func.count())) or 0


def failed_among(
    db: Database, account_id: int, span: FailedSpan, ids: Iterable[int]
) -> frozenset[int]:
    """Which of ``ids`` are failed messages of ``span`` still (a selection kept over
    reloads: retried or discarded meanwhile, by anyone, they leave it)."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    with db.read() as session:
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start:start + IN_CHUNK]
            found.update(session.scalars(_failed_select(account_id, span, OutboundMessage.id)
                                         .where(OutboundMessage.id.in_(chunk))))
    return frozenset(found)


@dataclass(frozen=True)
class FailedSpread:
    """The account's failed messages: all of them (what a retry of all takes), and how
    many failed before a span, or after it."""

    total: int
    older: int
    newer: int


def failed_spread(db: Database, account_id: int, span: FailedSpan) -> FailedSpread:
    """Every failed message of the account counted, and those outside ``span``, in one
    query."""
    when = OutboundMessage.updated_at
    newer = literal(0) if span.until is None else func.count(case((when >= span.until, 1)))
    query = _failed_select(account_id, None, func.count(),
                           func.count(case((when < span.since, 1))), newer)
    with db.read() as session:
        total, older, after = session.execute(query).one()
    return FailedSpread(total, older, after)


def failed_position(db: Database, account_id: int, span: FailedSpan, outbound_id: int) -> int | None:
    """The message's index in ``failed_window``'s order, or None if the span lists it not."""
    with db.read() as session:
        key = session.execute(
            _failed_select(account_id, span, OutboundMessage.updated_at)
            .where(OutboundMessage.id == outbound_id)
        ).first()
        if key is None:
            return None
        newer = _failed_select(account_id, span, func.count()).where(
            tuple_(OutboundMessage.updated_at, OutboundMessage.id)
            > tuple_(literal(key.updated_at, UTCDateTime()), literal(outbound_id)))
        return session.scalar(newer) or 0


def state_counts(session: Session, account_id: int) -> dict[str, int]:
    """The account's messages by state (every state, in ``OutboundState`` order, 0 when
    none)."""
    counts = {state.value: 0 for state in OutboundState}
    for state, count in session.execute(
        select(OutboundMessage.state, func.count())
        .where(OutboundMessage.account_id == account_id)
        .group_by(OutboundMessage.state)
    ):
        counts[state] = count
    return counts


def shown_counts(session: Session, account_id: int) -> dict[str, int]:
    """``state_counts`` in the words people read (``rules.shown_state``)."""
    by_state = state_counts(session, account_id)
    with_campaign = session.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .join(Campaign, Campaign.id == OutboundMessage.campaign_id)
        .where(
            OutboundMessage.account_id == account_id,
            OutboundMessage.state == OutboundState.CANCELLED,
            Campaign.status == CampaignStatus.CANCELLED,
        )
    ) or 0
    cancelled = OutboundState.CANCELLED
    shown = {state: count for state, count in by_state.items() if state != cancelled.value}
    shown[shown_state(cancelled)] = by_state[cancelled.value] - with_campaign
    shown[shown_state(cancelled, campaign_cancelled=True)] = with_campaign
    return shown


def queue_counts(db: Database, account_id: int) -> dict[str, int]:
    """``shown_counts`` in a unit of work of its own (``ofcrm queue``)."""
    with db.read() as session:
        return shown_counts(session, account_id)


def queue_status(
    db: Database,
    account_id: int,
    *,
    reply_reserve_per_minute: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
    now: datetime | None = None,
) -> QueueStatus:
    now = now or utcnow()
    with db.read() as session:
        policy = limiter.SendPolicy.of_account(
            session, account_id, now, reply_reserve=reply_reserve_per_minute
        )
        if policy is None:
            raise NoAccount(f"no account #{account_id}")
        counts = state_counts(session, account_id)
        used = limiter.attempts_in_window(session, account_id, now)
        return QueueStatus(
            account_id=account_id,
            counts=counts,
            limit=policy.limit,
            used=used,
            budget_left=policy.left(used),
            campaign_budget_left=policy.campaign_left(used),
            next_send_at=limiter.next_send_at(session, account_id, now, policy, used=used),
            blocked_until=policy.blocked_until,
            auth_error=policy.auth_error,
            last_poll_at=metrics.last_recorded(session, account_id, metrics.POLL),
            last_poll_failed_at=metrics.last_recorded(session, account_id, metrics.POLL_FAILED),
            outage=outage.current(session, account_id),
        )


@dataclass(frozen=True)
class CampaignWaiting:
    """A campaign's rows among those waiting, its account, the account's send limit a
    minute, and the rows of the account's campaigns started before it (``ahead``): an
    account's campaigns share its campaign rate, the earlier one's rows going first."""

    name: str
    count: int
    limit: int
    account_id: int
    ahead: int = 0

    def done_in(self, reply_reserve: int) -> timedelta:
        """How long until its last row is sent: its rows behind those ahead of it."""
        return limiter.sends_take(self.ahead + self.count, OutboundKind.CAMPAIGN, self.limit,
                                  reply_reserve)


@dataclass(frozen=True)
class Waiting:
    """What is still to go out for some accounts (asked before the app quits): rows
    queued, sending or unknown, when the next may go (None: none can go on its own),
    whether a platform outage holds them back, and the campaigns' among them (by account,
    in the order they go) with the sends a minute campaigns leave to replies."""

    count: int
    next_send_at: datetime | None
    unreachable: bool = False
    campaigns: tuple[CampaignWaiting, ...] = ()
    reply_reserve: int = DEFAULT_REPLY_RESERVE_PER_MINUTE

    def campaigns_take(self) -> timedelta:
        """How long all the campaigns' rows take: accounts send side by side, so the
        campaign done last (an account's last one is done once all of its are)."""
        return max((campaign.done_in(self.reply_reserve) for campaign in self.campaigns),
                   default=timedelta(0))


def waiting(
    db: Database,
    account_ids: list[int],
    *,
    reply_reserve_per_minute: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
    now: datetime | None = None,
) -> Waiting:
    now = now or utcnow()
    statuses = [
        queue_status(db, account_id, reply_reserve_per_minute=reply_reserve_per_minute, now=now)
        for account_id in account_ids
    ]
    times = [status.next_send_at for status in statuses if status.next_send_at is not None]
    limits = {status.account_id: status.limit for status in statuses}
    return Waiting(
        count=sum(status.depth for status in statuses),
        next_send_at=min(times) if times else None,
        unreachable=any(status.outage is not None for status in statuses),
        campaigns=_campaigns_waiting(db, limits),
        reply_reserve=reply_reserve_per_minute,
    )


def _campaigns_waiting(db: Database, limits: dict[int, int]) -> tuple[CampaignWaiting, ...]:
    """The campaigns with rows still to go out, by account, in the order they go (by
    start, as ``campaigns.timing`` counts their ETAs), each with the rows ahead of it."""
    if not limits:
        return ()
    with db.read() as session:
        found = session.execute(
            select(OutboundMessage.account_id, Campaign.name, func.count())
            .join(Campaign, (Campaign.id == OutboundMessage.campaign_id)
                  & (Campaign.account_id == OutboundMessage.account_id))
            .where(
                OutboundMessage.account_id.in_(list(limits)),
                OutboundMessage.state.in_(ACTIVE_STATES),
            )
            .group_by(OutboundMessage.account_id, Campaign.id, Campaign.name,
                      Campaign.started_at)
            .order_by(OutboundMessage.account_id, Campaign.started_at, Campaign.id)
        ).all()
    shown: list[CampaignWaiting] = []
    ahead: dict[int, int] = {}
    for account_id, name, count in found:
        shown.append(CampaignWaiting(name, count, limits[account_id], account_id,
                                     ahead.get(account_id, 0)))
        ahead[account_id] = ahead.get(account_id, 0) + count
    return tuple(shown)


def record_depth(db: Database, account_id: int) -> None:
    """Record the queue depth (rows queued, sending or unknown) for monitoring."""
    with db.write() as session:
        depth = session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state.in_(ACTIVE_STATES),
            )
        )
        metrics.record(session, account_id, metrics.QUEUE_DEPTH, float(depth or 0))

