"""The sender: drains one account's outbound queue, safely from any number of processes.

One message at a time:

1. **Claim** in a short write transaction (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL
   the account row ``FOR UPDATE`` so claims of one account are serialised, and the
   outbound row ``FOR UPDATE SKIP LOCKED``): check the account is not blocked, count the
   send attempts of the last 60 s (``limiter``), pick the most urgent due row
   within the budget, mark it ``sending`` with a lease, log the attempt.
2. **Send** it, with no transaction open.
3. **Record** the outcome, only while the lease is still ours (state ``sending``, our
   worker id): ``sent`` (and the message written to the thread in the same unit of
   work), retry with backoff, ``failed`` with the reason, ``unknown``, or back to
   ``queued`` after a ``429`` (which blocks the account and costs no attempt) or a
   connection that could not be made (an outage: ``core.outage``; no attempt either).

``unknown`` rows (ambiguous answers, and ``sending`` rows whose worker died and whose
lease ran out) are settled by reading the fan's chat before anything is sent again
(``reconcile``).

At most one message per fan is in flight or unsettled at a time, and a fan's messages
of one priority go in the order they were queued, so a thread reads as it was written
and two rows never compete for the same chat message.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ofcrm_tui.core import accounts, metrics, outage
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.reconcile import Reconciler, expire_leases
from ofcrm_tui.core.outbox.rules import back_in_line, fans_turn, nobody_typing
from ofcrm_tui.core.outbox.work import (
    SENT,
    Claim,
    DrainReport,
    Idle,
    Outcome,
    SenderConfig,
    default_worker_id,
)
from ofcrm_tui.core.threads import store_sent_message
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import ErrorKind, PlatformError, RateLimited, Unreachable
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.models import Fan, OutboundMessage
from ofcrm_tui.store.types import utcnow

log = logging.getLogger(__name__)

__all__ = ["Claim", "DrainReport", "Idle", "Outcome", "Sender", "SenderConfig", "default_worker_id"]



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
        limiter.prune_now_and_then(self.db, self.account_id, self._clock())
        report.lease_expired = self.expire_leases()
        self._reconciler().due(report, stop)
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
                self._reconciler().now([claim.outbound_id], report, stop)
            if report.auth_error:
                break
        report.next_wake_at = self.next_wake()
        return report

    # -- claim ---------------------------------------------------------------------

    def claim(self) -> Claim | Idle:
        """Take the most urgent due message within the budget, or say why there is none."""
        now = self._clock()
        with self.db.write() as session:
            policy = self._policy(session, now, lock=True)
            if policy is None:
                return Idle.NO_ACCOUNT
            if policy.auth_error:
                return Idle.AUTH_ERROR
            if policy.blocked_until is not None:
                return Idle.BLOCKED
            if policy.unreachable_until is not None:
                return Idle.UNREACHABLE
            used = limiter.attempts_in_window(session, self.account_id, now)
            if used >= policy.limit:
                return Idle.NO_BUDGET
            query = (
                select(OutboundMessage, Fan.platform_user_id)
                .join(Fan, Fan.id == OutboundMessage.fan_id)
                .where(
                    OutboundMessage.account_id == self.account_id,
                    OutboundMessage.state == OutboundState.QUEUED,
                    OutboundMessage.next_attempt_at <= now,
                    fans_turn(self.account_id),
                    nobody_typing(self.account_id, now, policy.presence_expiry_seconds),
                )
            )
            if used >= policy.campaign_cap:
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
            row.tries += 1
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
                idempotency_key=f"ofcrm-{claim.outbound_id}-{claim.created_at.timestamp():.6f}",
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
        refused = isinstance(outcome.error, Unreachable)
        if kind == ErrorKind.RATE_LIMITED or refused:
            limiter.forget_attempt(session, claim.attempt_id)
        else:
            limiter.settle_attempt(session, claim.attempt_id, outcome.finished_at)
        if refused:
            return self._record_refused(session, claim, outcome, report, now)
        outage.reachable(session, self.account_id)

        if kind == SENT:
            assert outcome.message is not None
            return self._record_sent(session, claim, outcome, outcome.message, report, now)

        reason = outcome.reason
        if kind in (ErrorKind.RATE_LIMITED, ErrorKind.UNAUTHORIZED):
            # The platform did nothing: the row waits, and the attempt is given back.
            if kind == ErrorKind.RATE_LIMITED:
                assert isinstance(outcome.error, RateLimited)
                until = now + timedelta(seconds=outcome.error.retry_after)
                limiter.block(session, self.account_id, until)
                report.blocked_until = max(report.blocked_until or until, until)
                metrics.record(
                    session, self.account_id, metrics.RATE_LIMITED, outcome.error.retry_after
                )
                log.info(
                    "account %s rate limited for %.0f s", self.account_id, outcome.error.retry_after
                )
                error = f"rate limited: {reason}"
            else:
                accounts.set_auth_error(session, self.account_id, reason)
                report.auth_error = reason
                log.warning(
                    "account %s: credentials refused, sends stop until fixed", self.account_id
                )
                until, error = now, f"credentials refused: {reason}"
            changed = self._transition(
                session,
                claim,
                state=back_in_line(),
                next_attempt_at=until,
                last_error=error,
                refund=True,
            )
            return OutboundState.QUEUED if changed else None

        out_of_attempts = kind == ErrorKind.CLEAR and claim.attempts >= claim.max_attempts
        if kind == ErrorKind.PERMANENT or out_of_attempts:
            if out_of_attempts:
                reason = f"gave up after {claim.attempts} attempts: {reason}"
            return self._fail(session, claim, reason, report)

        if kind == ErrorKind.CLEAR:
            retry_at = now + timedelta(seconds=self._backoff(claim.attempts))
            return self._retry(session, claim, retry_at, reason, report)

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

    def _record_refused(
        self, session: Session, claim: Claim, outcome: Outcome, report: DrainReport, now: datetime
    ) -> OutboundState | None:
        """No connection could be made, so nothing was sent: the account waits out the
        outage (``core.outage``) and the row waits with it, its try given back, until it
        has waited ``outage_retry`` on the outage (since it was queued, or since the
        outage began if later)."""
        down = outage.unreachable(
            session,
            self.account_id,
            now,
            self._rng,
            base=self.config.backoff_base_seconds,
            cap=self.config.outage_backoff_cap_seconds,
        )
        report.unreachable_until = down.retry_at
        waited = now - max(down.since, claim.created_at)
        if waited >= self.config.outage_retry:
            minutes = int(waited.total_seconds() // 60)
            reason = f"platform unreachable for {minutes} min: {outcome.reason}"
            return self._fail(session, claim, reason, report)
        return self._retry(session, claim, down.retry_at, outcome.reason, report, refund=True)

    def _fail(
        self, session: Session, claim: Claim, reason: str, report: DrainReport
    ) -> OutboundState | None:
        if self._transition(session, claim, state=OutboundState.FAILED, last_error=reason):
            metrics.record(session, self.account_id, metrics.SEND_FAILED)
            report.failed.append(claim.outbound_id)
            return OutboundState.FAILED
        return None

    def _retry(
        self,
        session: Session,
        claim: Claim,
        retry_at: datetime,
        reason: str,
        report: DrainReport,
        *,
        refund: bool = False,
    ) -> OutboundState | None:
        if self._transition(
            session,
            claim,
            state=back_in_line(),
            next_attempt_at=retry_at,
            last_error=reason,
            refund=refund,
        ):
            metrics.record(session, self.account_id, metrics.SEND_RETRIED)
            report.retried.append(claim.outbound_id)
            return OutboundState.QUEUED
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
        state: OutboundState | ColumnElement[str],
        refund: bool = False,
        **values: object,
    ) -> bool:
        """Move our claimed row on, only if the lease is still ours; ``refund`` gives the
        claim's try back (to ``attempts`` and to the ``tries`` a retry keeps)."""
        if refund:
            values["attempts"] = OutboundMessage.attempts - 1
            values["tries"] = OutboundMessage.tries - 1
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
        return expire_leases(self.db, self.account_id, self._clock())

    def _policy(self, session: Session, now: datetime, *, lock: bool = False) -> limiter.SendPolicy | None:
        return limiter.SendPolicy.of_account(
            session,
            self.account_id,
            now,
            reply_reserve=self.config.reply_reserve_per_minute,
            lock=lock,
            presence_expiry_seconds=self.config.presence_expiry_seconds,
        )

    def _reconciler(self) -> Reconciler:
        return Reconciler(
            self.db, self.account_id, self.client, self.config, clock=self._clock, creator=self._creator
        )

    def _creator(self) -> int | None:
        if not self._creator_loaded:
            self._creator_id = accounts.creator_platform_id(self.db, self.account_id)
            self._creator_loaded = True
        return self._creator_id

    # -- when to come back -----------------------------------------------------------

    def next_wake(self) -> datetime | None:
        """The earliest time there may be something to do for this account."""
        now = self._clock()
        with self.db.read() as session:
            policy = self._policy(session, now)
            if policy is None or policy.auth_error:
                return None
            return limiter.next_wake_at(session, self.account_id, now, policy)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def _tell(on_claimed: Callable[[Claim], None], claim: Claim) -> None:
    """A broken listener must not keep a claimed row from being sent and recorded."""
    try:
        on_claimed(claim)
    except Exception:  # noqa: BLE001
        log.exception("on_claimed failed for outbound #%s", claim.outbound_id)
