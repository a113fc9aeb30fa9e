"""Observations for monitoring, written in the caller's unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.store.models import MetricEvent
from ofcrm_tui.store.types import utcnow

POLL = "poll"
POLL_FAILED = "poll_failed"
# Seconds since the previous successful poll, recorded when a poll completes.
POLL_LAG = "poll_lag_seconds"

# The outbound queue (value 1 per event unless said otherwise).
SENT = "send_sent"
SEND_FAILED = "send_failed"  # a row ended failed (the reason stays on the row)
SEND_RETRIED = "send_retried"  # a clear failure rescheduled with backoff
MANUAL_RETRY = "send_manual_retry"  # a chatter retried a failed row (limited per minute)
RATE_LIMITED = "send_rate_limited"  # value: seconds the account is blocked (Retry-After)
AMBIGUOUS = "send_ambiguous"  # an outcome that may or may not have been delivered
LEASE_EXPIRED = "send_lease_expired"  # a crashed worker's row became unknown
RECONCILED = "send_reconciled"  # an unknown row found in the chat: sent
RECONCILE_REQUEUED = "send_reconcile_requeued"  # an unknown row not found after the grace
SEND_LATENCY = "send_latency_seconds"  # value: the HTTP round trip of a delivered send
QUEUE_LATENCY = "send_queue_latency_seconds"  # value: from enqueue to delivered
QUEUE_DEPTH = "queue_depth"  # value: rows queued, sending or unknown


# Monitoring looks back at most this far; older observations are pruned now and then.
KEEP = timedelta(days=14)


def record(session: Session, account_id: int | None, name: str, value: float = 1.0) -> None:
    session.add(MetricEvent(account_id=account_id, name=name, value=value, recorded_at=utcnow()))


def last_recorded(session: Session, account_id: int | None, name: str) -> datetime | None:
    return session.scalar(
        select(func.max(MetricEvent.recorded_at)).where(
            MetricEvent.account_id == account_id, MetricEvent.name == name
        )
    )


def prune(session: Session, account_id: int, now: datetime) -> None:
    session.execute(
        delete(MetricEvent).where(
            MetricEvent.account_id == account_id, MetricEvent.recorded_at < now - KEEP
        )
    )
