"""One account's poll and drain, as the jobs run them in their pool (``scheduler``
dispatches): the account's platform client, shared by its lanes; the read marks carried
to the platform before a poll; an outage or a 429 waited out; credentials refused
reported once; what each run did posted as a ``JobEvent``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.core import accounts, inbox, metrics, outage, outbox
from ofcrm_tui.core.accounts import AccountRef
from ofcrm_tui.core.outbox.work import SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.jobs.events import (
    AccountAuthFailed,
    JobEvent,
    MessagesClaimed,
    MessagesFailed,
    MessagesSent,
    PollCompleted,
    PollFailed,
    QueueChanged,
    SendsBlocked,
)
from ofcrm_tui.platform.clients import ClientCache, client_for
from ofcrm_tui.platform.errors import ErrorKind, PlatformError, RateLimited, Unreachable
from ofcrm_tui.store.database import Database

if TYPE_CHECKING:  # the clients are loaded when they start
    from ofcrm_tui.platform.client import PlatformClient

log = logging.getLogger(__name__)

QUEUE_DEPTH_EVERY = timedelta(seconds=60)

ClientFactory = Callable[[AccountRef], "PlatformClient"]


class AccountRuns:
    """The poll and drain runs of the jobs' accounts. ``emit`` posts an event; ``drain_at``
    brings the next drain forward (a drain says when it has work again; a poll that
    finds the platform back lets the sends waiting out its outage go)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        sender_config: SenderConfig,
        *,
        emit: Callable[[JobEvent], None],
        drain_at: Callable[[datetime], None],
        stopping: threading.Event,
        clock: Callable[[], datetime],
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.sender_config = sender_config
        self._emit = emit
        self._drain_at = drain_at
        self._stopping = stopping
        self._clock = clock
        # Made again at the next run once the address or a token here changed.
        self._clients = ClientCache(client_factory or self._make_client,
                                    tokens=secrets.tokens_stamp)
        self._lock = threading.Lock()
        self._poll_blocked: dict[int, datetime] = {}
        self._depth_recorded: dict[int, datetime] = {}
        self._credential_warned: set[int] = set()
        self._rng = random.Random()

    def close(self) -> None:
        """Close the accounts' clients (the runs are over)."""
        self._clients.close_all()

    # -- poll ----------------------------------------------------------------------

    def poll(self, account: AccountRef) -> None:
        now = self._clock()
        blocked = self._poll_blocked.get(account.id)
        if blocked is not None and blocked > now:
            return
        client = self._client(account)
        if client is None:
            return
        with self.db.read() as session:
            previous = metrics.last_recorded(session, account.id, metrics.POLL)
            down = outage.current(session, account.id)
        if down is not None and down.retry_at > now:
            return  # the platform refused connections: wait as the sends do
        try:
            self._carry_read_marks(account, client)
            report = InboundSync(self.db, account.id, client).poll()
        except PlatformError as exc:
            if exc.kind == ErrorKind.UNAUTHORIZED:
                self._auth_failed(account, exc.message)
            elif isinstance(exc, RateLimited):
                self._poll_blocked[account.id] = now + timedelta(seconds=exc.retry_after)
            with self.db.write() as session:
                metrics.record(session, account.id, metrics.POLL_FAILED)
                if isinstance(exc, Unreachable):
                    outage.unreachable(
                        session, account.id, self._clock(), self._rng,
                        base=self.sender_config.backoff_base_seconds,
                        cap=self.sender_config.outage_backoff_cap_seconds,
                    )
            log.info("poll of %s failed: %s", account.name, exc)
            self._emit(PollFailed(account.id, str(exc)))
            return
        except DBAPIError:
            # The database failed it (a deadlock's victim, a connection lost): a failed
            # poll for monitoring too, when the database takes the count; the jobs log
            # the error and tell the app.
            with contextlib.suppress(DBAPIError), self.db.write() as session:
                metrics.record(session, account.id, metrics.POLL_FAILED)
            raise
        done = self._clock()
        if previous is not None or down is not None:
            with self.db.write() as session:
                if previous is not None:
                    metrics.record(
                        session, account.id, metrics.POLL_LAG, (done - previous).total_seconds()
                    )
                back = outage.reachable(session, account.id)
            if back:  # sends waiting out the outage may go now
                log.info("platform of %s reachable again", account.name)
                self._drain_at(self._clock())
        self._emit(PollCompleted(account.id, report))

    def _carry_read_marks(self, account: AccountRef, client: PlatformClient) -> None:
        """Mark read on the platform the chats read in keyless apps (before the poll
        reads the platform's unread counts). A mark the platform refuses for good is
        dropped; one it cannot take now waits for the next poll."""
        done: list[int] = []
        try:
            for user_id in inbox.pending_read_marks(self.db, account.id):
                try:
                    client.mark_as_read(user_id)
                except PlatformError as exc:
                    if exc.kind is not ErrorKind.PERMANENT:
                        raise
                    log.info("chat %s of %s not marked read: %s", user_id, account.name, exc)
                done.append(user_id)
        finally:
            inbox.read_marks_done(self.db, account.id, done)

    # -- drain ---------------------------------------------------------------------

    def drain(self, account: AccountRef) -> None:
        client = self._client(account)
        if client is None:
            return
        # Scheduled campaigns due start here (exactly once across processes: see
        # core.campaigns.schedule), so their rows go out in this drain.
        from ofcrm_tui.core import campaigns
        from ofcrm_tui.core.outbox.sender import Sender

        campaigns.start_due_campaigns(self.db, account.id, now=self._clock())
        sender = Sender(self.db, account.id, client, self.sender_config, clock=self._clock)
        report = sender.drain(
            self._stopping,
            on_claimed=lambda claim: self._emit(MessagesClaimed(account.id, (claim.outbound_id,))),
        )
        if report.sent:
            self._emit(MessagesSent(account.id, tuple(report.sent)))
        if report.failed:
            self._emit(MessagesFailed(account.id, tuple(report.failed)))
        moved = tuple(
            dict.fromkeys(report.retried + report.unknown + report.requeued + report.lease_expired)
        )
        if moved:
            self._emit(QueueChanged(account.id, moved))
        if report.blocked_until is not None:
            self._emit(SendsBlocked(account.id, report.blocked_until))
        if report.auth_error:
            self._auth_failed(account, report.auth_error, recorded=True)
        self._record_depth(account)
        self._wake_for(report.next_wake_at)

    def _wake_for(self, wake: datetime | None) -> None:
        """Bring the next drain forward to when there is something to do again."""
        if wake is None or self._stopping.is_set():
            return
        self._drain_at(max(wake, self._clock()))

    def _record_depth(self, account: AccountRef) -> None:
        now = self._clock()
        last = self._depth_recorded.get(account.id)
        if last is not None and now - last < QUEUE_DEPTH_EVERY:
            return
        self._depth_recorded[account.id] = now
        outbox.record_depth(self.db, account.id)

    # -- clients -------------------------------------------------------------------

    def _make_client(self, account: AccountRef) -> PlatformClient:
        token = secrets.get_token(account.name)
        return client_for(account, token, timeout=self.settings.http_timeout_seconds)

    def _client(self, account: AccountRef) -> PlatformClient | None:
        """The account's client, shared by its poll and drain lanes; None (reported once)
        when it cannot be made (no token)."""
        try:
            client = self._clients.get(account)
        except (OfcrmError, ValueError) as exc:
            with self._lock:
                warned = account.id in self._credential_warned
                self._credential_warned.add(account.id)
            if not warned:
                log.warning("account %s cannot be used: %s", account.name, exc)
                self._emit(PollFailed(account.id, str(exc)))
            return None
        with self._lock:
            self._credential_warned.discard(account.id)
        return client

    def _auth_failed(self, account: AccountRef, error: str, *, recorded: bool = False) -> None:
        if not recorded:
            with self.db.write() as session:
                accounts.set_auth_error(session, account.id, error)
        # Dropped, not closed: another thread may still be using it. A new one, with the
        # token read afresh, is made once the account is fixed.
        self._clients.drop(account.id)
        log.warning("account %s: credentials refused (%s); skipped until fixed", account.name, error)
        self._emit(AccountAuthFailed(account.id, error))
