"""``ofcrm health``: is the machine healthy, and if not, why a person is needed.

Exit codes (``EXIT_CODES``, also in ``--help``): 0 healthy; 2 credentials rejected or no
key for an account on this machine (outside team mode); 3 no
successful poll for over a minute while polls fail or a drain runs; 4 failures piling up
(``health_failed_threshold``); 5 the database unreachable, or none there yet (said as
every command that reads says it; none is made); 6 messages due in the queue
and nothing drained or sent for over two minutes (no worker running); 7 failed messages
waiting for a chatter to retry or discard (below the threshold; a warning). Several
problems: the smallest code. Kept light for a quick check from cron or a monitor: no migration
(the schema is read as it is), no app code.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from ofcrm_tui.cli.common import add_account_option
from ofcrm_tui.config import load_settings
from ofcrm_tui.context import no_database_at, no_database_yet, runs_keyless
from ofcrm_tui.core import access, health
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database, database_named, missing_file


def _check(args: argparse.Namespace) -> health.Health:
    settings = load_settings(**({"database_url": args.db} if args.db else {}))
    url = settings.effective_database_url()
    named = database_named(url)
    if missing_file(url) is not None:  # said as every command that reads says it; none is made
        return health.not_checked(named, no_database_at(url))
    try:
        db = Database(url)
    except (OSError, SQLAlchemyError) as exc:
        return health.database_problem(named, exc)
    try:
        if migrate.current_revision(db) is None:  # an empty file: none of our tables
            return health.not_checked(db.url_for_display, no_database_yet(db.url_for_display))
        # Team mode, as the app's (``AppContext.keyless``).
        return health.check(
            db, account=args.account, failed_threshold=settings.health_failed_threshold,
            keyless=runs_keyless(settings, db, access.identity(db)),
        )
    except SQLAlchemyError as exc:
        return health.database_problem(db.url_for_display, getattr(exc, "orig", None) or exc)
    finally:
        db.dispose()


# Where the command line lists failed messages, which a problem about them points to.
FAILED_AT = "`ofcrm failed list`"


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{(now - moment).total_seconds():.0f} s ago"


def _at(moment: datetime, now: datetime) -> str:
    """A time in UTC as the other commands write it: ``11:59:03 UTC`` on the day of
    ``now``, with its date on another (a depth a stopped worker recorded days ago)."""
    moment = moment.astimezone(UTC)
    day = "" if moment.date() == now.astimezone(UTC).date() else f"{moment:%Y-%m-%d} "
    return f"{day}{moment:%H:%M:%S} UTC"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _credentials(a: health.AccountHealth) -> str:
    if a.auth_error:
        return "REJECTED: " + a.auth_error
    if a.key_missing:
        return f"NO KEY HERE ({a.key_missing})"
    if a.key_in_demo:
        return "in `ofcrm demo`, which is running: its Monitoring screen (6) shows its health"
    return "ok"


def _print(report: health.Health) -> None:
    size = "?" if report.database_bytes is None else f"{report.database_bytes / 1e6:.1f} MB"
    of = f" ({report.database_size_of})" if report.database_size_of else ""
    print(f"database {report.database}: {size}{of}")
    now = report.checked_at
    for a in report.accounts:
        h = a.last_hour
        queue = " · ".join(f"{state} {count}" for state, count in a.queue.items())
        print(f"{a.name}: {queue}")
        print(f"  sends last minute {a.sends_last_minute}/{a.send_limit}"
              + (f", blocked until {_at(a.blocked_until, now)}" if a.blocked_until else ""))
        print(f"  last hour: sent {h['send_sent']}, failed {h['send_failed']}, "
              f"retried {h['send_retried']} (manual {h['send_manual_retry']}), "
              f"429 waits {h['send_rate_limited']} ({a.rate_limited_seconds:.0f} s), "
              f"ambiguous {h['send_ambiguous']}, reconciled {h['send_reconciled']}, "
              f"requeued {h['send_reconcile_requeued']}, lease expired {h['send_lease_expired']}")
        print(f"  send latency p50 {_seconds(a.send_latency.p50)} "
              f"p95 {_seconds(a.send_latency.p95)}; "
              f"queue latency p50 {_seconds(a.queue_latency.p50)} "
              f"p95 {_seconds(a.queue_latency.p95)}; "
              f"{a.depth_as_of(lambda at: _at(at, now), '-')}")
        print(f"  polls: last {_ago(a.last_poll_at, now)}, lag {_seconds(a.poll_lag_seconds)}, "
              f"{h['poll']} ok / {h['poll_failed']} failed last hour"
              f"{'' if a.running else ' (not running)'}")
        print(f"  credentials: {_credentials(a)}")
    for problem in report.problems:
        print(f"{'WARNING' if problem.warning else 'PROBLEM'}: {problem.told(FAILED_AT)}")
    if not report.problems:
        print("healthy")


def _json(report: health.Health) -> None:
    data = asdict(report)
    for problem, said in zip(report.problems, data["problems"], strict=True):
        said["message"] = problem.told(FAILED_AT)
    data["healthy"] = not report.problems
    data["exit_code"] = report.exit_code
    print(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))


def _health(args: argparse.Namespace) -> int:
    report = _check(args)
    (_json if args.json else _print)(report)
    return report.exit_code


EXIT_CODES = {
    health.Reason.CREDENTIALS: "an account's credentials were rejected, or its key is not "
                               "on this machine",
    health.Reason.POLL_STALLED: "no successful poll for over a minute while polls fail or "
                                "a drain runs (in the last two minutes)",
    health.Reason.FAILURES: "failed messages piling up (health_failed_threshold in 24 h)",
    health.Reason.DATABASE: "the database unreachable, or none there yet",
    health.Reason.QUEUE_STALLED: "messages due in the queue and nothing sent for over "
                                 "two minutes: is a worker running?",
    health.Reason.FAILED_WAITING: "failed messages waiting for a chatter to retry or "
                                  "discard (fewer than piling up)",
}


def register(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "exit codes (several problems: the smallest):\n  0  healthy\n" + "\n".join(
        f"  {reason.value}  {text}" for reason, text in sorted(EXIT_CODES.items()))
    add_account_option(parser, "only this account")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=_health)
