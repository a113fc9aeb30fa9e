"""The send limiter and the send policy: how many sends an account may make, and when.

An exact sliding log of send attempts per account, in the database.

Every process that sends for an account counts the same ``send_attempts`` rows, inside
the transaction that claims a message (see ``sender``), so any number of
processes together stay within the account's limit:

- an attempt is logged when a message is claimed, at the claim time;
- when the outcome is known it is moved to the time the answer came back (a later time,
  so the log only grows more conservative: the platform counted the send somewhere
  between the two);
- a ``429`` deletes it: the platform did nothing and counted nothing; so does a
  connection that could not be made (``Unreachable``): no request was written. Any
  other outcome, ambiguous ones included, keeps counting.

Campaign rows leave ``reply_reserve_per_minute`` sends of every window to replies (at
least one send always goes to campaigns), so replies always find room while a campaign
runs at nearly the full limit. ``SendPolicy`` holds the values that decide it (the
limit, a 429 block, the reply reserve; an outage, a credential error; how long a
chatter's presence counts, for the campaign rows that wait while their fan is typed
to), read once for the claim, the sender's next wake-up and the queue status alike.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import metrics
from ofcrm_tui.core.outbox.rules import (
    DEFAULT_PRESENCE_EXPIRY_SECONDS,
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
    fans_turn,
    nobody_typing,
)
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.models import Account, OutboundMessage, SendAttempt

WINDOW = timedelta(seconds=60)
# Attempts older than this are of no use to the limiter and are pruned now and then.
KEEP_ATTEMPTS = timedelta(days=1)
PRUNE_EVERY = timedelta(minutes=10)

_last_prune: dict[int, datetime] = {}
_prune_lock = threading.Lock()

# What every claim and record runs, made once with bound parameters on the tables: making
# a statement (and an ORM one's extra steps) costs more Python than running it, in the
# send lanes' threads beside the app's.
_ACCOUNTS = Account.__table__
_ATTEMPTS = SendAttempt.__table__
_POLICY = select(
    _ACCOUNTS.c.send_limit_per_minute,
    _ACCOUNTS.c.send_blocked_until,
    _ACCOUNTS.c.auth_error,
    _ACCOUNTS.c.unreachable_retry_at,
).where(_ACCOUNTS.c.id == bindparam("b_account"))
_POLICY_LOCKED = _POLICY.with_for_update()
_IN_WINDOW = (
    select(func.count())
    .select_from(_ATTEMPTS)
    .where(_ATTEMPTS.c.account_id == bindparam("b_account"),
           _ATTEMPTS.c.attempted_at > bindparam("b_since"))
)
_LOG = _ATTEMPTS.insert()
_ANSWERED_AT = bindparam("b_at", type_=_ATTEMPTS.c.attempted_at.type)
_SETTLE = (
    _ATTEMPTS.update()
    .where(_ATTEMPTS.c.id == bindparam("b_id"), _ATTEMPTS.c.attempted_at < _ANSWERED_AT)
    .values(attempted_at=_ANSWERED_AT)
)


def campaign_cap(limit: int, reply_reserve: int) -> int:
    """Attempts in a window up to which campaign rows may still be claimed."""
    return max(1, limit - reply_reserve)


def sends_take(sends: int, kind: OutboundKind, limit: int, reply_reserve: int) -> timedelta:
    """How long ``sends`` sends of rows of ``kind`` take, in whole minutes: campaign rows
    go at the limit less the reply reserve, replies and manual sends at the whole limit.
    Every send time shown is counted with it (campaigns' ETAs, a queued message's)."""
    return timedelta(minutes=math.ceil(sends / _per_minute(kind, limit, reply_reserve)))


def sends_within(span: timedelta, kind: OutboundKind, limit: int, reply_reserve: int) -> int:
    """How many sends of rows of ``kind`` go out in ``span`` (``sends_take`` the other
    way round): what a queue drains by a later time."""
    minutes = max(span.total_seconds(), 0) / 60
    return math.floor(minutes * _per_minute(kind, limit, reply_reserve))


def _per_minute(kind: OutboundKind, limit: int, reply_reserve: int) -> int:
    return campaign_cap(limit, reply_reserve) if kind == OutboundKind.CAMPAIGN else limit


@dataclass(frozen=True)
class SendPolicy:
    """How an account may send right now: its limit a minute, the end of a 429 block
    still in force (None when there is none), the sends of each window kept for replies,
    the credential error that stops its sends, and the next try of a platform outage
    still ahead (``core.outage``)."""

    limit: int
    blocked_until: datetime | None = None
    reply_reserve: int = DEFAULT_REPLY_RESERVE_PER_MINUTE
    auth_error: str | None = None
    unreachable_until: datetime | None = None
    # Presence rows beaten within this many seconds are live (campaign rows wait while
    # a chatter types to their fan: ``rules.nobody_typing``).
    presence_expiry_seconds: float = DEFAULT_PRESENCE_EXPIRY_SECONDS

    @classmethod
    def of_account(
        cls,
        session: Session,
        account_id: int,
        now: datetime,
        *,
        reply_reserve: int,
        lock: bool = False,
        presence_expiry_seconds: float = DEFAULT_PRESENCE_EXPIRY_SECONDS,
    ) -> SendPolicy | None:
        """The account's policy at ``now`` (None: no such account); ``lock`` takes the
        account row ``FOR UPDATE``, serialising the claims of one account."""
        query = _POLICY_LOCKED if lock else _POLICY
        row = session.execute(query, {"b_account": account_id}).one_or_none()
        if row is None:
            return None
        limit, blocked_until, auth_error, unreachable_until = row
        if blocked_until is not None and blocked_until <= now:
            blocked_until = None
        if unreachable_until is not None and unreachable_until <= now:
            unreachable_until = None
        return cls(limit, blocked_until, reply_reserve, auth_error, unreachable_until,
                   presence_expiry_seconds)

    @property
    def campaign_cap(self) -> int:
        return campaign_cap(self.limit, self.reply_reserve)

    def left(self, used: int) -> int:
        """Sends allowed now with ``used`` attempts in the window."""
        return 0 if self.blocked_until else max(0, self.limit - used)

    def campaign_left(self, used: int) -> int:
        """Of which campaign rows may take."""
        return 0 if self.blocked_until else max(0, self.campaign_cap - used)


def attempts_in_window(session: Session, account_id: int, now: datetime) -> int:
    return session.scalar(_IN_WINDOW, {"b_account": account_id, "b_since": now - WINDOW}) or 0


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


def next_send_at(
    session: Session,
    account_id: int,
    now: datetime,
    policy: SendPolicy,
    *,
    used: int | None = None,
) -> datetime | None:
    """When the next queued message may go out (budget, backoff, blocks and the fan's
    turn considered); None when no queued row may be claimed once due (nothing queued,
    or only rows waiting behind a fan's send in flight). ``used``: the attempts in the
    window at ``now``, when the caller has counted them already (counted here otherwise,
    once)."""

    def earliest(*conditions: object) -> datetime | None:
        return session.scalar(
            select(func.min(OutboundMessage.next_attempt_at)).where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.QUEUED,
                fans_turn(account_id),
                *conditions,
            )
        )

    reply_due = earliest(OutboundMessage.kind != OutboundKind.CAMPAIGN)
    campaign_due = earliest(
        OutboundMessage.kind == OutboundKind.CAMPAIGN,
        nobody_typing(account_id, now, policy.presence_expiry_seconds),
    )
    if reply_due is None and campaign_due is None:
        return None
    if used is None:
        used = attempts_in_window(session, account_id, now)
    candidates = []
    if reply_due is not None:
        free_at = slot_free_at(session, account_id, now, policy.limit, used=used)
        candidates.append(max(reply_due, free_at))
    if campaign_due is not None:
        free_at = slot_free_at(session, account_id, now, policy.campaign_cap, used=used)
        candidates.append(max(campaign_due, free_at))
    when = min(candidates)
    for paused_until in (policy.blocked_until, policy.unreachable_until):
        if paused_until is not None and paused_until > when:
            when = paused_until
    return max(when, now)


def next_wake_at(
    session: Session, account_id: int, now: datetime, policy: SendPolicy
) -> datetime | None:
    """The earliest time a drain of the account may have something to do: a send, an
    ``unknown`` row to look for, or a lease to run out. None: nothing."""
    times = [
        next_send_at(session, account_id, now, policy),
        session.scalar(
            select(func.min(OutboundMessage.next_attempt_at)).where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.UNKNOWN,
            )
        ),
        session.scalar(
            select(func.min(OutboundMessage.lease_expires_at)).where(
                OutboundMessage.account_id == account_id,
                OutboundMessage.state == OutboundState.SENDING,
            )
        ),
    ]
    present = [t for t in times if t is not None]
    return min(present) if present else None


def log_attempt(session: Session, account_id: int, outbound_id: int, now: datetime) -> int:
    inserted = session.execute(
        _LOG, {"account_id": account_id, "outbound_id": outbound_id, "attempted_at": now})
    return inserted.inserted_primary_key[0]


def settle_attempt(session: Session, attempt_id: int, answered_at: datetime) -> None:
    """Move an attempt to when its answer came: the platform counted it no later."""
    session.execute(_SETTLE, {"b_id": attempt_id, "b_at": answered_at})


def forget_attempt(session: Session, attempt_id: int) -> None:
    """A 429, or a connection that could not be made: the platform did nothing (or
    never heard of it), so the attempt costs nothing."""
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


def prune_now_and_then(db: Database, account_id: int, now: datetime) -> None:
    """Prune old attempts (and old metrics) of the account, at most every
    ``PRUNE_EVERY`` per process."""
    with _prune_lock:
        last = _last_prune.get(account_id)
        if last is not None and now - last < PRUNE_EVERY:
            return
        _last_prune[account_id] = now
    with db.write() as session:
        prune(session, account_id, now)
        metrics.prune(session, account_id, now)
