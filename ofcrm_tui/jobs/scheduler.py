"""The two background jobs, poll and drain, on APScheduler 3.x.

The same ``BackgroundJobs`` runs inside the TUI and headless as ``ofcrm worker``:

- **poll** (every ``poll_interval_seconds``): ``InboundSync.poll()`` for every account;
- **drain** (every ``drain_interval_seconds``, or sooner): ``Sender.drain()`` for every
  account. A drain sends while budget and due messages last, then says when there will
  be something to do again (a slot of the send window frees, a backoff ends, a 429 block
  lifts); the drain job is moved forward to that time when it is sooner than the next
  regular run.

Each job only dispatches: every account is polled and drained (``runs.AccountRuns``) in
a small thread pool of our own, at most one poll and ``send_concurrency`` drains
("lanes") per account at a time, so a slow or blocked account never holds the others
back, and one send hanging until its timeout does not stop the account's other sends.
Lanes claim through the database like separate processes would. The scheduler has an
in-memory job store (job stores must never be shared between schedulers),
``max_instances=1`` and ``coalesce=True``. Correctness never depends on the scheduler: claims, the limiter and
leases live in the database, so any number of processes may run these jobs at once.

``shutdown(wait=True)`` stops claiming new messages, lets in-flight sends finish and
record their outcome, then returns.

A role taken off the team (``ofcrm team remove-worker``: its privileges and its login
gone) is refused by the database at its next query: the jobs log that once, in one line,
and stop dispatching (``cut_off`` says why; ``ofcrm worker`` then shuts down), rather
than log the refusal's traceback at every run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor as Pool
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access, accounts
from ofcrm_tui.core.accounts import AccountRef
from ofcrm_tui.core.outbox.work import SenderConfig
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.jobs.events import DrainFailed, JobEvent, PollFailed
from ofcrm_tui.jobs.runs import AccountRuns, ClientFactory
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.types import utcnow

if TYPE_CHECKING:  # the scheduler is loaded when the jobs start
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
# APScheduler reports every run at INFO and odd timing at WARNING; with no handler of its
# own that would reach stderr (and the TUI's screen). Our jobs log what matters.
if logging.getLogger("apscheduler").level == logging.NOTSET:
    logging.getLogger("apscheduler").setLevel(logging.ERROR)

POLL_JOB = "poll"
DRAIN_JOB = "drain"
KEY_RECHECK = timedelta(seconds=60)

EventHandler = Callable[[JobEvent], None]


class BackgroundJobs:
    """``BackgroundJobs(context, on_event=...)`` or ``BackgroundJobs(db, settings, ...)``."""

    def __init__(
        self,
        source: AppContext | Database,
        settings: Settings | None = None,
        *,
        on_event: EventHandler | None = None,
        accounts: Collection[str] | None = None,
        poll: bool = True,
        drain: bool = True,
        worker_id: str | None = None,
        lease_seconds: float | None = None,
        reconcile_grace_seconds: float | None = None,
        send_concurrency: int = 3,
        max_threads: int = 16,
        client_factory: ClientFactory | None = None,
        clock: Callable[[], datetime] = utcnow,
        keyed_only: bool = False,
    ) -> None:
        if isinstance(source, AppContext):
            self.db = source.db
            settings = settings or source.settings
        else:
            self.db = source
        if settings is None:
            raise TypeError("BackgroundJobs needs settings with a Database")
        self.settings = settings
        self._on_event = on_event
        self._only = set(accounts) if accounts else None
        # ``ofcrm worker``: serve only the accounts whose platform key is here.
        self._keyed_only = keyed_only
        self._keys: dict[int, tuple[bool, datetime]] = {}
        if send_concurrency < 1:
            raise OfcrmError("send concurrency must be at least 1")
        self._send_concurrency = send_concurrency
        self._poll_enabled = poll
        self._drain_enabled = drain
        self._clock = clock
        self.sender_config = SenderConfig.from_settings(
            settings,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
            reconcile_grace_seconds=reconcile_grace_seconds,
        )
        self._busy: set[tuple[str, int, int]] = set()
        self._dispatching: set[str] = set()
        self._again: set[str] = set()
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        # Why the jobs stopped by themselves: this role is no longer on the team.
        self.cut_off: str | None = None
        self._started = False
        self._closed = False
        self._runs = AccountRuns(
            self.db, settings, self.sender_config, emit=self._emit,
            drain_at=lambda when: self._run_soon(DRAIN_JOB, when), stopping=self._stopping,
            clock=clock, client_factory=client_factory,
        )
        self._pool = Pool(max_workers=max_threads, thread_name_prefix="ofcrm-jobs")
        self._scheduler: BackgroundScheduler | None = None  # made by ``start``

    @property
    def worker_id(self) -> str:
        return self.sender_config.worker_id

    @property
    def running(self) -> bool:
        return self._started and not self._closed

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._scheduler = _new_scheduler()
            now = self._clock()
            if self._poll_enabled:
                self._scheduler.add_job(
                    self._poll_all,
                    "interval",
                    seconds=self.settings.poll_interval_seconds,
                    id=POLL_JOB,
                    name="poll accounts",
                    next_run_time=now,
                )
            if self._drain_enabled:
                self._scheduler.add_job(
                    self._drain_all,
                    "interval",
                    seconds=self.settings.drain_interval_seconds,
                    id=DRAIN_JOB,
                    name="drain outbound queues",
                    next_run_time=now,
                )
            self._scheduler.start()
            self._started = True
        log.info(
            "background jobs started (worker %s; poll %s, drain %s)",
            self.worker_id,
            "on" if self._poll_enabled else "off",
            "on" if self._drain_enabled else "off",
        )

    def shutdown(self, wait: bool = True) -> None:
        """Stop the jobs; with ``wait``, in-flight sends finish and are recorded first."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping.set()
            started = self._started
        if started:
            self._scheduler.shutdown(wait=wait)
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if wait:
            self._runs.close()
        log.info("background jobs stopped (worker %s)", self.worker_id)

    def account_ids(self) -> list[int]:
        """The accounts these jobs poll and drain (reads the database)."""
        return [account.id for account in accounts.accounts_to_serve(self.db, self._only)]

    def poll_now(self) -> None:
        """Poll every account as soon as possible."""
        self._run_soon(POLL_JOB, self._clock())

    def drain_now(self) -> None:
        """Drain every account as soon as possible (e.g. right after a reply is queued)."""
        self._run_soon(DRAIN_JOB, self._clock())

    def _run_soon(self, job_id: str, when: datetime) -> None:
        with self._lock:
            if not self.running:
                return
            if job_id in self._dispatching and when <= self._clock():
                # Running right now: it goes round once more instead (APScheduler would
                # skip a run that overlaps, with a warning).
                self._again.add(job_id)
                return
            job = self._scheduler.get_job(job_id)
            if job is None or (job.next_run_time is not None and job.next_run_time <= when):
                return
            try:
                job.modify(next_run_time=when)
            except Exception:  # noqa: BLE001 - the scheduler is stopping
                log.debug("could not move job %s", job_id, exc_info=True)

    # -- dispatch ------------------------------------------------------------------

    def _poll_all(self) -> None:
        self._dispatch(POLL_JOB, self._runs.poll, lanes=1)

    def _drain_all(self) -> None:
        self._dispatch(DRAIN_JOB, self._runs.drain, lanes=self._send_concurrency)

    def _dispatch(self, job: str, work: Callable[[AccountRef], None], *, lanes: int) -> None:
        """Hand every account's work to the pool (lanes still busy from before are left)."""
        with self._lock:
            self._dispatching.add(job)
        try:
            while True:
                for account in self._dispatchable():
                    for lane in range(lanes):
                        self._submit(job, account, work, lane=lane)
                with self._lock:
                    if job not in self._again:
                        self._dispatching.discard(job)
                        return
                    self._again.discard(job)
        finally:
            with self._lock:
                self._dispatching.discard(job)

    def _dispatchable(self) -> list[AccountRef]:
        if self._stopping.is_set():
            return []
        try:
            found = accounts.accounts_to_serve(self.db, self._only)
        except Exception as exc:  # noqa: BLE001 - the database may be busy or away; try next run
            if not self._refused(exc):
                log.exception("cannot list accounts")
            return []
        return [account for account in found if self._has_key(account)]

    def _has_key(self, account: AccountRef) -> bool:
        """With ``keyed_only``: whether the account's key is here (looked up again
        every ``KEY_RECHECK``, so a key added later is picked up)."""
        if not self._keyed_only:
            return True
        now = self._clock()
        with self._lock:
            known = self._keys.get(account.id)
        if known is None or now - known[1] >= KEY_RECHECK:
            found = secrets.has_token(account.name)
            with self._lock:
                self._keys[account.id] = (found, now)
            if known is None or known[0] != found:
                log.info("account %s: %s", account.name,
                         "key here, served" if found else "no key here, not served")
            return found
        return known[0]

    def _submit(
        self, job: str, account: AccountRef, work: Callable[[AccountRef], None], *, lane: int = 0
    ) -> None:
        key = (job, account.id, lane)
        with self._lock:
            if key in self._busy or self._stopping.is_set():
                return
            self._busy.add(key)

        def run() -> None:
            try:
                work(account)
            except Exception as exc:  # noqa: BLE001 - one account's trouble stays its own
                if self._refused(exc):
                    return
                log.exception("%s of account %s failed", job, account.name)
                message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self._emit(
                    PollFailed(account.id, message)
                    if job == POLL_JOB
                    else DrainFailed(account.id, message)
                )
            finally:
                with self._lock:
                    self._busy.discard(key)

        try:
            self._pool.submit(run)
        except RuntimeError:  # the pool is shutting down
            with self._lock:
                self._busy.discard(key)

    def _refused(self, exc: BaseException) -> bool:
        """Whether ``exc`` says this role is no longer on the team (``access.off_the_team``):
        then the jobs stop, said once in one line."""
        lost = access.off_the_team(self.db, exc)
        if lost is None:
            return False
        with self._lock:
            first = self.cut_off is None
            if first:
                self.cut_off = str(lost)
            self._stopping.set()
        if first:
            log.error("%s; the jobs stop", lost)
        return True

    def _emit(self, event: JobEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # noqa: BLE001 - a broken handler must not stop the jobs
            log.exception("event handler failed for %s", type(event).__name__)


def _new_scheduler() -> BackgroundScheduler:
    """APScheduler with an in-memory job store (never shared), ``max_instances=1`` and
    ``coalesce=True``; loaded when the jobs start, not when the app or a command loads."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    return BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
