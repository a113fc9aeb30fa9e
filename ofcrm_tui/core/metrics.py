"""Observations for monitoring, written in the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ofcrm_tui.store.models import MetricEvent
from ofcrm_tui.store.types import utcnow

POLL = "poll"
POLL_FAILED = "poll_failed"


def record(session: Session, account_id: int | None, name: str, value: float = 1.0) -> None:
    session.add(MetricEvent(account_id=account_id, name=name, value=value, recorded_at=utcnow()))


def last_recorded(session: Session, account_id: int | None, name: str) -> datetime | None:
    return session.scalar(
        select(func.max(MetricEvent.recorded_at)).where(
            MetricEvent.account_id == account_id, MetricEvent.name == name
        )
    )
