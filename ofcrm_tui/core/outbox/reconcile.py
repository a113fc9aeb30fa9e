"""Reconciliation: settling sends with no clear answer by reading the fan's chat.

The contract has no idempotency keys: after a timeout, a broken connection, a 5xx or
a worker that died mid-send, the only way to know is to look. A row in ``unknown`` is
matched against the fan's chat, newest first: an outbound message (from the creator)
with the same plain text and price, created after the row's first attempt, that no
other outbound row has already claimed as its own. Found means ``sent`` (and the
message written to the thread); not found once the grace period after the last attempt
has passed means ``queued`` again (``paused`` or ``cancelled`` when its campaign is:
``back_in_line``), or ``failed`` after the last attempt. The matching
and those state changes are here together, in ``Reconciler``; ``expire_leases`` turns
the ``sending`` rows of a worker that died into ``unknown`` ones.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ofcrm_tui.core import accounts, metrics
from ofcrm_tui.core.outbox.rules import back_in_line
from ofcrm_tui.core.outbox.work import DrainReport, SenderConfig
from ofcrm_tui.core.threads import store_sent_message
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import ErrorKind, PlatformError, RateLimited, one_line
from ofcrm_tui.platform.wire import Message as WireMessage
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundKind, OutboundState
from ofcrm_tui.store.models import Fan, OutboundMessage

log = logging.getLogger(__name__)

# How far a server's clock may be behind ours when comparing "created after".
CLOCK_TOLERANCE = timedelta(seconds=10)
# A chat busier than this many messages since the first attempt is not read further.
MAX_PAGES = 10


@dataclass(frozen=True)
class Unsettled:
    """What matching needs to know about one ``unknown`` row."""

    outbound_id: int
    text: str
    price_cents: int
    first_attempt_at: datetime


@dataclass(frozen=True)
class UnknownRow:
    """An ``unknown`` outbound row as reconciliation reads it."""

    outbound_id: int
    fan_id: int
    platform_user_id: int
    text: str
    price_cents: int
    attempts: int
    max_attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime
    last_error: str | None
    created_by: str
    created_at: datetime
    kind: str

    def unsettled(self) -> Unsettled:
        return Unsettled(self.outbound_id, self.text, self.price_cents, self.first_attempt_at)


def same_text(wire_text: str, text: str) -> bool:
    """Plain texts equal, ignoring how a server may have reflowed whitespace."""
    return wire_text == text or " ".join(wire_text.split()) == " ".join(text.split())


def read_since(
    client: PlatformClient, platform_user_id: int, since: datetime
) -> list[WireMessage]:
    """The fan's messages created from ``since`` (less the clock tolerance), newest first."""
    floor = since - CLOCK_TOLERANCE
    found: list[WireMessage] = []
    before: int | None = None
    for _ in range(MAX_PAGES):
        page = client.messages_page(platform_user_id, before_id=before)
        for message in page.items:
            if message.created_at < floor:
                return found
            found.append(message)
        if not page.has_more or not page.items:
            return found
        oldest = min(message.id for message in page.items)
        if before is not None and oldest >= before:
            return found
        before = oldest
    return found


def match(
    rows: Sequence[Unsettled],
    chat: Iterable[WireMessage],
    *,
    creator_id: int | None,
    taken: set[int],
) -> dict[int, WireMessage]:
    """Outbound row id -> the chat message that is its delivery, for the rows found.

    Rows are matched oldest first, each to the oldest fitting message not ``taken``
    (platform ids already settling another row), so two rows with the same text get
    two different messages.
    """
    outbound = sorted(
        (m for m in chat if creator_id is None or m.from_user.id == creator_id),
        key=lambda m: m.id,
    )
    used = set(taken)
    found: dict[int, WireMessage] = {}
    for row in sorted(rows, key=lambda r: (r.first_attempt_at, r.outbound_id)):
        floor = row.first_attempt_at - CLOCK_TOLERANCE
        for message in outbound:
            if message.id in used or message.created_at < floor:
                continue
            if message.price_cents == row.price_cents and same_text(message.text, row.text):
                found[row.outbound_id] = message
                used.add(message.id)
                break
    return found


class Reconciler:
    """Settles one account's ``unknown`` rows through one client; made by the sender."""

    def __init__(
        self,
        db: Database,
        account_id: int,
        client: PlatformClient,
        config: SenderConfig,
        *,
        clock: Callable[[], datetime],
        creator: Callable[[], int | None],
    ) -> None:
        self.db = db
        self.account_id = account_id
        self.client = client
        self.config = config
        self._clock = clock
        self._creator = creator  # the creator's platform id (messages from it are outbound)

    def due(self, report: DrainReport, stop: threading.Event | None = None) -> None:
        """Look in the chat for ``unknown`` rows whose turn it is."""
        rows = self._take_due()
        if rows:
            self._reconcile(rows, report, stop)

    def now(self, ids: Sequence[int], report: DrainReport, stop: threading.Event | None) -> None:
        """Look at once for these ``unknown`` rows (most ambiguous sends are settled by
        one look at the chat right away)."""
        with self.db.read() as session:
            rows = self._snapshot(session, ids)
        self._reconcile(rows, report, stop)

    def _take_due(self) -> list[UnknownRow]:
        now = self._clock()
        due = (
            OutboundMessage.account_id == self.account_id,
            OutboundMessage.state == OutboundState.UNKNOWN,
            OutboundMessage.next_attempt_at <= now,
        )
        with self.db.read() as session:
            if session.scalar(select(func.count()).select_from(OutboundMessage).where(*due)) == 0:
                return []
        with self.db.write() as session:
            ids = list(
                session.scalars(
                    select(OutboundMessage.id)
                    .where(*due)
                    .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
                    .limit(self.config.reconcile_batch)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            # Ours for a lease: other workers do not read the same chats meanwhile.
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(ids), *due)
                .values(next_attempt_at=now + self.config.lease)
            )
            return self._snapshot(session, ids)

    def _snapshot(self, session: Session, ids: Sequence[int]) -> list[UnknownRow]:
        rows = session.execute(
            select(OutboundMessage, Fan.platform_user_id)
            .join(Fan, Fan.id == OutboundMessage.fan_id)
            .where(
                OutboundMessage.account_id == self.account_id,
                OutboundMessage.id.in_(list(ids)),
                OutboundMessage.state == OutboundState.UNKNOWN,
            )
        ).all()
        result = []
        for row, platform_user_id in rows:
            last = row.last_attempt_at or row.updated_at
            result.append(
                UnknownRow(
                    outbound_id=row.id,
                    fan_id=row.fan_id,
                    platform_user_id=platform_user_id,
                    text=row.text,
                    price_cents=row.price_cents,
                    attempts=row.attempts,
                    max_attempts=row.max_attempts,
                    first_attempt_at=row.first_attempt_at or last,
                    last_attempt_at=last,
                    last_error=row.last_error,
                    created_by=row.created_by,
                    created_at=row.created_at,
                    kind=row.kind,
                )
            )
        return result

    def _reconcile(
        self, rows: list[UnknownRow], report: DrainReport, stop: threading.Event | None
    ) -> None:
        by_fan: dict[int, list[UnknownRow]] = {}
        for row in rows:
            by_fan.setdefault(row.platform_user_id, []).append(row)
        creator_id = self._creator()
        for platform_user_id, group in by_fan.items():
            if _stopped(stop):
                return  # what is left is picked up again once its reservation lapses
            read_at = self._clock()
            since = min(row.first_attempt_at for row in group)
            try:
                chat = read_since(self.client, platform_user_id, since)
            except PlatformError as exc:
                self._reconcile_later(group, exc, report)
                if exc.kind == ErrorKind.UNAUTHORIZED:
                    return
                continue
            except Exception as exc:  # noqa: BLE001 - try again later, never resend blindly
                log.exception("reading chat %s to settle sends failed", platform_user_id)
                self._reconcile_later(group, exc, report)
                continue
            try:
                with self.db.write() as session:
                    self._settle(session, group, chat, creator_id, read_at, report)
            except IntegrityError:
                log.warning("settling sends to %s raced another worker; will look again", platform_user_id)

    def _settle(
        self,
        session: Session,
        group: list[UnknownRow],
        chat: list[WireMessage],
        creator_id: int | None,
        read_at: datetime,
        report: DrainReport,
    ) -> None:
        now = self._clock()
        ids = [message.id for message in chat]
        taken = (
            set(
                session.scalars(
                    select(OutboundMessage.platform_message_id).where(
                        OutboundMessage.account_id == self.account_id,
                        OutboundMessage.platform_message_id.in_(ids),
                    )
                )
            )
            if ids
            else set()
        )
        found = match(
            [row.unsettled() for row in group],
            chat,
            creator_id=creator_id,
            taken=taken,
        )

        def move(outbound_id: int, state: OutboundState | ColumnElement[str], **values: object) -> bool:
            """The row to ``state`` if still unknown (no other worker settled it)."""
            return bool(
                session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.id == outbound_id,
                        OutboundMessage.state == OutboundState.UNKNOWN,
                    )
                    .values(state=state, updated_at=now, **values)
                ).rowcount
            )

        for row in group:
            message = found.get(row.outbound_id)
            if message is not None:
                if move(
                    row.outbound_id,
                    OutboundState.SENT,
                    platform_message_id=message.id,
                    sent_at=now,
                    last_error=None,
                ):
                    store_sent_message(
                        session, self.account_id, row.fan_id, message, sent_by=row.created_by,
                        is_campaign=row.kind == OutboundKind.CAMPAIGN,
                    )
                    metrics.record(session, self.account_id, metrics.RECONCILED)
                    metrics.record(session, self.account_id, metrics.SENT)
                    metrics.record(
                        session,
                        self.account_id,
                        metrics.QUEUE_LATENCY,
                        (now - row.created_at).total_seconds(),
                    )
                    report.reconciled.append(row.outbound_id)
                    report.sent.append(row.outbound_id)
                continue
            settle_after = row.last_attempt_at + self.config.reconcile_grace
            if read_at < settle_after:
                # Too early to conclude: a request of the last attempt may still land.
                session.execute(
                    update(OutboundMessage)
                    .where(
                        OutboundMessage.id == row.outbound_id,
                        OutboundMessage.state == OutboundState.UNKNOWN,
                    )
                    .values(next_attempt_at=settle_after)
                )
                continue
            if row.attempts >= row.max_attempts:
                reason = one_line(
                    f"not delivered after {row.attempts} attempts: {row.last_error or 'no answer'}"
                )
                if move(row.outbound_id, OutboundState.FAILED, last_error=reason):
                    metrics.record(session, self.account_id, metrics.SEND_FAILED)
                    report.failed.append(row.outbound_id)
                continue
            if move(row.outbound_id, back_in_line(), next_attempt_at=now):
                metrics.record(session, self.account_id, metrics.RECONCILE_REQUEUED)
                report.requeued.append(row.outbound_id)

    def _reconcile_later(
        self, group: list[UnknownRow], error: Exception, report: DrainReport
    ) -> None:
        now = self._clock()
        delay = self.config.backoff_base_seconds * 2
        if isinstance(error, RateLimited):
            delay = max(delay, error.retry_after)
        log.info("cannot read the chat to settle sends yet (%s)", error)
        with self.db.write() as session:
            if isinstance(error, PlatformError) and error.kind == ErrorKind.UNAUTHORIZED:
                accounts.set_auth_error(session, self.account_id, error.message)
                report.auth_error = error.message
            session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id.in_([row.outbound_id for row in group]),
                    OutboundMessage.state == OutboundState.UNKNOWN,
                )
                .values(next_attempt_at=now + timedelta(seconds=delay))
            )


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def expire_leases(db: Database, account_id: int, now: datetime) -> list[int]:
    """``sending`` rows whose lease ran out (their worker died) become ``unknown``."""
    expired = _sending_expired(account_id, now)
    with db.read() as session:
        if session.scalar(select(func.count()).select_from(OutboundMessage).where(*expired)) == 0:
            return []
    with db.write() as session:
        ids = list(
            session.scalars(
                select(OutboundMessage.id)
                .where(*expired)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id.in_(ids), *expired)
            .values(
                state=OutboundState.UNKNOWN,
                lease_owner=None,
                lease_expires_at=None,
                next_attempt_at=now,
                last_error="the worker sending it stopped before recording the outcome",
                updated_at=now,
            )
        )
        for _ in ids:
            metrics.record(session, account_id, metrics.LEASE_EXPIRED)
    log.warning("account %s: %d sends of a stopped worker to check", account_id, len(ids))
    return ids


def _sending_expired(account_id: int, now: datetime) -> tuple[object, ...]:
    return (
        OutboundMessage.account_id == account_id,
        OutboundMessage.state == OutboundState.SENDING,
        OutboundMessage.lease_expires_at < now,
    )
