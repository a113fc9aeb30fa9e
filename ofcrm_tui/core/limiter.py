"""The send limiter: an exact sliding log of send attempts per account, in the database.

Every process that sends for an account counts the same ``send_attempts`` rows, inside
the transaction that claims a message (see ``core/sender.py``), so any number of
processes together stay within the account's limit:

- an attempt is logged when a message is claimed, at the claim time;
- when the outcome is known it is moved to the time the answer came back (a later time,
  so the log only grows more conservative: the platform counted the send somewhere
  between the two);
- a ``429`` deletes it: the platform did nothing and counted nothing.

Campaign rows leave ``reply_reserve_per_minute`` sends of every window to replies (at
least one send always goes to campaigns), so replies always find room while a campaign
runs at nearly the full limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.store.models import Account, SendAttempt

WINDOW = timedelta(seconds=60)
# Attempts older than this are of no use to the limiter and are pruned now and then.
KEEP_ATTEMPTS = timedelta(days=1)


def campaign_cap(limit: int, reply_reserve: int) -> int:
    """Attempts in a window up to which campaign rows may still be claimed."""
    return max(1, limit - reply_reserve)


@dataclass(frozen=True)
class Budget:
    """Where an account stands in the current window."""

    limit: int
    used: int
    campaign_cap: int
    blocked_until: datetime | None

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def campaign_left(self) -> int:
        return max(0, self.campaign_cap - self.used)


def attempts_in_window(session: Session, account_id: int, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(SendAttempt)
        .where(SendAttempt.account_id == account_id, SendAttempt.attempted_at > now - WINDOW)
    ) or 0


def budget(
    session: Session,
    account_id: int,
    now: datetime,
    *,
    limit: int,
    blocked_until: datetime | None,
    reply_reserve_per_minute: int,
) -> Budget:
    return Budget(
        limit=limit,
        used=attempts_in_window(session, account_id, now),
        campaign_cap=campaign_cap(limit, reply_reserve_per_minute),
        blocked_until=blocked_until,
    )


def slot_free_at(
    session: Session, account_id: int, now: datetime, allowed: int, *, used: int
) -> datetime:
    """When fewer than ``allowed`` attempts will be in the window (``now`` if already);
    ``used`` is ``attempts_in_window`` at ``now``, as the caller already counted it."""
    if used < allowed:
        return now
    # The window must lose used - allowed + 1 attempts: wait for that one to age out.
    oldest = session.scalar(
        select(SendAttempt.attempted_at)
        .where(SendAttempt.account_id == account_id, SendAttempt.attempted_at > now - WINDOW)
        .order_by(SendAttempt.attempted_at)
        .offset(used - allowed)
        .limit(1)
    )
    return now if oldest is None else oldest + WINDOW


def log_attempt(session: Session, account_id: int, outbound_id: int, now: datetime) -> int:
    attempt = SendAttempt(account_id=account_id, outbound_id=outbound_id, attempted_at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def settle_attempt(session: Session, attempt_id: int, answered_at: datetime) -> None:
    """Move an attempt to when its answer came: the platform counted it no later."""
    session.execute(
        update(SendAttempt)
        .where(SendAttempt.id == attempt_id, SendAttempt.attempted_at < answered_at)
        .values(attempted_at=answered_at)
    )


def forget_attempt(session: Session, attempt_id: int) -> None:
    """A 429: the platform did nothing, so the attempt costs nothing."""
    session.execute(delete(SendAttempt).where(SendAttempt.id == attempt_id))


def block(session: Session, account_id: int, until: datetime) -> None:
    """No send for the account before ``until`` (keeps a later block already set)."""
    session.execute(
        update(Account)
        .where(
            Account.id == account_id,
            (Account.send_blocked_until.is_(None)) | (Account.send_blocked_until < until),
        )
        .values(send_blocked_until=until)
    )


def prune(session: Session, account_id: int, now: datetime) -> None:
    session.execute(
        delete(SendAttempt).where(
            SendAttempt.account_id == account_id, SendAttempt.attempted_at < now - KEEP_ATTEMPTS
        )
    )
