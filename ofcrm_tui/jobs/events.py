"""What the background jobs tell the app: small immutable events, posted from worker threads.

The TUI turns them into Textual messages (``App.post_message`` is thread-safe);
``ofcrm worker`` logs them. Ids are outbound row ids (``OutboundMessage.id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ofcrm_tui.core.sync import SyncReport


@dataclass(frozen=True)
class JobEvent:
    account_id: int


@dataclass(frozen=True)
class PollCompleted(JobEvent):
    report: SyncReport


@dataclass(frozen=True)
class PollFailed(JobEvent):
    error: str


@dataclass(frozen=True)
class MessagesClaimed(JobEvent):
    """Rows were claimed for sending: they are ``sending`` now, their send is in flight.

    One event per claim, that is per send request (which the send limit bounds); what
    became of them follows as ``MessagesSent``, ``MessagesFailed`` or ``QueueChanged``."""

    outbound_ids: tuple[int, ...]


@dataclass(frozen=True)
class MessagesSent(JobEvent):
    outbound_ids: tuple[int, ...]


@dataclass(frozen=True)
class MessagesFailed(JobEvent):
    outbound_ids: tuple[int, ...]


@dataclass(frozen=True)
class QueueChanged(JobEvent):
    """Rows moved without being sent or failed (retry scheduled, unknown, requeued...)."""

    outbound_ids: tuple[int, ...]


@dataclass(frozen=True)
class SendsBlocked(JobEvent):
    """The platform answered 429: no send for the account until ``until``."""

    until: datetime


@dataclass(frozen=True)
class AccountAuthFailed(JobEvent):
    """The platform refused the account's token; its jobs stop until it is fixed."""

    error: str


@dataclass(frozen=True)
class DrainFailed(JobEvent):
    """A drain run broke off (database or credential trouble); it runs again later."""

    error: str
