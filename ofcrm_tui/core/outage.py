"""An account's platform outage: connections that could not be made, and when to try again.

A connection that was never made sent nothing, so a refused send is no attempt at all
(the sender takes it back from the send window and from the row's tries). Sends and polls
record each refusal here (``unreachable``) and end the outage on any answer at all
(``reachable``). While an outage is recorded, neither sends nor polls go out before its
``retry_at``: each wait is about as long as the outage so far (half of it fixed, half
random), so waits double, from ``base`` seconds up to ``cap`` — a platform down for a
minute is tried a handful of times, one down for an hour once a minute.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.store.models import Account

BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 60.0

_ACCOUNTS = Account.__table__
# Made once: every recorded send answer runs it.
_END = (
    _ACCOUNTS.update()
    .where(_ACCOUNTS.c.id == bindparam("b_account"), _ACCOUNTS.c.unreachable_since.is_not(None))
    .values(unreachable_since=None, unreachable_retry_at=None)
)


@dataclass(frozen=True)
class Outage:
    since: datetime  # the first refused connection of this outage
    retry_at: datetime  # no send or poll before this

    def retry_in(self, now: datetime) -> float:
        """Seconds until the next try (0: due now)."""
        return max(0.0, (self.retry_at - now).total_seconds())


def current(session: Session, account_id: int) -> Outage | None:
    """The account's outage, None while the platform answers."""
    row = session.execute(
        select(Account.unreachable_since, Account.unreachable_retry_at).where(
            Account.id == account_id
        )
    ).one_or_none()
    if row is None or row.unreachable_since is None:
        return None
    return Outage(row.unreachable_since, row.unreachable_retry_at or row.unreachable_since)


def backoff(
    elapsed: float,
    rng: random.Random,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> float:
    """Seconds to wait after a refusal ``elapsed`` seconds into an outage."""
    delay = min(cap, max(base, elapsed))
    return delay / 2 + rng.random() * delay / 2


def unreachable(
    session: Session,
    account_id: int,
    now: datetime,
    rng: random.Random,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> Outage:
    """Record a connection refused at ``now`` (inside a write unit of work); returns the
    outage with its next try (a later one set meanwhile by another process is kept)."""
    row = session.execute(
        select(Account.unreachable_since, Account.unreachable_retry_at)
        .where(Account.id == account_id)
        .with_for_update()
    ).one()
    since = row.unreachable_since or now
    elapsed = (now - since).total_seconds()
    retry_at = now + timedelta(seconds=backoff(elapsed, rng, base=base, cap=cap))
    if row.unreachable_retry_at is not None and row.unreachable_retry_at > retry_at:
        retry_at = row.unreachable_retry_at
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(unreachable_since=since, unreachable_retry_at=retry_at)
    )
    return Outage(since, retry_at)


def reachable(session: Session, account_id: int) -> bool:
    """The platform answered: end the account's outage; True when there was one."""
    return bool(session.execute(_END, {"b_account": account_id}).rowcount)
