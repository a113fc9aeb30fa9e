"""``ofcrm health``: the figures, and an exit code naming each reason a person is needed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from keyring.errors import KeyringLocked
from sqlalchemy import event, select, update

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import health, metrics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Fan, MetricEvent, OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow


@pytest.fixture(autouse=True)
def main_key(memory_keyring) -> None:  # noqa: ANN001
    """The account these tests make ("main") has its key on this machine."""
    memory_keyring.store[("ofcrm", "main")] = "k"


def _url(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def _account(db: Database, name: str = "main", **values) -> int:  # noqa: ANN003
    with db.write() as session:
        account = Account(name=name, base_url="http://h.invalid", **values)
        session.add(account)
        session.flush()
        return account.id


def _event(db: Database, account_id: int, name: str, ago: timedelta, value: float = 1.0) -> None:
    with db.write() as session:
        session.add(MetricEvent(account_id=account_id, name=name, value=value, recorded_at=utcnow() - ago))


def _failed(db: Database, account_id: int, count: int, ago: timedelta = timedelta(minutes=5)) -> None:
    with db.write() as session:
        fan = Fan(account_id=account_id, platform_user_id=count + 1000, username=f"f{count}")
        session.add(fan)
        session.flush()
        for _ in range(count):
            session.add(OutboundMessage(
                account_id=account_id, fan_id=fan.id, kind="reply", priority=10, text="x",
                state="failed", created_by="anna", updated_at=utcnow() - ago))


def _health(capsys, db: Database, *extra: str) -> tuple[int, str]:  # noqa: ANN001
    code = main(["--db", _url(db), "health", *extra])
    return code, capsys.readouterr().out


def test_healthy_and_every_figure(db: Database, capsys) -> None:  # noqa: ANN001
    account_id = _account(db)
    second = timedelta(seconds=1)
    _event(db, account_id, metrics.POLL, 5 * second)
    _event(db, account_id, metrics.QUEUE_DEPTH, 10 * second, 4)
    _event(db, account_id, metrics.POLL_LAG, 5 * second, 5.2)
    for value in range(1, 21):  # send latencies 1..20 s: p50 10.5, p95 19 (nearest rank)
        _event(db, account_id, metrics.SEND_LATENCY, 30 * second, float(value))
        _event(db, account_id, metrics.SENT, 30 * second)
    _event(db, account_id, metrics.SEND_LATENCY, timedelta(hours=2), 999.0)  # too old
    _event(db, account_id, metrics.RATE_LIMITED, 60 * second, 30)
    _event(db, account_id, metrics.RATE_LIMITED, 90 * second, 12)
    _event(db, account_id, metrics.AMBIGUOUS, 60 * second)
    _event(db, account_id, metrics.RECONCILED, 50 * second)
    with db.write() as session:
        for _ in range(3):
            session.add(SendAttempt(account_id=account_id, attempted_at=utcnow() - 10 * second))
        session.add(SendAttempt(account_id=account_id, attempted_at=utcnow() - 90 * second))
    report = health.check(db, failed_threshold=10, keyless=False)
    (main_account,) = report.accounts
    assert report.problems == () and report.exit_code == 0
    assert main_account.sends_last_minute == 3 and main_account.send_limit == 10
    assert main_account.last_hour[metrics.SENT] == 20
    assert main_account.last_hour[metrics.RATE_LIMITED] == 2 and main_account.rate_limited_seconds == 42
    assert main_account.last_hour[metrics.AMBIGUOUS] == main_account.last_hour[metrics.RECONCILED] == 1
    assert main_account.send_latency == health.Latency(20, pytest.approx(10.5), pytest.approx(19))
    assert main_account.queue_depth == 4 and main_account.poll_lag_seconds == pytest.approx(5.2)
    assert main_account.running and report.database_bytes and report.database_bytes > 0
    code, out = _health(capsys, db)
    assert code == 0 and "healthy" in out and "sends last minute 3/10" in out
    assert "depth 4" in out and "depth 4.0" not in out  # a count, not the metric's float
    code, out = _health(capsys, db, "--json")
    data = json.loads(out)
    assert code == 0 and data["healthy"] and data["accounts"][0]["sends_last_minute"] == 3
    names = {value for key, value in vars(metrics).items() if key.isupper() and isinstance(value, str)}
    assert names <= set(out.split('"')) | {metrics.SEND_LATENCY, metrics.QUEUE_LATENCY, metrics.QUEUE_DEPTH, metrics.POLL_LAG}
    assert {"send_latency", "queue_latency", "queue_depth", "poll_lag_seconds"} <= set(data["accounts"][0])
    assert data["accounts"][0]["queue_depth"] == 4 and isinstance(data["accounts"][0]["queue_depth"], int)


def test_rejected_credentials(db: Database, capsys) -> None:  # noqa: ANN001
    _account(db, auth_error="401 token revoked")
    code, out = _health(capsys, db)
    assert code == health.Reason.CREDENTIALS == 2
    assert "main: credentials rejected: 401 token revoked" in out


def test_no_successful_poll_while_running(db: Database, capsys) -> None:  # noqa: ANN001
    account_id = _account(db)
    _event(db, account_id, metrics.POLL, timedelta(minutes=5))
    assert _health(capsys, db)[0] == 0  # nothing running: an old poll is no alarm
    _event(db, account_id, metrics.POLL_FAILED, timedelta(seconds=10))  # polls being tried
    code, out = _health(capsys, db)
    assert code == health.Reason.POLL_STALLED == 3
    # 5 min ago; what health knows is that a poll failed, not that anything runs now
    assert re.search(r"main: no successful poll for 30\d s; a poll failed 1\d s ago", out)


def test_a_running_worker_that_never_polled(db: Database, capsys) -> None:  # noqa: ANN001
    account_id = _account(db)
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(seconds=20), 0)
    code, out = _health(capsys, db)
    assert code == 3 and re.search(r"no successful poll for ever; last drained 2\d s ago", out)


def test_failures_piling_up(db: Database, capsys, monkeypatch) -> None:  # noqa: ANN001
    account_id = _account(db)
    _failed(db, account_id, 3)
    _failed(db, account_id, 5, ago=timedelta(days=2))  # old failures do not pile up
    monkeypatch.setenv("OFCRM_HEALTH_FAILED_THRESHOLD", "4")
    assert _health(capsys, db)[0] == health.Reason.FAILED_WAITING  # waiting, not piling up
    monkeypatch.setenv("OFCRM_HEALTH_FAILED_THRESHOLD", "3")
    code, out = _health(capsys, db)
    assert code == health.Reason.FAILURES == 4
    assert "main: 3 messages failed in the last 24 h (threshold 3): see `ofcrm failed list`" in out
    assert "WARNING" not in out  # the failures' line names them already


def test_failed_messages_waiting_for_a_chatter_are_a_warning(db: Database, capsys) -> None:  # noqa: ANN001
    """Failed messages nobody retried or discarded, fewer than the threshold (old ones
    too): not a fault, but health says so (exit 7) and its JSON counts them."""
    account_id = _account(db)
    _failed(db, account_id, 2, ago=timedelta(days=3))
    report = health.check(db, failed_threshold=10, keyless=False)
    (problem,) = report.problems
    assert problem.warning and report.exit_code == health.Reason.FAILED_WAITING == 7
    code, out = _health(capsys, db)
    assert code == 7 and "healthy" not in out and "PROBLEM" not in out
    # The command line's words and its command (the app names its key instead).
    said = "main: 2 failed messages wait for a chatter to retry or discard: see `ofcrm failed list`"
    assert f"WARNING: {said}" in out
    code, out = _health(capsys, db, "--json")
    data = json.loads(out)
    assert code == data["exit_code"] == 7 and not data["healthy"]
    assert data["problems"][0]["message"] == said
    assert data["accounts"][0]["queue"]["failed"] == 2 and data["problems"][0]["reason"] == 7
    with db.write() as session:
        session.execute(update(OutboundMessage).values(state="cancelled"))  # discarded
    assert _health(capsys, db)[0] == 0


def test_several_problems_give_the_smallest_code_and_name_each(db: Database, capsys, monkeypatch) -> None:  # noqa: ANN001
    account_id = _account(db, auth_error="403")
    _failed(db, account_id, 2)
    monkeypatch.setenv("OFCRM_HEALTH_FAILED_THRESHOLD", "1")
    code, out = _health(capsys, db)
    assert code == 2 and out.count("PROBLEM:") == 2


def test_database_unreachable(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """No database yet is said in the words of every command that reads (which make
    none either), as health's database problem (exit 5); one that cannot be reached
    says so."""
    missing = tmp_path / "nothing-here.db"  # (a folder not there is named: tests/cli)
    code = main(["--db", f"sqlite:///{missing}", "health"])
    out = capsys.readouterr().out
    assert code == health.Reason.DATABASE == 5
    assert out.splitlines()[-1] == (
        f"PROBLEM: no database yet at {missing}: `ofcrm account add NAME --base-url URL` "
        "starts one (`ofcrm demo` tries the app on a demo database of its own)")
    assert list(tmp_path.iterdir()) == []
    code = main(["--db", "postgresql://nobody@127.0.0.1:1/none", "health", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 5 and data["exit_code"] == 5 and "database unreachable" in data["problems"][0]["message"]


def test_health_command_loads_no_textual_or_alembic(tmp_path: Path) -> None:
    """The command's own imports stay light (the CLI's start-up is made lazy elsewhere)."""
    script = (
        "import argparse, sys; from ofcrm_tui.cli import health_cmd;"
        "parser = argparse.ArgumentParser(); parser.add_argument('--db');"
        "health_cmd.register(parser.add_subparsers().add_parser('health'));"
        "args = parser.parse_args(['health']);"
        "code = args.handler(args);"
        "sys.exit(10 + code if {'textual', 'alembic'} & set(sys.modules) else code)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env={"OFCRM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                                             "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 5, result.stdout + result.stderr


def test_one_failure_is_one_message(db: Database, capsys, monkeypatch) -> None:  # noqa: ANN001
    _failed(db, _account(db), 1)
    monkeypatch.setenv("OFCRM_HEALTH_FAILED_THRESHOLD", "1")
    code, out = _health(capsys, db)
    assert code == health.Reason.FAILURES and "main: 1 message failed in the last 24 h" in out


def _queued(db: Database, account_id: int, count: int, *, due: timedelta, kind: str = "reply") -> None:
    """``count`` queued messages (one fan each) due ``due`` ago (negative: not yet due)."""
    with db.write() as session:
        for n in range(count):
            fan = Fan(account_id=account_id, platform_user_id=5000 + n + 100 * int(due.total_seconds()),
                      username=f"q{n}")
            session.add(fan)
            session.flush()
            session.add(OutboundMessage(
                account_id=account_id, fan_id=fan.id, kind=kind, priority=10, text="x",
                state="queued", created_by="anna", created_at=utcnow() - abs(due) - timedelta(minutes=1),
                next_attempt_at=utcnow() - due))


def test_a_queue_nobody_drains(db: Database, capsys) -> None:  # noqa: ANN001
    """Due messages and no drain nor send for over two minutes: the worker stopped."""
    account_id = _account(db)
    _event(db, account_id, metrics.POLL, timedelta(minutes=20))
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(minutes=7), 0)  # the worker's last drain
    _queued(db, account_id, 3, due=timedelta(minutes=10))
    code, out = _health(capsys, db)
    assert code == health.Reason.QUEUE_STALLED == 6
    assert "PROBLEM: main: 3 messages queued, nothing sent for 7 min: is a worker running?" in out
    (account,) = health.check(db, failed_threshold=10, keyless=False).accounts
    assert account.due_queued == 3 and not account.running  # stopped: no poll alarm, this one
    data = json.loads(_health(capsys, db, "--json")[1])
    assert data["exit_code"] == 6 and data["problems"][0]["reason"] == 6
    # A drain a minute ago (a worker runs, the queue just goes slowly): no problem.
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(minutes=1), 3)
    _event(db, account_id, metrics.POLL, timedelta(seconds=10))
    assert _health(capsys, db)[0] == 0


def test_the_stall_counts_every_queued_message_as_the_queue_line(db: Database, capsys) -> None:  # noqa: ANN001
    """Two more messages to a fan already waiting (not its turn), and one scheduled for
    later: the problem's count is the queue line's ("queued 6"), not the fans'."""
    account_id = _account(db)
    _queued(db, account_id, 3, due=timedelta(minutes=10))
    with db.write() as session:
        fan = session.query(Fan).filter_by(account_id=account_id, username="q0").one()
        for ago in (9, 8):
            session.add(OutboundMessage(
                account_id=account_id, fan_id=fan.id, kind="reply", priority=10, text="x",
                state="queued", created_by="anna", next_attempt_at=utcnow() - timedelta(minutes=ago)))
    _queued(db, account_id, 1, due=-timedelta(minutes=10))
    code, out = _health(capsys, db)
    assert code == 6 and "main: queued 6 · " in out
    assert "PROBLEM: main: 6 messages queued, nothing sent for 10 min" in out


def test_a_keyring_that_cannot_be_read_is_said_not_taken_for_an_empty_one(
    db: Database, capsys, memory_keyring, monkeypatch  # noqa: ANN001
) -> None:
    """A keyring that raises when asked (locked, its service gone): the key may be
    there, so health says the keyring could not be read (one line), not "none in it"."""
    _account(db, "gen")

    def unreadable(service: str, username: str) -> str:
        raise KeyringLocked("the collection is locked")

    monkeypatch.setattr(memory_keyring, "get_password", unreadable)
    code, out = _health(capsys, db, "--account", "gen")
    assert code == health.Reason.CREDENTIALS
    assert ("credentials: NO KEY HERE (the keyring could not be read: the collection is "
            "locked; OFCRM_TOKEN_GEN not set)\n") in out
    assert "none in the keyring" not in out


def test_an_account_no_account_is_named_is_not_found_not_an_unreachable_database(
    db: Database, capsys  # noqa: ANN001
) -> None:
    """``ofcrm health --account typo``: one line and exit 1, as every command's unknown
    account (it was exit 5, the database unreachable)."""
    _account(db)
    code = main(["--db", _url(db), "health", "--account", "ghost"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == "ofcrm: error: no account named 'ghost'; accounts: main\n"


def test_no_key_on_this_machine_is_a_credentials_problem_not_a_stall(
    db: Database, capsys, memory_keyring, monkeypatch  # noqa: ANN001
) -> None:
    """The account's key is neither in the keyring nor in OFCRM_TOKEN_<NAME>: no worker
    here can send, whether one runs or not; the cause said is the key."""
    account_id = _account(db, "gen")
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(minutes=7), 0)
    _queued(db, account_id, 2, due=timedelta(minutes=10))
    code, out = _health(capsys, db)
    assert code == health.Reason.CREDENTIALS == 2
    assert "credentials: NO KEY HERE (none in the keyring, OFCRM_TOKEN_GEN not set)" in out
    assert ("PROBLEM: gen: no key for gen on this machine: `ofcrm account token gen` or set "
            "OFCRM_TOKEN_GEN") in out
    assert "worker running" not in out and "credentials: ok" not in out
    data = json.loads(_health(capsys, db, "--json")[1])
    assert [p["reason"] for p in data["problems"]] == [2] and not data["accounts"][0]["key_here"]
    # The key in the environment (no keyring asked), then in the keyring: the stall again.
    monkeypatch.setenv("OFCRM_TOKEN_GEN", "k")
    code, out = _health(capsys, db)
    assert code == 6 and "credentials: ok" in out
    monkeypatch.delenv("OFCRM_TOKEN_GEN")
    memory_keyring.store[("ofcrm", "gen")] = "k"
    assert _health(capsys, db)[0] == 6
    # In team mode the keys stay with the workers: none is looked for.
    del memory_keyring.store[("ofcrm", "gen")]
    monkeypatch.setenv("OFCRM_TEAM_MODE", "1")
    code, out = _health(capsys, db)
    assert code == 6 and "credentials: ok" in out


def test_a_queue_never_drained_and_one_message(db: Database, capsys) -> None:  # noqa: ANN001
    account_id = _account(db)
    _queued(db, account_id, 1, due=timedelta(minutes=3))
    code, out = _health(capsys, db)
    assert code == 6 and "main: 1 message queued, nothing sent for 3 min" in out


def test_a_recent_send_or_a_message_just_due_is_no_stall(db: Database, capsys) -> None:  # noqa: ANN001
    account_id = _account(db)
    _queued(db, account_id, 2, due=timedelta(seconds=30))  # due only 30 s ago
    assert _health(capsys, db)[0] == 0
    _queued(db, account_id, 1, due=timedelta(minutes=9))
    assert _health(capsys, db)[0] == 6
    _event(db, account_id, metrics.SENT, timedelta(seconds=40))  # something sends
    assert _health(capsys, db)[0] == 0


def test_a_held_queue_is_no_stall(db: Database, capsys) -> None:  # noqa: ANN001
    """Rate-limited, blocked by a 429, scheduled for later, backing off: not stalled."""
    account_id = _account(db)
    _queued(db, account_id, 2, due=-timedelta(minutes=10))  # scheduled or backing off
    assert _health(capsys, db)[0] == 0
    _queued(db, account_id, 1, due=timedelta(minutes=10))
    assert _health(capsys, db)[0] == 6
    with db.write() as session:  # a 429 holds every send for a while
        session.get(Account, account_id).send_blocked_until = utcnow() + timedelta(minutes=5)
    assert _health(capsys, db)[0] == 0
    with db.write() as session:  # the block ended a minute ago: waiting only since then
        session.get(Account, account_id).send_blocked_until = utcnow() - timedelta(minutes=1)
    assert _health(capsys, db)[0] == 0
    with db.write() as session:
        session.get(Account, account_id).send_blocked_until = None
        for _ in range(10):  # the minute's sends used up (the limit is 10)
            session.add(SendAttempt(account_id=account_id, attempted_at=utcnow() - timedelta(seconds=5)))
    assert _health(capsys, db)[0] == 0
    with db.write() as session:
        session.get(Account, account_id).auth_error = "401"
    assert _health(capsys, db)[0] == health.Reason.CREDENTIALS  # not also a stall
    assert "queued" not in capsys.readouterr().out


def test_help_lists_every_exit_code(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        main(["health", "--help"])
    out = capsys.readouterr().out
    for reason in health.Reason:
        assert re.search(rf"^  {reason.value}  \S", out, re.M), reason
    assert "is a worker running?" in out


def test_the_queue_depth_and_its_time_come_from_one_drain(db: Database) -> None:
    """A drain recording while health reads (read committed: each statement sees what
    was committed before it): the depth said is the one recorded at the time said."""
    account_id = _account(db)
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(minutes=2), 4)
    _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(minutes=1), 5)
    recorded: list[str] = []

    def drain_records(_conn, _cursor, statement, parameters, *_) -> None:  # noqa: ANN001
        asked = parameters.values() if isinstance(parameters, dict) else parameters
        if not recorded and metrics.QUEUE_DEPTH in list(asked or ()):
            recorded.append(statement)
            _event(db, account_id, metrics.QUEUE_DEPTH, timedelta(0), 7)

    event.listen(db.engine, "after_cursor_execute", drain_records)
    try:
        (found,) = health.check(db, failed_threshold=10, keyless=True).accounts
    finally:
        event.remove(db.engine, "after_cursor_execute", drain_records)
    assert recorded
    with db.read() as session:
        pairs = {(row.value, row.recorded_at) for row in session.execute(
            select(MetricEvent.value, MetricEvent.recorded_at)
            .where(MetricEvent.name == metrics.QUEUE_DEPTH))}
    assert (found.queue_depth, found.queue_depth_at) in pairs
    assert found.queue_depth in (5, 7)


def test_the_depth_says_when_a_drain_recorded_it_as_monitoring_does(
    db: Database, capsys, monkeypatch  # noqa: ANN001
) -> None:
    """The depth is what a drain recorded, not the queue's live counts beside it: said
    with its time, in UTC as the command's other times, with the date on another day
    (a worker stopped days ago); the app's Monitoring says it in the same words."""
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    checked = health.check
    monkeypatch.setattr(health, "check", lambda db, **kw: checked(db, **kw, now=now))
    main_id = _account(db)
    old_id = _account(db, "old", send_blocked_until=now + timedelta(days=1))
    _account(db, "new")
    for account_id, ago in ((main_id, timedelta(seconds=50)), (old_id, timedelta(days=2))):
        with db.write() as session:
            session.add(MetricEvent(account_id=account_id, name=metrics.QUEUE_DEPTH, value=4,
                                    recorded_at=now - ago))
    _, out = _health(capsys, db)
    depths = [line.rsplit("; ", 1)[-1] for line in out.splitlines() if "latency" in line]
    assert depths == [  # main, new, old: by name
        "depth 4 as of 11:59:10 UTC", "depth -", "depth 4 as of 2026-11-30 12:00:00 UTC"]
    assert "blocked until 2026-12-03 12:00:00 UTC" in out
