"""The sender: drains one account's outbound queue, safely from any number of processes.

One message at a time:

1. **Claim** in a short write transaction (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL
   the account row ``FOR UPDATE`` so claims of one account are serialised, and the
   outbound row ``FOR UPDATE SKIP LOCKED``): check the account is not blocked, count the
   send attempts of the last 60 s (``core/limiter.py``), pick the most urgent due row
   within the budget, mark it ``sending`` with a lease, log the attempt.
2. **Send** it, with no transaction open.
3. **Record** the outcome, only while the lease is still ours (state ``sending``, our
   worker id): ``sent`` (and the message written to the thread in the same unit of
   work), retry with backoff, ``failed`` with the reason, ``unknown``, or back to
   ``queued`` after a ``429`` (which blocks the account and costs no attempt).

``unknown`` rows (ambiguous answers, and ``sending`` rows whose worker died and whose
lease ran out) are settled by reading the fan's chat before anything is sent again
(``core/reconcile.py``): found means ``sent``; not found once the grace period after the
last attempt has passed means ``queued`` again (or ``failed`` after the last attempt).

At most one message per fan is in flight or unsettled at a time, and a fan's messages
of one priority go in the order they were queued, so a thread reads as it was written
and two rows never compete for the same chat message.
"""

from __future__ import annotations

import enum
import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ofcrm_tui.core import limiter, metrics, outbox, reconcile
from ofcrm_tui.core.accounts import creator_platform_id
from ofcrm_tui.core.sync import message_preview
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import ErrorKind, PlatformError, RateLimited, one_line
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import Direction, OutboundKind, OutboundState
from ofcrm_tui.store.models import Account, Conversation, Fan, Message, OutboundMessage
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import upsert

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(minutes=10)
_SENT = "sent"

_last_prune: dict[int, datetime] = {}
_prune_lock = threading.Lock()


def default_worker_id() -> str:
    """Unique per process and instance: host, pid and a random tag."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class SenderConfig:
    worker_id: str = field(default_factory=default_worker_id)
    # How long a claimed row stays ours; must outlast the longest send (HTTP timeouts).
    lease: timedelta = timedelta(seconds=60)
    # An unknown row not found in the chat is sent again only this long after its last
    # attempt: long enough for any request of that attempt to have landed.
    reconcile_grace: timedelta = timedelta(seconds=30)
    reply_reserve_per_minute: int = outbox.DEFAULT_REPLY_RESERVE_PER_MINUTE
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 300.0
    reconcile_batch: int = 50

    def __post_init__(self) -> None:
        if self.lease <= timedelta(0) or self.reconcile_grace < timedelta(0):
            raise ValueError("lease must be positive and reconcile_grace not negative")
        if self.reply_reserve_per_minute < 0:
            raise ValueError("reply_reserve_per_minute must not be negative")


class Idle(enum.StrEnum):
    """Why a claim found nothing to send."""

    NO_WORK = "no due messages"
    NO_BUDGET = "send limit reached for this minute"
    BLOCKED = "rate limited by the platform"
    AUTH_ERROR = "the account's credentials were refused"
    NO_ACCOUNT = "the account is gone"


@dataclass(frozen=True)
class Claim:
    outbound_id: int
    attempt_id: int
    fan_id: int
    platform_user_id: int
    kind: str
    text: str
    price_cents: int
    media_ids: tuple[int, ...]
    preview_ids: tuple[int, ...]
    attempts: int  # including this one
    max_attempts: int
    created_by: str
    created_at: datetime
    claimed_at: datetime


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    finished_at: datetime
    message: WireMessage | None = None
    error: PlatformError | None = None
    # Anything else that went wrong during the call: whether it was sent is unknown.
    unexpected: str | None = None
    # Refused before any request was made (the request could not even be built).
    not_sent: str | None = None

    @property
    def kind(self) -> str:
        if self.message is not None:
            return _SENT
        if self.error is not None:
            return self.error.kind.value
        if self.not_sent is not None:
            return ErrorKind.PERMANENT.value
        return ErrorKind.AMBIGUOUS.value

    @property
    def reason(self) -> str:
        if self.error is not None:
            return self.error.message
        return one_line(self.not_sent or self.unexpected or "no answer")


@dataclass(frozen=True)
class _Unknown:
    outbound_id: int
    fan_id: int
    platform_user_id: int
    text: str
    price_cents: int
    attempts: int
    max_attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime
    last_error: str | None
    created_by: str
    created_at: datetime


@dataclass
class DrainReport:
    """What one drain of one account did (ids of outbound rows)."""

    account_id: int
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    lease_expired: list[int] = field(default_factory=list)
    attempts: int = 0
    blocked_until: datetime | None = None
    auth_error: str | None = None
    idle: Idle | None = None
    next_wake_at: datetime | None = None

    def changed(self) -> bool:
        return bool(
            self.attempts or self.reconciled or self.requeued or self.lease_expired or self.failed
        )


class Sender:
    """Drains one account through one client; cheap to create for every run."""

    def __init__(
        self,
        db: Database,
        account_id: int,
        client: PlatformClient,
        config: SenderConfig | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.account_id = account_id
        self.client = client
        self.config = config or SenderConfig()
        self._clock = clock
        self._rng = rng or random.Random()
        self._creator_id: int | None = None
        self._creator_loaded = False

    @property
    def worker_id(self) -> str:
        return self.config.worker_id

    # -- the loop ------------------------------------------------------------------

    def drain(
        self,
        stop: threading.Event | None = None,
        *,
        max_sends: int | None = None,
        on_claimed: Callable[[Claim], None] | None = None,
    ) -> DrainReport:
        """Settle what can be settled, then send while budget and due messages last.

        ``on_claimed`` is told of each claim (the row is ``sending`` and committed) just
        before its send, e.g. so that a screen can show it as being sent."""
        report = DrainReport(self.account_id)
        self._prune_now_and_then()
        report.lease_expired = self.expire_leases()
        self.reconcile_due(report, stop)
        while not _stopped(stop) and (max_sends is None or report.attempts < max_sends):
            claim = self.claim()
            if isinstance(claim, Idle):
                report.idle = claim
                break
            report.attempts += 1
            if on_claimed is not None:
                _tell(on_claimed, claim)
            outcome = self.send(claim)
            state = self.record(claim, outcome, report)
            if state == OutboundState.UNKNOWN:
                # Most ambiguous sends are settled by one look at the chat right away.
                self._reconcile(self._unknown_rows([claim.outbound_id]), report, stop)
            if report.auth_error:
                break
        report.next_wake_at = self.next_wake()
        return report

    # -- claim ---------------------------------------------------------------------

    def claim(self) -> Claim | Idle:
        """Take the most urgent due message within the budget, or say why there is none."""
        now = self._clock()
        with self.db.write() as session:
            account = session.execute(
                select(
                    Account.send_limit_per_minute, Account.send_blocked_until, Account.auth_error
                )
                .where(Account.id == self.account_id)
                .with_for_update()
            ).one_or_none()
            if account is None:
                return Idle.NO_ACCOUNT
            limit, blocked_until, auth_error = account
            if auth_error:
                return Idle.AUTH_ERROR
            if blocked_until is not None and blocked_until > now:
                return Idle.BLOCKED
            used = limiter.attempts_in_window(session, self.account_id, now)
            if used >= limit:
                return Idle.NO_BUDGET
            busy = aliased(OutboundMessage)
            query = (
                select(OutboundMessage, Fan.platform_user_id)
                .join(Fan, Fan.id == OutboundMessage.fan_id)
                .where(
                    OutboundMessage.account_id == self.account_id,
                    OutboundMessage.state == OutboundState.QUEUED,
                    OutboundMessage.next_attempt_at <= now,
                    # A fan's messages go one at a time and in order (an urgent reply
                    # does not wait for an older campaign row, though).
                    ~exists().where(
                        busy.account_id == self.account_id,
                        busy.fan_id == OutboundMessage.fan_id,
                        or_(
                            busy.state.in_((OutboundState.SENDING, OutboundState.UNKNOWN)),
                            and_(
                                busy.state == OutboundState.QUEUED,
                                busy.id < OutboundMessage.id,
                                busy.priority <= OutboundMessage.priority,
                            ),
                        ),
                    ),
                )
            )
            if used >= limiter.campaign_cap(limit, self.config.reply_reserve_per_minute):
                query = query.where(OutboundMessage.kind != OutboundKind.CAMPAIGN)
            found = session.execute(
                query.order_by(
                    OutboundMessage.priority, OutboundMessage.next_attempt_at, OutboundMessage.id
                )
                .limit(1)
                .with_for_update(of=OutboundMessage, skip_locked=True)
            ).first()
            if found is None:
                return Idle.NO_WORK
            row, platform_user_id = found
            row.state = OutboundState.SENDING
            row.lease_owner = self.worker_id
            row.lease_expires_at = now + self.config.lease
            row.attempts += 1
            row.first_attempt_at = row.first_attempt_at or now
            row.last_attempt_at = now
            row.updated_at = now
            attempt_id = limiter.log_attempt(session, self.account_id, row.id, now)
            return Claim(
                outbound_id=row.id,
                attempt_id=attempt_id,
                fan_id=row.fan_id,
                platform_user_id=platform_user_id,
                kind=row.kind,
                text=row.text,
                price_cents=row.price_cents,
                media_ids=tuple(row.media_ids or ()),
                preview_ids=tuple(row.preview_ids or ()),
                attempts=row.attempts,
                max_attempts=row.max_attempts,
                created_by=row.created_by,
                created_at=row.created_at,
                claimed_at=now,
            )

    # -- send ----------------------------------------------------------------------

    def send(self, claim: Claim) -> Outcome:
        started = self._clock()
        try:
            message = self.client.send_message(
                claim.platform_user_id,
                claim.text,
                price_cents=claim.price_cents,
                media_ids=claim.media_ids,
                preview_ids=claim.preview_ids,
            )
        except PlatformError as exc:
            return Outcome(started, self._clock(), error=exc)
        except ValueError as exc:  # the request could not be built: nothing went out
            return Outcome(started, self._clock(), not_sent=f"cannot send: {exc}")
        except Exception as exc:  # noqa: BLE001 - whatever it was, the send may have happened
            log.exception("send of outbound #%s failed unexpectedly", claim.outbound_id)
            return Outcome(started, self._clock(), unexpected=f"{type(exc).__name__}: {exc}")
        return Outcome(started, self._clock(), message=message)

    # -- record --------------------------------------------------------------------

    def record(self, claim: Claim, outcome: Outcome, report: DrainReport) -> OutboundState | None:
        """Write the outcome while the lease is still ours; returns the row's new state
        (None when the lease was lost and someone else decides)."""
        try:
            with self.db.write() as session:
                return self._record(session, claim, outcome, report)
        except IntegrityError:
            # The platform message is already the delivery of another row: leave this
            # one to reconciliation rather than guess.
            log.error(
                "outbound #%s: platform message %s already settles another row",
                claim.outbound_id,
                outcome.message.id if outcome.message else None,
            )
            with self.db.write() as session:
                limiter.settle_attempt(session, claim.attempt_id, outcome.finished_at)
                changed = self._transition(
                    session,
                    claim,
                    state=OutboundState.UNKNOWN,
                    next_attempt_at=self._clock(),
                    last_error="delivered message already matched to another row",
                )
            return OutboundState.UNKNOWN if changed else None

    def _record(
        self, session: Session, claim: Claim, outcome: Outcome, report: DrainReport
    ) -> OutboundState | None:
        now = self._clock()
        kind = outcome.kind
        if kind == ErrorKind.RATE_LIMITED:
            limiter.forget_attempt(session, claim.attempt_id)
        else:
            limiter.settle_attempt(session, claim.attempt_id, outcome.finished_at)

        if kind == _SENT:
            assert outcome.message is not None
            return self._record_sent(session, claim, outcome, outcome.message, report, now)

        reason = outcome.reason
        if kind == ErrorKind.RATE_LIMITED:
            assert isinstance(outcome.error, RateLimited)
            until = now + timedelta(seconds=outcome.error.retry_after)
            limiter.block(session, self.account_id, until)
            report.blocked_until = max(report.blocked_until or until, until)
            metrics.record(session, self.account_id, metrics.RATE_LIMITED, outcome.error.retry_after)
            log.info("account %s rate limited for %.0f s", self.account_id, outcome.error.retry_after)
            changed = self._transition(
                session,
                claim,
                state=OutboundState.QUEUED,
                next_attempt_at=until,
                last_error=f"rate limited: {reason}",
                refund=True,
            )
            return OutboundState.QUEUED if changed else None

        if kind == ErrorKind.UNAUTHORIZED:
            session.execute(
                update(Account).where(Account.id == self.account_id).values(auth_error=reason)
            )
            report.auth_error = reason
            log.warning("account %s: credentials refused, sends stop until fixed", self.account_id)
            changed = self._transition(
                session,
                claim,
                state=OutboundState.QUEUED,
                next_attempt_at=now,
                last_error=f"credentials refused: {reason}",
                refund=True,
            )
            return OutboundState.QUEUED if changed else None

        out_of_attempts = kind == ErrorKind.CLEAR and claim.attempts >= claim.max_attempts
        if kind == ErrorKind.PERMANENT or out_of_attempts:
            if out_of_attempts:
                reason = f"gave up after {claim.attempts} attempts: {reason}"
            if self._transition(session, claim, state=OutboundState.FAILED, last_error=reason):
                metrics.record(session, self.account_id, metrics.SEND_FAILED)
                report.failed.append(claim.outbound_id)
                return OutboundState.FAILED
            return None

        if kind == ErrorKind.CLEAR:
            retry_at = now + timedelta(seconds=self._backoff(claim.attempts))
            if self._transition(
                session, claim, state=OutboundState.QUEUED, next_attempt_at=retry_at, last_error=reason
            ):
                metrics.record(session, self.account_id, metrics.SEND_RETRIED)
                report.retried.append(claim.outbound_id)
                return OutboundState.QUEUED
            return None

        # Ambiguous: maybe delivered. Keep the row to ourselves a lease long while we
        # look at the chat; if we die, another worker looks after that.
        if self._transition(
            session,
            claim,
            state=OutboundState.UNKNOWN,
            next_attempt_at=now + self.config.lease,
            last_error=reason,
        ):
            metrics.record(session, self.account_id, metrics.AMBIGUOUS)
            report.unknown.append(claim.outbound_id)
            return OutboundState.UNKNOWN
        return None

    def _record_sent(
        self,
        session: Session,
        claim: Claim,
        outcome: Outcome,
        message: WireMessage,
        report: DrainReport,
        now: datetime,
    ) -> OutboundState | None:
        settled = self._transition(
            session,
            claim,
            state=OutboundState.SENT,
            platform_message_id=message.id,
            sent_at=now,
            last_error=None,
        )
        if not settled:
            # We lost the lease (we were too slow, or taken for dead) but we know it
            # went out: settle the row unless another worker is sending it right now
            # (then nothing can stop that one) or it is settled already.
            settled = bool(
                session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.id == claim.outbound_id,
                        OutboundMessage.state.notin_((OutboundState.SENT, OutboundState.SENDING)),
                        OutboundMessage.platform_message_id.is_(None),
                    )
                    .values(
                        state=OutboundState.SENT,
                        platform_message_id=message.id,
                        sent_at=now,
                        last_error=None,
                        lease_owner=None,
                        lease_expires_at=None,
                        updated_at=now,
                    )
                ).rowcount
            )
            if not settled:
                log.warning(
                    "outbound #%s delivered as platform message %s after its lease was lost",
                    claim.outbound_id,
                    message.id,
                )
        store_sent_message(
            session, self.account_id, claim.fan_id, message, sent_by=claim.created_by
        )
        if not settled:
            return None
        metrics.record(session, self.account_id, metrics.SENT)
        metrics.record(
            session,
            self.account_id,
            metrics.SEND_LATENCY,
            (outcome.finished_at - outcome.started_at).total_seconds(),
        )
        metrics.record(
            session, self.account_id, metrics.QUEUE_LATENCY, (now - claim.created_at).total_seconds()
        )
        report.sent.append(claim.outbound_id)
        return OutboundState.SENT

    def _transition(
        self,
        session: Session,
        claim: Claim,
        *,
        state: OutboundState,
        refund: bool = False,
        **values: object,
    ) -> bool:
        """Move our claimed row on, only if the lease is still ours."""
        if refund:
            values["attempts"] = OutboundMessage.attempts - 1
        result = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == claim.outbound_id,
                OutboundMessage.state == OutboundState.SENDING,
                OutboundMessage.lease_owner == self.worker_id,
            )
            .values(
                state=state,
                lease_owner=None,
                lease_expires_at=None,
                updated_at=self._clock(),
                **values,
            )
        )
        if not result.rowcount:
            log.warning("outbound #%s: lease lost before its outcome was recorded", claim.outbound_id)
            return False
        return True

    def _backoff(self, attempts: int) -> float:
        """Exponential with jitter: half the delay fixed, half random."""
        delay = min(
            self.config.backoff_cap_seconds,
            self.config.backoff_base_seconds * 2 ** max(0, attempts - 1),
        )
        return delay / 2 + self._rng.random() * delay / 2

    # -- crashed workers -------------------------------------------------------------

    def expire_leases(self) -> list[int]:
        """``sending`` rows whose lease ran out (their worker died) become ``unknown``."""
        now = self._clock()
        expired = _sending_expired(self.account_id, now)
        with self.db.read() as session:
            if session.scalar(select(func.count()).select_from(OutboundMessage).where(*expired)) == 0:
                return []
        with self.db.write() as session:
            ids = list(
                session.scalars(
                    select(OutboundMessage.id)
                    .where(*expired)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(ids), *expired)
                .values(
                    state=OutboundState.UNKNOWN,
                    lease_owner=None,
                    lease_expires_at=None,
                    next_attempt_at=now,
                    last_error="the worker sending it stopped before recording the outcome",
                    updated_at=now,
                )
            )
            for _ in ids:
                metrics.record(session, self.account_id, metrics.LEASE_EXPIRED)
        log.warning("account %s: %d sends of a stopped worker to check", self.account_id, len(ids))
        return ids

    # -- reconciliation ------------------------------------------------------------

    def reconcile_due(self, report: DrainReport, stop: threading.Event | None = None) -> None:
        """Look in the chat for ``unknown`` rows whose turn it is."""
        rows = self._take_unknown_due()
        if rows:
            self._reconcile(rows, report, stop)

    def _take_unknown_due(self) -> list[_Unknown]:
        now = self._clock()
        due = (
            OutboundMessage.account_id == self.account_id,
            OutboundMessage.state == OutboundState.UNKNOWN,
            OutboundMessage.next_attempt_at <= now,
        )
        with self.db.read() as session:
            if session.scalar(select(func.count()).select_from(OutboundMessage).where(*due)) == 0:
                return []
        with self.db.write() as session:
            ids = list(
                session.scalars(
                    select(OutboundMessage.id)
                    .where(*due)
                    .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
                    .limit(self.config.reconcile_batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            # Ours for a lease: other workers do not read the same chats meanwhile.
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(ids), *due)
                .values(next_attempt_at=now + self.config.lease)
            )
            return self._unknown_snapshot(session, ids)

    def _unknown_rows(self, ids: Sequence[int]) -> list[_Unknown]:
        with self.db.read() as session:
            return self._unknown_snapshot(session, ids)

    def _unknown_snapshot(self, session: Session, ids: Sequence[int]) -> list[_Unknown]:
        rows = session.execute(
            select(OutboundMessage, Fan.platform_user_id)
            .join(Fan, Fan.id == OutboundMessage.fan_id)
            .where(
                OutboundMessage.account_id == self.account_id,
                OutboundMessage.id.in_(list(ids)),
                OutboundMessage.state == OutboundState.UNKNOWN,
            )
        ).all()
        result = []
        for row, platform_user_id in rows:
            last = row.last_attempt_at or row.updated_at
            result.append(
                _Unknown(
                    outbound_id=row.id,
                    fan_id=row.fan_id,
                    platform_user_id=platform_user_id,
                    text=row.text,
                    price_cents=row.price_cents,
                    attempts=row.attempts,
                    max_attempts=row.max_attempts,
                    first_attempt_at=row.first_attempt_at or last,
                    last_attempt_at=last,
                    last_error=row.last_error,
                    created_by=row.created_by,
                    created_at=row.created_at,
                )
            )
        return result

    def _reconcile(
        self, rows: list[_Unknown], report: DrainReport, stop: threading.Event | None
    ) -> None:
        by_fan: dict[int, list[_Unknown]] = {}
        for row in rows:
            by_fan.setdefault(row.platform_user_id, []).append(row)
        creator_id = self._creator()
        for platform_user_id, group in by_fan.items():
            if _stopped(stop):
                return  # what is left is picked up again once its reservation lapses
            read_at = self._clock()
            since = min(row.first_attempt_at for row in group)
            try:
                chat = reconcile.read_since(self.client, platform_user_id, since)
            except PlatformError as exc:
                self._reconcile_later(group, exc, report)
                if exc.kind == ErrorKind.UNAUTHORIZED:
                    return
                continue
            except Exception as exc:  # noqa: BLE001 - try again later, never resend blindly
                log.exception("reading chat %s to settle sends failed", platform_user_id)
                self._reconcile_later(group, exc, report)
                continue
            try:
                with self.db.write() as session:
                    self._settle(session, group, chat, creator_id, read_at, report)
            except IntegrityError:
                log.warning("settling sends to %s raced another worker; will look again", platform_user_id)

    def _settle(
        self,
        session: Session,
        group: list[_Unknown],
        chat: list[WireMessage],
        creator_id: int | None,
        read_at: datetime,
        report: DrainReport,
    ) -> None:
        now = self._clock()
        ids = [message.id for message in chat]
        taken = (
            set(
                session.scalars(
                    select(OutboundMessage.platform_message_id).where(
                        OutboundMessage.account_id == self.account_id,
                        OutboundMessage.platform_message_id.in_(ids),
                    )
                )
            )
            if ids
            else set()
        )
        found = reconcile.match(
            [
                reconcile.Unsettled(row.outbound_id, row.text, row.price_cents, row.first_attempt_at)
                for row in group
            ],
            chat,
            creator_id=creator_id,
            taken=taken,
        )
        for row in group:
            unknown = (
                OutboundMessage.id == row.outbound_id,
                OutboundMessage.state == OutboundState.UNKNOWN,
            )
            message = found.get(row.outbound_id)
            if message is not None:
                changed = session.execute(
                    update(OutboundMessage)
                    .where(*unknown)
                    .values(
                        state=OutboundState.SENT,
                        platform_message_id=message.id,
                        sent_at=now,
                        last_error=None,
                        updated_at=now,
                    )
                ).rowcount
                if changed:
                    store_sent_message(
                        session, self.account_id, row.fan_id, message, sent_by=row.created_by
                    )
                    metrics.record(session, self.account_id, metrics.RECONCILED)
                    metrics.record(session, self.account_id, metrics.SENT)
                    metrics.record(
                        session,
                        self.account_id,
                        metrics.QUEUE_LATENCY,
                        (now - row.created_at).total_seconds(),
                    )
                    report.reconciled.append(row.outbound_id)
                    report.sent.append(row.outbound_id)
                continue
            settle_after = row.last_attempt_at + self.config.reconcile_grace
            if read_at < settle_after:
                # Too early to conclude: a request of the last attempt may still land.
                session.execute(
                    update(OutboundMessage).where(*unknown).values(next_attempt_at=settle_after)
                )
                continue
            if row.attempts >= row.max_attempts:
                reason = one_line(
                    f"not delivered after {row.attempts} attempts: {row.last_error or 'no answer'}"
                )
                changed = session.execute(
                    update(OutboundMessage)
                    .where(*unknown)
                    .values(state=OutboundState.FAILED, last_error=reason, updated_at=now)
                ).rowcount
                if changed:
                    metrics.record(session, self.account_id, metrics.SEND_FAILED)
                    report.failed.append(row.outbound_id)
                continue
            changed = session.execute(
                update(OutboundMessage)
                .where(*unknown)
                .values(state=OutboundState.QUEUED, next_attempt_at=now, updated_at=now)
            ).rowcount
            if changed:
                metrics.record(session, self.account_id, metrics.RECONCILE_REQUEUED)
                report.requeued.append(row.outbound_id)

    def _reconcile_later(
        self, group: list[_Unknown], error: Exception, report: DrainReport
    ) -> None:
        now = self._clock()
        delay = self.config.backoff_base_seconds * 2
        if isinstance(error, RateLimited):
            delay = max(delay, error.retry_after)
        log.info("cannot read the chat to settle sends yet (%s)", error)
        with self.db.write() as session:
            if isinstance(error, PlatformError) and error.kind == ErrorKind.UNAUTHORIZED:
                session.execute(
                    update(Account)
                    .where(Account.id == self.account_id)
                    .values(auth_error=error.message)
                )
                report.auth_error = error.message
            session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id.in_([row.outbound_id for row in group]),
                    OutboundMessage.state == OutboundState.UNKNOWN,
                )
                .values(next_attempt_at=now + timedelta(seconds=delay))
            )

    def _creator(self) -> int | None:
        if not self._creator_loaded:
            self._creator_id = creator_platform_id(self.db, self.account_id)
            self._creator_loaded = True
        return self._creator_id

    # -- when to come back -----------------------------------------------------------

    def next_wake(self) -> datetime | None:
        """The earliest time there may be something to do for this account."""
        now = self._clock()
        with self.db.read() as session:
            account = session.get(Account, self.account_id)
            if account is None or account.auth_error:
                return None
            blocked = account.send_blocked_until
            times = [
                outbox.next_send_at(
                    session,
                    self.account_id,
                    now,
                    limit=account.send_limit_per_minute,
                    blocked_until=blocked if blocked is not None and blocked > now else None,
                    reply_reserve_per_minute=self.config.reply_reserve_per_minute,
                ),
                session.scalar(
                    select(func.min(OutboundMessage.next_attempt_at)).where(
                        OutboundMessage.account_id == self.account_id,
                        OutboundMessage.state == OutboundState.UNKNOWN,
                    )
                ),
                session.scalar(
                    select(func.min(OutboundMessage.lease_expires_at)).where(
                        OutboundMessage.account_id == self.account_id,
                        OutboundMessage.state == OutboundState.SENDING,
                    )
                ),
            ]
        present = [t for t in times if t is not None]
        return min(present) if present else None

    def _prune_now_and_then(self) -> None:
        now = self._clock()
        with _prune_lock:
            last = _last_prune.get(self.account_id)
            if last is not None and now - last < PRUNE_EVERY:
                return
            _last_prune[self.account_id] = now
        with self.db.write() as session:
            limiter.prune(session, self.account_id, now)
            metrics.prune(session, self.account_id, now)


def _sending_expired(account_id: int, now: datetime) -> tuple[object, ...]:
    return (
        OutboundMessage.account_id == account_id,
        OutboundMessage.state == OutboundState.SENDING,
        OutboundMessage.lease_expires_at < now,
    )


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _tell(on_claimed: Callable[[Claim], None], claim: Claim) -> None:
    """A broken listener must not keep a claimed row from being sent and recorded."""
    try:
        on_claimed(claim)
    except Exception:  # noqa: BLE001
        log.exception("on_claimed failed for outbound #%s", claim.outbound_id)


# -- the thread ------------------------------------------------------------------------


def store_sent_message(
    session: Session, account_id: int, fan_id: int, message: WireMessage, *, sent_by: str
) -> None:
    """Put a delivered message in the fan's thread and its conversation summary.

    Keyed on the platform id like the inbound sync, so whichever writes first, the
    thread holds it once (and knows who sent it)."""
    conversation_id = _conversation_id(session, account_id, fan_id)
    upsert(
        session,
        Message,
        [
            {
                "account_id": account_id,
                "conversation_id": conversation_id,
                "fan_id": fan_id,
                "platform_message_id": message.id,
                "direction": Direction.OUTBOUND.value,
                "text": message.text,
                "price_cents": message.price_cents,
                "is_opened": message.is_opened,
                "is_tip": False,
                "tip_cents": 0,
                "media_count": message.media_count,
                "media_ids": [media.id for media in message.media],
                "created_at": message.created_at,
                "sent_by": sent_by,
            }
        ],
        key=("account_id", "platform_message_id"),
        update=("sent_by",),
    )
    session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            or_(
                Conversation.last_platform_message_id.is_(None),
                Conversation.last_platform_message_id < message.id,
            ),
        )
        .values(
            last_platform_message_id=message.id,
            last_message_at=message.created_at,
            last_message_preview=message_preview(
                message.text, price_cents=message.price_cents, media_count=message.media_count
            ),
            last_message_direction=Direction.OUTBOUND.value,
        )
    )


def _conversation_id(session: Session, account_id: int, fan_id: int) -> int:
    upsert(
        session,
        Conversation,
        [
            {
                "account_id": account_id,
                "fan_id": fan_id,
                "unread_count": 0,
                "last_message_preview": "",
            }
        ],
        key=("fan_id",),
    )
    conversation_id = session.scalar(select(Conversation.id).where(Conversation.fan_id == fan_id))
    assert conversation_id is not None
    return conversation_id

