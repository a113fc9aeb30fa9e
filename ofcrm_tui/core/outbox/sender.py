"""The sender: drains one account's outbound queue, safely from any number of processes.

One message at a time:

1. **Claim** in a short write transaction (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL
   the account row ``FOR UPDATE`` so claims of one account are serialised, and the
   outbound row ``FOR UPDATE SKIP LOCKED``): check the account is not blocked, count the
   send attempts of the last 60 s (``limiter``), pick the most urgent due row
   within the budget, mark it ``sending`` with a lease, log the attempt.
2. **Send** it, with no transaction open.
3. **Record** the outcome (``outcomes``), only while the lease is still ours (state ``sending``, our
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
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ofcrm_tui.core import accounts
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.outcomes import Recorder
from ofcrm_tui.core.outbox.reconcile import Reconciler, expire_leases
from ofcrm_tui.core.outbox.rules import fans_turn, nobody_typing, queue_order
from ofcrm_tui.core.outbox.work import (
    Claim,
    DrainReport,
    Idle,
    Outcome,
    SenderConfig,
    default_worker_id,
)
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import PlatformError
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
        self.recorder = Recorder(db, account_id, self.config, clock=clock, rng=self._rng)

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
                query.order_by(*queue_order())
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

    def record(self, claim: Claim, outcome: Outcome, report: DrainReport) -> OutboundState | None:
        """Write the outcome while the lease is still ours (``outcomes.Recorder``)."""
        return self.recorder.record(claim, outcome, report)

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
