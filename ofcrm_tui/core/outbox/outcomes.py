"""Recording a send's outcome: the row's next state, written only while our lease holds.

``sent`` (with the message written to the thread in the same unit of work), a retry with
backoff, ``failed`` with the reason, ``unknown`` for an ambiguous answer, or back to
``queued`` after a ``429`` (the account is blocked; the attempt is given back) or a
connection that could not be made (an outage: ``core.outage``; no attempt either).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ofcrm_tui.core import accounts, metrics, outage
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.rules import back_in_line
from ofcrm_tui.core.outbox.work import SENT, Claim, DrainReport, Outcome, SenderConfig
from ofcrm_tui.core.threads import store_sent_message
from ofcrm_tui.platform.errors import ErrorKind, RateLimited, Unreachable
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.models import OutboundMessage

log = logging.getLogger(__name__)


class Recorder:
    """Writes the outcomes of one account's sends for one worker."""

    def __init__(
        self,
        db: Database,
        account_id: int,
        config: SenderConfig,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self.db = db
        self.account_id = account_id
        self.config = config
        self.clock = clock
        self._rng = rng

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
                    next_attempt_at=self.clock(),
                    last_error="delivered message already matched to another row",
                )
            return OutboundState.UNKNOWN if changed else None

    def _record(
        self, session: Session, claim: Claim, outcome: Outcome, report: DrainReport
    ) -> OutboundState | None:
        now = self.clock()
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
            retry_at = now + timedelta(seconds=self.backoff(claim.attempts))
            return self._retry(session, claim, retry_at, reason, report)

        # Ambiguous: maybe delivered. Keep the row to ourselves a lease long while we
        # look at the chat; if we die, another worker looks after that.
        return self._moved(
            session, claim, OutboundState.UNKNOWN, metrics.AMBIGUOUS, report.unknown,
            state=OutboundState.UNKNOWN, next_attempt_at=now + self.config.lease,
            last_error=reason,
        )

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
        return self._moved(
            session, claim, OutboundState.FAILED, metrics.SEND_FAILED, report.failed,
            state=OutboundState.FAILED, last_error=reason,
        )

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
        return self._moved(
            session, claim, OutboundState.QUEUED, metrics.SEND_RETRIED, report.retried,
            state=back_in_line(), next_attempt_at=retry_at, last_error=reason, refund=refund,
        )

    def _moved(
        self,
        session: Session,
        claim: Claim,
        result: OutboundState,
        metric: str,
        reported: list[int],
        *,
        state: OutboundState | ColumnElement[str],
        refund: bool = False,
        **values: object,
    ) -> OutboundState | None:
        """``_transition`` to ``state``; when the row moved, ``metric`` is counted, the
        row noted in the report's ``reported`` list and ``result`` returned."""
        if not self._transition(session, claim, state=state, refund=refund, **values):
            return None
        metrics.record(session, self.account_id, metric)
        reported.append(claim.outbound_id)
        _log_moved(self.account_id, claim, result, values)
        return result

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
            session, self.account_id, claim.fan_id, message, sent_by=claim.created_by,
            is_campaign=claim.kind == OutboundKind.CAMPAIGN,
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
                OutboundMessage.lease_owner == self.config.worker_id,
            )
            .values(
                state=state,
                lease_owner=None,
                lease_expires_at=None,
                updated_at=self.clock(),
                **values,
            )
        )
        if not result.rowcount:
            log.warning("outbound #%s: lease lost before its outcome was recorded", claim.outbound_id)
            return False
        return True

    def backoff(self, attempts: int) -> float:
        """Exponential with jitter: half the delay fixed, half random."""
        delay = min(
            self.config.backoff_cap_seconds,
            self.config.backoff_base_seconds * 2 ** max(0, attempts - 1),
        )
        return delay / 2 + self._rng.random() * delay / 2


def _log_moved(account_id: int, claim: Claim, result: OutboundState, values: dict[str, object]) -> None:
    """A send that did not go, in the log: the row's id, try and reason (the platform's
    answer), never the message's text."""
    reason = values.get("last_error")
    if result == OutboundState.FAILED:
        log.warning("account %s: outbound #%s failed on try %s: %s",
                    account_id, claim.outbound_id, claim.attempts, reason)
    elif result == OutboundState.QUEUED:
        at = values.get("next_attempt_at")
        when = at.isoformat() if isinstance(at, datetime) else at
        log.info("account %s: outbound #%s not sent on try %s, tried again at %s: %s",
                 account_id, claim.outbound_id, claim.attempts, when, reason)
    else:
        log.warning("account %s: outbound #%s may or may not have gone on try %s (%s): "
                    "looking at the chat to settle it", account_id, claim.outbound_id,
                    claim.attempts, reason)
