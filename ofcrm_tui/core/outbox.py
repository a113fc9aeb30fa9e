"""The outbound queue: what the app and the command line call to send, retry and look.

One ``outbound_messages`` row per message to send. States::

    queued -> sending -> sent
                  \\-> unknown (ambiguous answer, or the worker died) -> sent | queued
                  \\-> queued (clear failure, retried with backoff; or 429) -> ... -> failed
    queued | paused | failed -> cancelled (discard);  failed -> queued (manual retry)

The sending itself (claims, the limiter, outcomes, reconciliation) lives in
``core/sender.py``, ``core/limiter.py`` and ``core/reconcile.py``; the scheduler that
runs it in ``jobs/``. Everything here is one short unit of work with no network call.

Media ids are the platform's media ids (``Media.platform_media_id``, the ids the vault
and the platform show), checked against the local vault of the account. Fan ids are
local ``Fan.id`` values; ``resolve_fan`` turns a platform user id or a username into one.

The platform does not deliver messages to fans whose subscription has expired (``403``),
so nothing is queued or retried for a fan whose local ``subscription_status`` is
``expired``. That status is the one last synced and may be stale, which is accepted: a
fan who resubscribed is refused until the next sync of fans refreshes the row (the poll
rereads them every ``sync.FANS_EVERY``; ``ofcrm sync`` does it at once), and one who
expired since is queued and fails with the platform's reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import limiter, metrics
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState, SubscriptionStatus
from ofcrm_tui.store.models import (
    Account,
    Campaign,
    Fan,
    Media,
    MetricEvent,
    OutboundMessage,
    fan_display_name,
)
from ofcrm_tui.store.types import utcnow

MAX_TEXT_CHARS = 10_000
MIN_PRICE_CENTS = 300
MAX_PRICE_CENTS = 20_000
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_REPLY_RESERVE_PER_MINUTE = 3
MANUAL_RETRIES_PER_MINUTE = 10
MAX_CREATED_BY = 128

# Lower sends first: replies, then manual sends, then campaign rows.
PRIORITY = {OutboundKind.REPLY: 10, OutboundKind.MANUAL: 20, OutboundKind.CAMPAIGN: 30}

# Rows a thread shows under the sent messages: not sent yet, not given up on by a person.
PENDING_STATES = (
    OutboundState.QUEUED,
    OutboundState.SENDING,
    OutboundState.UNKNOWN,
    OutboundState.FAILED,
    OutboundState.PAUSED,
)
# Rows the queue still has to deal with.
ACTIVE_STATES = (OutboundState.QUEUED, OutboundState.SENDING, OutboundState.UNKNOWN)
DISCARDABLE_STATES = (OutboundState.QUEUED, OutboundState.PAUSED, OutboundState.FAILED)

_CHUNK = 5_000

EXPIRED_REASON = "the platform does not deliver messages to expired fans"


class OutboxError(OfcrmError):
    """A message that cannot be queued, or a queue action refused; one line, for the user."""


class OutboundView(BaseModel):
    """One queued message as the app and the command line show it."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    text: str
    price_cents: int
    media_ids: tuple[int, ...]
    state: OutboundState
    attempts: int
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

    @property
    def depth(self) -> int:
        return sum(self.counts.get(state, 0) for state in ACTIVE_STATES)

    @property
    def last_poll_ok(self) -> bool:
        """A poll succeeded and none failed since."""
        return self.last_poll_at is not None and (
            self.last_poll_failed_at is None or self.last_poll_at >= self.last_poll_failed_at
        )


@dataclass(frozen=True)
class RetryResult:
    retried: list[int] = field(default_factory=list)
    not_failed: list[int] = field(default_factory=list)  # unknown ids, or not in `failed`
    over_limit: list[int] = field(default_factory=list)  # left for later: 10 a minute
    wait_seconds: int = 0  # until another manual retry is allowed, when over the limit
    expired: list[int] = field(default_factory=list)  # left failed: the fan has expired
    expired_reason: str = ""  # one line naming those fans (enqueue's wording)


@dataclass(frozen=True)
class FanRef:
    id: int
    platform_user_id: int
    username: str
    name: str


# -- enqueue -------------------------------------------------------------------------


def enqueue(
    db: Database,
    account_id: int,
    fan_id: int,
    text: str,
    *,
    created_by: str,
    kind: OutboundKind | str = OutboundKind.REPLY,
    price_cents: int = 0,
    media_ids: Sequence[int] = (),
    preview_ids: Sequence[int] = (),
    campaign_id: int | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> int:
    """Queue one message; returns its id. Raises OutboxError (nothing queued) when the
    message breaks the platform's sending rules, names a fan or media not of the account,
    or is for a fan whose subscription has expired (as last synced: see the module)."""
    message = _Message.checked(
        account_id,
        text,
        kind=kind,
        created_by=created_by,
        price_cents=price_cents,
        media_ids=media_ids,
        preview_ids=preview_ids,
        campaign_id=campaign_id,
        max_attempts=max_attempts,
        now=now,
    )
    with db.write() as session:
        message.check_references(session, [fan_id])
        row = OutboundMessage(**message.row(fan_id))
        session.add(row)
        session.flush()
        return row.id


def enqueue_many(
    db: Database,
    account_id: int,
    fan_ids: Iterable[int],
    text: str,
    *,
    created_by: str,
    campaign_id: int | None,
    price_cents: int = 0,
    media_ids: Sequence[int] = (),
    preview_ids: Sequence[int] = (),
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> int:
    """Queue the same campaign message for many fans in one bulk insert; returns how many.

    A fan listed twice gets one message. All or nothing: a fan not of the account, or
    one whose subscription has expired (as last synced), refuses the whole batch with an
    OutboxError naming how many and who, so that a campaign is never sent to part of
    the audience its author chose without them knowing; choose the audience among
    active fans (the inbox's ``status="active"`` filter) to leave expired ones out."""
    message = _Message.checked(
        account_id,
        text,
        kind=OutboundKind.CAMPAIGN,
        created_by=created_by,
        price_cents=price_cents,
        media_ids=media_ids,
        preview_ids=preview_ids,
        campaign_id=campaign_id,
        max_attempts=max_attempts,
        now=now,
    )
    recipients = list(dict.fromkeys(fan_ids))
    if not recipients:
        return 0
    with db.write() as session:
        message.check_references(session, recipients)
        rows = [message.row(fan_id) for fan_id in recipients]
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(OutboundMessage), rows[start : start + _CHUNK])
    return len(rows)


def normalise_text(text: str) -> str:
    """Line ends as the platform will give them back (\\n), nothing else changed."""
    if not isinstance(text, str):
        raise OutboxError("the message text must be a string")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class _Message:
    """One message to queue for one fan or many, checked against the rules that need no
    database; ``check_references`` does the rest inside the unit of work that queues it."""

    account_id: int
    kind: OutboundKind
    text: str
    price_cents: int
    media: list[int]
    previews: list[int]
    campaign_id: int | None
    created_by: str
    max_attempts: int
    now: datetime

    @classmethod
    def checked(
        cls,
        account_id: int,
        text: str,
        *,
        kind: OutboundKind | str,
        created_by: str,
        price_cents: int,
        media_ids: Sequence[int],
        preview_ids: Sequence[int],
        campaign_id: int | None,
        max_attempts: int,
        now: datetime | None,
    ) -> _Message:
        kind = _kind(kind)
        text = normalise_text(text)
        media, previews = _check_message(text, price_cents, media_ids, preview_ids)
        created_by = _check_created_by(created_by)
        _check_max_attempts(max_attempts)
        return cls(
            account_id=account_id,
            kind=kind,
            text=text,
            price_cents=price_cents,
            media=media,
            previews=previews,
            campaign_id=campaign_id,
            created_by=created_by,
            max_attempts=max_attempts,
            now=now or utcnow(),
        )

    def check_references(self, session: Session, fan_ids: list[int]) -> None:
        """The account, fans, media and campaign named are the account's."""
        _check_account(session, self.account_id)
        _check_fans(session, self.account_id, fan_ids)
        _check_media(session, self.account_id, self.media)
        _check_campaign(session, self.account_id, self.campaign_id)

    def row(self, fan_id: int) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "fan_id": fan_id,
            "campaign_id": self.campaign_id,
            "kind": self.kind.value,
            "priority": PRIORITY[self.kind],
            "text": self.text,
            "price_cents": self.price_cents,
            "media_ids": self.media,
            "preview_ids": self.previews,
            "state": OutboundState.QUEUED.value,
            "attempts": 0,
            "max_attempts": self.max_attempts,
            "next_attempt_at": self.now,
            "created_by": self.created_by,
            "created_at": self.now,
            "updated_at": self.now,
        }


def _kind(kind: OutboundKind | str) -> OutboundKind:
    try:
        return OutboundKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in OutboundKind)
        raise OutboxError(f"unknown message kind {kind!r} (one of {names})") from None


def _check_message(
    text: str, price_cents: int, media_ids: Sequence[int], preview_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The contract's sending rules that need no database."""
    if not text.strip():
        raise OutboxError("the message is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise OutboxError(
            f"the message is {len(text):,} characters long; the platform takes at most "
            f"{MAX_TEXT_CHARS:,}"
        )
    return check_offer(price_cents, media_ids, preview_ids)


def check_offer(
    price_cents: int, media_ids: Sequence[int], preview_ids: Sequence[int]
) -> tuple[list[int], list[int]]:
    """The contract's rules for what a message sells: (media, previews), or OutboxError
    with the first rule broken. The PPV dialog checks with it as the chatter types."""
    if isinstance(price_cents, bool) or not isinstance(price_cents, int):
        raise OutboxError("the price must be a whole number of cents")
    if price_cents != 0 and not MIN_PRICE_CENTS <= price_cents <= MAX_PRICE_CENTS:
        raise OutboxError(
            f"the price must be $0 (free) or between {format_cents(MIN_PRICE_CENTS)} "
            f"and {format_cents(MAX_PRICE_CENTS)}"
        )
    media = _ids("media", media_ids)
    previews = _ids("preview", preview_ids)
    if price_cents and not media:
        raise OutboxError("a priced message needs at least one media item")
    stray = [i for i in previews if i not in set(media)]
    if stray:
        raise OutboxError(f"previews must be among the message's media (not: {_list(stray)})")
    return media, previews


def _ids(what: str, values: Sequence[int]) -> list[int]:
    ids = list(values)
    if any(isinstance(i, bool) or not isinstance(i, int) or i <= 0 for i in ids):
        raise OutboxError(f"{what} ids must be positive whole numbers")
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise OutboxError(f"{what} listed more than once: {_list(twice)}")
    return ids


def _check_created_by(created_by: str) -> str:
    name = (created_by or "").strip()
    if not name:
        raise OutboxError("a message needs the name of the chatter who sends it")
    if len(name) > MAX_CREATED_BY:
        raise OutboxError(f"the chatter name is longer than {MAX_CREATED_BY} characters")
    return name


def _check_max_attempts(max_attempts: int) -> None:
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise OutboxError("max_attempts must be at least 1")


def _check_account(session: Session, account_id: int) -> None:
    if session.get(Account, account_id) is None:
        raise OutboxError(f"no account #{account_id}")


def _check_fans(session: Session, account_id: int, fan_ids: list[int]) -> None:
    if any(isinstance(i, bool) or not isinstance(i, int) for i in fan_ids):
        raise OutboxError("fan ids must be whole numbers")
    found: dict[int, _FanLabel] = {}
    for start in range(0, len(fan_ids), _CHUNK):
        chunk = fan_ids[start : start + _CHUNK]
        found.update(
            (row.id, _FanLabel.of(row))
            for row in session.execute(
                select(*_FAN_LABEL_COLUMNS).where(Fan.account_id == account_id, Fan.id.in_(chunk))
            )
        )
    missing = [i for i in fan_ids if i not in found]
    if missing:
        if len(fan_ids) == 1:
            raise OutboxError(f"fan #{missing[0]} is not a fan of this account")
        raise OutboxError(f"{len(missing)} recipients are not fans of this account ({_list(missing)})")
    expired = [found[i] for i in fan_ids if found[i].expired]
    if expired:
        raise OutboxError(_expired_reason(expired, of=len(fan_ids)))


@dataclass(frozen=True)
class _FanLabel:
    """What an error needs to name a fan, and whether the platform would take a message."""

    display_name: str
    username: str
    expired: bool

    @classmethod
    def of(cls, row: Row[Any]) -> _FanLabel:
        return cls(
            display_name=fan_display_name(row.nickname, row.name, row.username),
            username=row.username,
            expired=row.subscription_status == SubscriptionStatus.EXPIRED,
        )


_FAN_LABEL_COLUMNS = (Fan.id, Fan.nickname, Fan.name, Fan.username, Fan.subscription_status)


def _expired_reason(fans: Sequence[_FanLabel], *, of: int, what: str = "recipient") -> str:
    """One line saying that ``fans`` (one a recipient, or a message when ``what`` is
    "message") of the ``of`` asked about are expired; the same words everywhere."""
    if of == 1 and len(fans) == 1:
        return f"{one_line(fans[0].display_name)}'s subscription has expired: {EXPIRED_REASON}"
    names = _list(list(dict.fromkeys("@" + one_line(fan.username) for fan in fans)))
    to = "to " if what == "message" else ""
    which = f"is {to}an expired fan" if len(fans) == 1 else f"are {to}expired fans"
    return f"{len(fans)} of the {of} {what}s {which} ({names}): {EXPIRED_REASON}"


def _check_media(session: Session, account_id: int, media: list[int]) -> None:
    if not media:
        return
    known = set(
        session.scalars(
            select(Media.platform_media_id).where(
                Media.account_id == account_id, Media.platform_media_id.in_(media)
            )
        )
    )
    missing = [i for i in media if i not in known]
    if missing:
        raise OutboxError(
            f"media not in this account's vault: {_list(missing)} (sync the vault if it is new)"
        )


def _check_campaign(session: Session, account_id: int, campaign_id: int | None) -> None:
    if campaign_id is None:
        return
    owner = session.scalar(select(Campaign.account_id).where(Campaign.id == campaign_id))
    if owner != account_id:
        raise OutboxError(f"campaign #{campaign_id} is not a campaign of this account")


def _list(ids: Sequence[object], most: int = 10) -> str:
    shown = ", ".join(str(i) for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


# -- manual actions ------------------------------------------------------------------


def retry(
    db: Database, account_id: int, ids: Iterable[int], *, by: str, now: datetime | None = None
) -> int:
    """Queue failed messages again (same rows, attempts reset); returns how many.

    At most 10 manual retries a minute per account: past that, the rest stay failed.
    Messages to a fan whose subscription has expired (as last synced: the platform would
    refuse them again) stay failed and take none of those 10. OutboxError, with the
    reason, when there were failed messages but none could be retried."""
    return len(retry_detailed(db, account_id, list(ids), by=by, now=now).retried)


def retry_detailed(
    db: Database,
    account_id: int,
    ids: Sequence[int] | None,
    *,
    by: str,
    now: datetime | None = None,
) -> RetryResult:
    """``retry`` with the details; ``ids=None`` retries every failed message (oldest first).

    Failed messages to expired fans are in ``expired``, with ``expired_reason`` naming the
    fans in the words ``enqueue`` uses; when they are all there is, that reason is raised."""
    by = _check_created_by(by)
    now = now or utcnow()
    with db.write() as session:
        _lock_account(session, account_id)
        query = (
            select(OutboundMessage.id.label("outbound_id"), *_FAN_LABEL_COLUMNS)
            .join(Fan, Fan.id == OutboundMessage.fan_id)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.FAILED,
            )
        )
        if ids is not None:
            query = query.where(OutboundMessage.id.in_(list(ids)))
        found = [
            (row.outbound_id, _FanLabel.of(row))
            for row in session.execute(query.order_by(OutboundMessage.id))
        ]
        failed_ids = [i for i, _ in found]
        not_failed = [] if ids is None else [i for i in dict.fromkeys(ids) if i not in set(failed_ids)]
        if not found:
            return RetryResult(not_failed=not_failed)
        expired = [i for i, fan in found if fan.expired]
        reason = ""
        if expired:
            labels = [fan for _, fan in found if fan.expired]
            reason = _expired_reason(labels, of=len(found), what="message")
            failed_ids = [i for i, fan in found if not fan.expired]
            if not failed_ids:
                raise OutboxError(reason)
        window = list(
            session.scalars(
                select(MetricEvent.recorded_at)
                .where(
                    MetricEvent.account_id == account_id,
                    MetricEvent.name == metrics.MANUAL_RETRY,
                    MetricEvent.recorded_at > now - limiter.WINDOW,
                )
                .order_by(MetricEvent.recorded_at)
            )
        )
        allowed = max(0, MANUAL_RETRIES_PER_MINUTE - len(window))
        take, later = failed_ids[:allowed], failed_ids[allowed:]
        wait = 0
        if later:
            # The retry that frees a slot for the first one left over.
            oldest = window[len(window) - MANUAL_RETRIES_PER_MINUTE + len(take)] if window else now
            wait = max(1, math.ceil((oldest + limiter.WINDOW - now).total_seconds()))
        if not take:
            raise OutboxError(
                f"manual retries are limited to {MANUAL_RETRIES_PER_MINUTE} a minute for this "
                f"account; try again in {wait} s"
            )
        session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.FAILED,
                OutboundMessage.id.in_(take),
            )
            .values(
                state=OutboundState.QUEUED,
                attempts=0,
                next_attempt_at=now,
                first_attempt_at=None,
                last_attempt_at=None,
                lease_owner=None,
                lease_expires_at=None,
                last_error=None,
                updated_at=now,
            )
        )
        for _ in take:
            session.add(
                MetricEvent(
                    account_id=account_id, name=metrics.MANUAL_RETRY, value=1.0, recorded_at=now
                )
            )
    return RetryResult(
        retried=take,
        not_failed=not_failed,
        over_limit=later,
        wait_seconds=wait,
        expired=expired,
        expired_reason=reason,
    )


def discard(db: Database, account_id: int, ids: Iterable[int], *, now: datetime | None = None) -> int:
    """Cancel messages not sent (queued, paused or failed); returns how many.

    Rows being sent or whose fate is being found out cannot be cancelled."""
    wanted = list(ids)
    if not wanted:
        return 0
    with db.write() as session:
        result = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.id.in_(wanted),
                OutboundMessage.state.in_(DISCARDABLE_STATES),
            )
            .values(
                state=OutboundState.CANCELLED,
                lease_owner=None,
                lease_expires_at=None,
                updated_at=now or utcnow(),
            )
        )
        return int(result.rowcount or 0)


def _lock_account(session: Session, account_id: int) -> None:
    """Serialise with other writers of the account (SQLite: the write lock already does)."""
    found = session.scalar(select(Account.id).where(Account.id == account_id).with_for_update())
    if found is None:
        raise OutboxError(f"no account #{account_id}")


# -- reads ---------------------------------------------------------------------------


def _views(session: Session, query) -> list[OutboundView]:  # noqa: ANN001 - a Select
    rows = session.execute(
        query.join(Fan, Fan.id == OutboundMessage.fan_id).add_columns(*_FAN_LABEL_COLUMNS)
    )
    views = []
    for row in rows:
        fan = _FanLabel.of(row)
        views.append(OutboundView.model_validate({
            **_as_dict(row[0]), "fan_username": fan.username, "fan_display_name": fan.display_name,
        }))
    return views


def _as_dict(row: OutboundMessage) -> dict[str, object]:
    return {
        "id": row.id,
        "text": row.text,
        "price_cents": row.price_cents,
        "media_ids": tuple(row.media_ids or ()),
        "state": row.state,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "fan_id": row.fan_id,
        "kind": row.kind,
        "preview_ids": tuple(row.preview_ids or ()),
        "campaign_id": row.campaign_id,
        "max_attempts": row.max_attempts,
        "next_attempt_at": row.next_attempt_at,
        "updated_at": row.updated_at,
        "sent_at": row.sent_at,
        "platform_message_id": row.platform_message_id,
    }


def get(db: Database, account_id: int, outbound_id: int) -> OutboundView | None:
    with db.read() as session:
        views = _views(
            session,
            select(OutboundMessage).where(
                OutboundMessage.account_id == account_id, OutboundMessage.id == outbound_id
            ),
        )
    return views[0] if views else None


def failed(
    db: Database, account_id: int, since_days: float = 7, *, now: datetime | None = None
) -> list[OutboundView]:
    """Messages that failed in the last ``since_days`` days, newest first, reason kept."""
    since = (now or utcnow()) - timedelta(days=since_days)
    with db.read() as session:
        return _views(
            session,
            select(OutboundMessage)
            .where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.FAILED,
                OutboundMessage.updated_at >= since,
            )
            .order_by(OutboundMessage.updated_at.desc(), OutboundMessage.id.desc()),
        )


def queue_status(
    db: Database,
    account_id: int,
    *,
    reply_reserve_per_minute: int = DEFAULT_REPLY_RESERVE_PER_MINUTE,
    now: datetime | None = None,
) -> QueueStatus:
    now = now or utcnow()
    with db.read() as session:
        account = session.get(Account, account_id)
        if account is None:
            raise OutboxError(f"no account #{account_id}")
        counts = {state.value: 0 for state in OutboundState}
        for state, count in session.execute(
            select(OutboundMessage.state, func.count())
            .where(OutboundMessage.account_id == account_id)
            .group_by(OutboundMessage.state)
        ):
            counts[state] = count
        blocked = account.send_blocked_until
        blocked = blocked if blocked is not None and blocked > now else None
        budget = limiter.budget(
            session,
            account_id,
            now,
            limit=account.send_limit_per_minute,
            blocked_until=blocked,
            reply_reserve_per_minute=reply_reserve_per_minute,
        )
        next_at = next_send_at(
            session,
            account_id,
            now,
            limit=account.send_limit_per_minute,
            blocked_until=blocked,
            reply_reserve_per_minute=reply_reserve_per_minute,
            used=budget.used,
        )
        return QueueStatus(
            account_id=account_id,
            counts=counts,
            limit=budget.limit,
            used=budget.used,
            budget_left=0 if blocked else budget.left,
            campaign_budget_left=0 if blocked else budget.campaign_left,
            next_send_at=next_at,
            blocked_until=blocked,
            auth_error=account.auth_error,
            last_poll_at=metrics.last_recorded(session, account_id, metrics.POLL),
            last_poll_failed_at=metrics.last_recorded(session, account_id, metrics.POLL_FAILED),
        )


def next_send_at(
    session: Session,
    account_id: int,
    now: datetime,
    *,
    limit: int,
    blocked_until: datetime | None,
    reply_reserve_per_minute: int,
    used: int | None = None,
) -> datetime | None:
    """When the next queued message may go out (budget, backoff and blocks considered);
    None when nothing is queued. ``used``: the attempts in the window at ``now``, when the
    caller has counted them already (counted here otherwise, once)."""

    def earliest(*conditions: object) -> datetime | None:
        return session.scalar(
            select(func.min(OutboundMessage.next_attempt_at)).where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.QUEUED,
                *conditions,
            )
        )

    reply_due = earliest(OutboundMessage.kind != OutboundKind.CAMPAIGN)
    campaign_due = earliest(OutboundMessage.kind == OutboundKind.CAMPAIGN)
    if reply_due is None and campaign_due is None:
        return None
    if used is None:
        used = limiter.attempts_in_window(session, account_id, now)
    candidates = []
    if reply_due is not None:
        free_at = limiter.slot_free_at(session, account_id, now, limit, used=used)
        candidates.append(max(reply_due, free_at))
    if campaign_due is not None:
        cap = limiter.campaign_cap(limit, reply_reserve_per_minute)
        free_at = limiter.slot_free_at(session, account_id, now, cap, used=used)
        candidates.append(max(campaign_due, free_at))
    when = min(candidates)
    if blocked_until is not None and blocked_until > when:
        when = blocked_until
    return max(when, now)


def resolve_fan(db: Database, account_id: int, ref: str | int) -> FanRef:
    """A fan of the account from a platform user id or a username (``@`` optional)."""
    text = str(ref).strip().removeprefix("@")
    if not text:
        raise OutboxError("no fan given")
    with db.read() as session:
        fan = None
        if text.isascii() and text.isdigit():
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.platform_user_id == int(text))
            )
        if fan is None:
            fan = session.scalar(
                select(Fan).where(Fan.account_id == account_id, Fan.username == text)
            )
        if fan is None:
            raise OutboxError(
                f"no fan {ref!r} in this account (a platform user id or a username; "
                "sync the account if the fan is new)"
            )
        return FanRef(fan.id, fan.platform_user_id, fan.username, fan.name)
