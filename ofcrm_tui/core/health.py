"""Monitoring: the state of the queue, the sends, the polls and the database, and
whether a person is needed.

``check(db, ...)`` reads everything in one unit of work and returns a frozen ``Health``:
per account the queue by state, sends in the last minute against the limit, the last
hour's counts of every observation in ``core.metrics`` (sends, failures, retries, 429
waits, ambiguous and reconciled sends...), send and queue latency p50 / p95, the last
poll and its lag, the credential state; the database size (on PostgreSQL, that of ofcrm's
tables in the connection's schema); and the ``problems`` that need a person, each with the
exit code ``ofcrm health`` gives it.

"Running" (for stalled polls): something polled or drained the account lately: a failed
poll or a queue depth recorded in the last ``RUNNING_WINDOW`` (the scheduler records
the depth at least once a minute while it drains). A running account whose last
successful poll is older than ``POLL_STALE`` needs a person.

"Stalled" (for a queue nobody drains): queued messages that a drain would send now (due,
their fan's turn, the account neither blocked by a 429 nor waiting out an outage nor
out of its sends of the minute) while nothing drained or sent the account for longer
than ``QUEUE_STALLED``: a worker stopped (or none was ever started) needs a person.
Rows scheduled or backing off until later are not waiting yet, and a credential error
is a problem of its own: rejected credentials, or (outside team mode: ``check(keyless=
False)``, as ``ofcrm health`` and the monitoring screen ask) no key for the account on
this machine, which no worker here can send with. The problem counts every queued message, as the queue's line does.

"Failed, waiting" (a warning): failed messages nobody has retried or discarded yet. Not
a fault of the machine, but a chatter has to act on them, so it is reported (the lowest
severity, ``Reason.FAILED_WAITING``) while no ``FAILURES`` line names them already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ofcrm_tui import secrets
from ofcrm_tui.core import metrics
from ofcrm_tui.core.accounts import unknown_account
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.core.outbox.rules import DEFAULT_REPLY_RESERVE_PER_MINUTE, fans_turn
from ofcrm_tui.core.outbox.views import shown_counts
from ofcrm_tui.core.analytics.percentiles import percentile_select
from ofcrm_tui.core.wording import counted
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.demo_file import DEMO_ACCOUNT, demo_running, is_demo_database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import Account, MetricEvent, OutboundMessage
from ofcrm_tui.store.types import utcnow

POLL_STALE = timedelta(minutes=1)
RUNNING_WINDOW = timedelta(minutes=2)
# Due messages waiting this long with no drain nor send of the account: no worker runs
# (a drain records the queue depth at least once a minute).
QUEUE_STALLED = RUNNING_WINDOW
HOUR = timedelta(hours=1)
# Failed rows count towards "piling up" while they are this recent and still failed.
FAILED_RECENT = timedelta(hours=24)
# Every observation monitoring counts per hour (all of core.metrics but the latencies).
COUNTED = (
    metrics.POLL, metrics.POLL_FAILED, metrics.SENT, metrics.SEND_FAILED, metrics.SEND_RETRIED,
    metrics.MANUAL_RETRY, metrics.RATE_LIMITED, metrics.AMBIGUOUS, metrics.LEASE_EXPIRED,
    metrics.RECONCILED, metrics.RECONCILE_REQUEUED,
)
LATENCIES = (metrics.SEND_LATENCY, metrics.QUEUE_LATENCY)


class Reason(IntEnum):
    """Why a person is needed; the value is ``ofcrm health``'s exit code."""

    CREDENTIALS = 2
    POLL_STALLED = 3
    FAILURES = 4
    DATABASE = 5
    QUEUE_STALLED = 6
    FAILED_WAITING = 7


@dataclass(frozen=True)
class Problem:
    reason: Reason
    account: str | None
    message: str  # about failed messages: without where to see them (``told``)

    @property
    def warning(self) -> bool:
        """A chatter's work waiting (said as a warning), not a fault of the machine."""
        return self.reason is Reason.FAILED_WAITING

    @property
    def about_failed(self) -> bool:
        """About failed messages, which a chatter retries or discards where the caller
        lists them: the app's Failed screen (its key), ``ofcrm failed list``."""
        return self.reason in (Reason.FAILURES, Reason.FAILED_WAITING)

    def told(self, failed_at: str) -> str:
        """The message, ending with where the failed messages are (``failed_at``) when
        it is about them."""
        return f"{self.message}: see {failed_at}" if self.about_failed else self.message


@dataclass(frozen=True)
class Latency:
    count: int
    p50: float | None
    p95: float | None


@dataclass(frozen=True)
class AccountHealth:
    account_id: int
    name: str
    queue: dict[str, int]  # rows by state, 0 when none (``outbox.views.shown_counts``)
    sends_last_minute: int  # send attempts in the sliding window, by every process
    send_limit: int
    blocked_until: datetime | None  # a 429 stops sends until then
    last_hour: dict[str, int]  # observations of the last hour, by metric name
    rate_limited_seconds: float  # 429 waits of the last hour, added up
    send_latency: Latency  # seconds, last hour
    queue_latency: Latency
    queue_depth: int | None  # as last recorded by a drain
    queue_depth_at: datetime | None  # when (up to a minute old while drains run)
    last_poll_at: datetime | None
    last_poll_failed_at: datetime | None
    last_drained_at: datetime | None  # the last queue depth a drain recorded
    poll_lag_seconds: float | None  # between the last two successful polls
    running: bool
    due_queued: int  # queued messages a drain would send now
    waiting_since: datetime | None  # since when they wait with no drain or send (None: none due)
    recent_failed: int  # rows failed in the last FAILED_RECENT and not retried
    auth_error: str | None
    key_here: bool | None = None  # a key for it on this machine (None: not looked for)
    key_missing: str | None = None  # why none is here, for ``key_here`` False
    key_in_demo: bool = False  # the key is the running ``ofcrm demo``'s, set inside it

    def depth_as_of(self, when: Callable[[datetime], str], unknown: str) -> str:
        """The queue's depth as a drain last recorded it, with when (``when`` writes the
        time as its caller writes times): ``depth 3 as of 11:59``, the app's monitoring
        and ``ofcrm health`` alike. Beside the queue's live counts it is not theirs.
        ``unknown`` stands for the depth no drain recorded yet."""
        if self.queue_depth is None or self.queue_depth_at is None:
            return f"depth {unknown}"
        return f"depth {self.queue_depth:,} as of {when(self.queue_depth_at)}"


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    database: str  # the URL, password masked
    database_bytes: int | None
    # What ``database_bytes`` counts when not the SQLite file: on PostgreSQL ofcrm's own
    # tables (with their indexes and TOAST) in the connection's schema, not the whole
    # database others may share.
    database_size_of: str | None
    accounts: tuple[AccountHealth, ...]
    problems: tuple[Problem, ...]

    @property
    def exit_code(self) -> int:
        return min((p.reason for p in self.problems), default=0)


def database_problem(database: str, error: BaseException | str) -> Health:
    """The health of a database that could not be read."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return not_checked(database, f"database unreachable: {reason}")


def not_checked(database: str, why: str) -> Health:
    """The health of a database that could not be checked (``why``: one line)."""
    return Health(
        checked_at=utcnow(),
        database=database,
        database_bytes=None,
        database_size_of=None,
        accounts=(),
        problems=(Problem(Reason.DATABASE, None, why),),
    )


def check(
    db: Database,
    *,
    account: str | None = None,
    failed_threshold: int,
    keyless: bool,
    now: datetime | None = None,
) -> Health:
    """The health of every account (or only ``account``), read in one unit of work.
    ``keyless``: team mode, where the keys stay with the workers and none is looked for
    here; otherwise whether each account's key is on this machine (``secrets.no_token_why``)
    is asked after the unit of work (a keyring may take a while). Every caller says which
    (``ofcrm health``, the monitoring screen): both report the same problems. An
    ``account`` no account is named is refused (``AccountError``), not a problem.
    On ``ofcrm demo``'s database, whose key only the demo holds (set inside it), no key
    here says to run the demo; while the demo runs its key is there, in the demo."""
    now = now or utcnow()
    with db.read() as session:
        query = select(Account).order_by(Account.name)
        if account is not None:
            query = query.where(Account.name == account)
        accounts = tuple(_account(session, a, now) for a in session.scalars(query))
        if account is not None and not accounts:  # a typo, as every command says it
            raise unknown_account(session, account)
        size, size_of = _database_size(db, session)
    if not keyless:
        accounts = tuple(_key_looked_for(a) for a in accounts)
    demo = None
    if any(a.key_here is False for a in accounts) and is_demo_database(db.engine.url):
        if demo_running(db.engine.url):  # its only account's key is in the demo's process
            accounts = tuple(replace(a, key_here=True, key_missing=None, key_in_demo=True)
                             for a in accounts)
        else:
            demo = DEMO_ACCOUNT
    problems = [p for a in accounts for p in _problems(a, now, failed_threshold, demo)]
    return Health(now, db.url_for_display, size, size_of, accounts, tuple(problems))


def _key_looked_for(account: AccountHealth) -> AccountHealth:
    """``account`` with whether its key is on this machine, and if not, why."""
    missing = secrets.no_token_why(account.name)
    return replace(account, key_here=missing is None, key_missing=missing)


def _account(session: Session, account: Account, now: datetime) -> AccountHealth:
    aid = account.id
    queue = shown_counts(session, aid)
    recent_failed = session.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(
            OutboundMessage.account_id == aid,
            OutboundMessage.state == OutboundState.FAILED,
            OutboundMessage.updated_at >= now - FAILED_RECENT,
        )
    )
    hour = (MetricEvent.account_id == aid, MetricEvent.recorded_at > now - HOUR)
    last_hour = {name: 0 for name in COUNTED}
    waited = 0.0
    for name, count, total in session.execute(
        select(MetricEvent.name, func.count(), func.sum(MetricEvent.value))
        .where(*hour, MetricEvent.name.in_(COUNTED))
        .group_by(MetricEvent.name)
    ):
        last_hour[name] = count
        if name == metrics.RATE_LIMITED:
            waited = float(total or 0)
    latencies = {
        row.name: Latency(int(row.n or 0), row.median, row.p95)
        for row in session.execute(
            percentile_select(
                select(MetricEvent.name, MetricEvent.value)
                .where(*hour, MetricEvent.name.in_(LATENCIES))
                .subquery(),
                "value",
                group=("name",),
                percents=(95,),
            )
        )
    }
    failed_at = metrics.last_recorded(session, aid, metrics.POLL_FAILED)
    # The depth and its time from one row: read apart, a drain recording between the
    # two reads (read committed) paired one drain's depth with another's time.
    depth, depth_at = _last(session, aid, metrics.QUEUE_DEPTH) or (None, None)
    blocked = account.send_blocked_until
    due, waiting_since = _waiting(session, account, now, depth_at)
    return AccountHealth(
        account_id=aid,
        name=account.name,
        queue=queue,
        sends_last_minute=limiter.attempts_in_window(session, aid, now),
        send_limit=account.send_limit_per_minute,
        blocked_until=blocked if blocked is not None and blocked > now else None,
        last_hour=last_hour,
        rate_limited_seconds=waited,
        send_latency=latencies.get(metrics.SEND_LATENCY, Latency(0, None, None)),
        queue_latency=latencies.get(metrics.QUEUE_LATENCY, Latency(0, None, None)),
        queue_depth=None if depth is None else int(depth),  # recorded as a metric's float
        queue_depth_at=depth_at,
        last_poll_at=metrics.last_recorded(session, aid, metrics.POLL),
        last_poll_failed_at=failed_at,
        last_drained_at=depth_at,
        poll_lag_seconds=(_last(session, aid, metrics.POLL_LAG) or (None, None))[0],
        running=any(t is not None and t > now - RUNNING_WINDOW for t in (failed_at, depth_at)),
        due_queued=due,
        waiting_since=waiting_since,
        recent_failed=recent_failed or 0,
        auth_error=account.auth_error,
    )


def _waiting(
    session: Session, account: Account, now: datetime, drained_at: datetime | None
) -> tuple[int, datetime | None]:
    """The queued messages a drain would send now, and since when they have waited with
    nothing drained or sent (``drained_at``: the last queue depth a drain recorded);
    ``(0, None)`` when nothing may go now: nothing due yet, a 429 block or an outage
    still in force, the minute's sends used up, or the credentials rejected."""
    aid = account.id
    policy = limiter.SendPolicy.of_account(
        session, aid, now, reply_reserve=DEFAULT_REPLY_RESERVE_PER_MINUTE)
    if policy is None or policy.auth_error:
        return 0, None
    when = limiter.next_send_at(session, aid, now, policy)
    if when is None or when > now:
        return 0, None
    count, first_due = session.execute(
        select(func.count(), func.min(OutboundMessage.next_attempt_at)).where(
            OutboundMessage.account_id == aid,
            OutboundMessage.state == OutboundState.QUEUED,
            OutboundMessage.next_attempt_at <= now,
            fans_turn(aid),
        )
    ).one()
    if not count:
        return 0, None
    # Waiting since the latest of: the first row due, the end of a block or an outage
    # (sends could not go before), the last drain, the last send.
    moments = (first_due, account.send_blocked_until, account.unreachable_retry_at,
               drained_at, metrics.last_recorded(session, aid, metrics.SENT))
    return count, max(t for t in moments if t is not None)


def _last(session: Session, account_id: int, name: str) -> tuple[float, datetime] | None:
    """The value and the time of the last ``name`` recorded, from one row."""
    row = session.execute(
        select(MetricEvent.value, MetricEvent.recorded_at)
        .where(MetricEvent.account_id == account_id, MetricEvent.name == name)
        .order_by(MetricEvent.recorded_at.desc(), MetricEvent.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.value, row.recorded_at)


def _running_signs(account: AccountHealth, now: datetime) -> str:
    """What says something serves the account (``running``), as health knows it: a poll
    that failed, a drain, within ``RUNNING_WINDOW``; not that anything runs now."""
    signs = [f"{what} {(now - at).total_seconds():.0f} s ago"
             for what, at in (("a poll failed", account.last_poll_failed_at),
                              ("last drained", account.last_drained_at))
             if at is not None and at > now - RUNNING_WINDOW]
    return ", ".join(signs)


def _problems(
    account: AccountHealth, now: datetime, failed_threshold: int, demo: str | None
) -> list[Problem]:
    found = []
    if account.auth_error:
        found.append(Problem(Reason.CREDENTIALS, account.name,
                             f"{account.name}: credentials rejected: {account.auth_error}"))
    elif account.key_here is False and account.name == demo:
        found.append(Problem(Reason.CREDENTIALS, account.name,
                             f"{account.name}: the demo's account has a key only inside "
                             f"`ofcrm demo`: run it (its Monitoring screen, 6, checks it)"))
    elif account.key_here is False:
        found.append(Problem(Reason.CREDENTIALS, account.name,
                             f"{account.name}: no key for {account.name} on this machine: "
                             f"`ofcrm account token {account.name}` or set "
                             f"{secrets.env_var_name(account.name)}"))
    last = account.last_poll_at
    if account.running and (last is None or now - last > POLL_STALE):
        since = "ever" if last is None else f"{(now - last).total_seconds():.0f} s"
        found.append(Problem(Reason.POLL_STALLED, account.name,
                             f"{account.name}: no successful poll for {since}; "
                             f"{_running_signs(account, now)}"))
    waiting = account.waiting_since
    # With no key here nothing can send: that is the cause, not a worker stopped.
    if waiting is not None and now - waiting > QUEUE_STALLED and account.key_here is not False:
        minutes = int((now - waiting).total_seconds() // 60)
        queued = account.queue[OutboundState.QUEUED.value]  # as the queue's line counts them
        found.append(Problem(Reason.QUEUE_STALLED, account.name,
                             f"{account.name}: {counted(queued, 'message')} queued, "
                             f"nothing sent for {minutes} min: is a worker running?"))
    if account.recent_failed >= failed_threshold:
        found.append(Problem(Reason.FAILURES, account.name,
                             f"{account.name}: {counted(account.recent_failed, 'message')} failed in the last "
                             f"24 h (threshold {failed_threshold})"))
    elif failed := account.queue[OutboundState.FAILED.value]:
        found.append(Problem(Reason.FAILED_WAITING, account.name,
                             f"{account.name}: {counted(failed, 'failed message')} "
                             f"{'waits' if failed == 1 else 'wait'} for a chatter to retry or "
                             "discard"))
    return found


def _database_size(db: Database, session: Session) -> tuple[int | None, str | None]:
    """The SQLite file's bytes (with its WAL); on PostgreSQL those of the tables in the
    connection's schema, and which schema that is."""
    if db.is_sqlite:
        path = db.url.database
        if not path or path == ":memory:":
            return None, None
        return sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        ), None
    schema, size = session.execute(_SCHEMA_SIZE).one()
    return int(size), f"ofcrm's tables in schema {schema}"


# Tables and materialized views; pg_total_relation_size counts their indexes and TOAST.
_SCHEMA_SIZE = text(
    "SELECT current_schema(), coalesce(sum(pg_total_relation_size(c.oid)), 0)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
)
