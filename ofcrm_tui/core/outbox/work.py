"""What a drain works with and reports: the sender's config, a claim, an outcome, the report."""

from __future__ import annotations

import enum
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ofcrm_tui.core.outbox.rules import (
    DEFAULT_PRESENCE_EXPIRY_SECONDS,
    DEFAULT_REPLY_RESERVE_PER_MINUTE,
)
from ofcrm_tui.errors import UsageError
from ofcrm_tui.platform.errors import ErrorKind, PlatformError, one_line

if TYPE_CHECKING:
    from ofcrm_tui.config import Settings
    from ofcrm_tui.platform.wire import Message as WireMessage

SENT = "sent"
DEFAULT_RECONCILE_GRACE_SECONDS = 30.0


def default_lease_seconds(http_timeout_seconds: float) -> float:
    """Long enough for the slowest send (connect, write and read timeouts) to end."""
    return max(60.0, 3 * http_timeout_seconds + 15)


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
    reply_reserve_per_minute: int = DEFAULT_REPLY_RESERVE_PER_MINUTE
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 300.0
    # A platform that refuses connections is tried again (``core.outage``) without using
    # up a row's attempts, until the row has waited on the outage this long.
    outage_retry: timedelta = timedelta(minutes=30)
    outage_backoff_cap_seconds: float = 60.0
    reconcile_batch: int = 50
    # A campaign row waits while a chatter types to its fan; their app's presence row
    # counts for this long after its last beat.
    presence_expiry_seconds: float = DEFAULT_PRESENCE_EXPIRY_SECONDS

    def __post_init__(self) -> None:
        if self.lease <= timedelta(0) or self.reconcile_grace < timedelta(0):
            raise ValueError("lease must be positive and reconcile_grace not negative")
        if self.reply_reserve_per_minute < 0:
            raise ValueError("reply_reserve_per_minute must not be negative")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        worker_id: str | None = None,
        lease_seconds: float | None = None,
        reconcile_grace_seconds: float | None = None,
    ) -> SenderConfig:
        """The config for the settings' HTTP timeout and reply reserve, with the lease and
        grace of ``lease_and_grace``."""
        lease, grace = lease_and_grace(settings, lease_seconds, reconcile_grace_seconds)
        return cls(
            worker_id=worker_id or default_worker_id(),
            lease=timedelta(seconds=lease),
            reconcile_grace=timedelta(seconds=grace),
            reply_reserve_per_minute=settings.reply_reserve_per_minute,
            outage_retry=timedelta(minutes=settings.outage_retry_minutes),
            presence_expiry_seconds=settings.presence_expiry_seconds,
        )



def lease_and_grace(
    settings: Settings, lease_seconds: float | None, reconcile_grace_seconds: float | None
) -> tuple[float, float]:
    """A sender's lease and reconcile grace in seconds, derived from the settings' HTTP
    timeout unless given; a given one too short for the timeout is a bad value (a usage
    error, exit 2), which ``ofcrm worker`` asks before it opens the database."""
    timeout = settings.http_timeout_seconds
    lease = default_lease_seconds(timeout) if lease_seconds is None else lease_seconds
    if lease < 2 * timeout + 1:
        raise UsageError(
            f"the send lease ({lease:g} s) must be at least twice the HTTP timeout plus "
            f"a second ({2 * timeout + 1:g} s), or a slow send would be taken for a dead one"
        )
    grace = (
        max(DEFAULT_RECONCILE_GRACE_SECONDS, 2 * timeout)
        if reconcile_grace_seconds is None
        else reconcile_grace_seconds
    )
    if grace < 2 * timeout:
        raise UsageError(
            f"the reconcile grace ({grace:g} s) must be at least twice the HTTP timeout "
            f"({2 * timeout:g} s)"
        )
    return lease, grace

class Idle(enum.StrEnum):
    """Why a claim found nothing to send."""

    NO_WORK = "no due messages"
    NO_BUDGET = "send limit reached for this minute"
    BLOCKED = "rate limited by the platform"
    UNREACHABLE = "the platform is unreachable"
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
            return SENT
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
    unreachable_until: datetime | None = None  # a refused connection: the next try
    auth_error: str | None = None
    idle: Idle | None = None
    next_wake_at: datetime | None = None
