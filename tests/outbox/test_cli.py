"""``ofcrm send``, ``queue``, ``failed`` and ``worker`` from the command line."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import outbox
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World


def run(capsys: pytest.CaptureFixture[str], world: World, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(["--db", world.db.url.render_as_string(hide_password=False), *argv])
    except SystemExit as exc:  # a bad value, refused as typed by argparse
        code = int(exc.code or 0)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str, fragment: str, exit_code: int = 1) -> None:
    assert code == exit_code
    assert err.count("\n") == 1 and err.startswith("ofcrm: error: ") and fragment in err, err


def test_send_queues_by_platform_id_or_username(world: World, capsys) -> None:  # noqa: ANN001
    fan = resolve_fan(world.db, world.account.id, str(world.platform_ids[world.fans[0]]))
    code, out, _ = run(capsys, world, "send", "--account", "demo", "--fan", str(fan.platform_user_id), "--text", "hi there")
    assert code == 0 and out.startswith("queued #1 for @" + fan.username) and "(free)" in out
    media = [str(m) for m in world.media[:2]]
    code, out, _ = run(
        capsys, world, "send", "--fan", "@" + fan.username, "--text", "-", "--price", "$9.99",
        "--media", *media, "--preview", media[0], stdin="from\nstdin",
    )
    assert code == 0 and "($9.99, 2 media)" in out
    row = world.row(2)
    assert (row.text, row.price_cents, row.media_ids, row.preview_ids) == ("from\nstdin", 999, world.media[:2], world.media[:1])
    assert row.kind == "manual" and row.created_by  # the chatter_name setting
    code, _, err = run(capsys, world, "send", "--fan", fan.username, "--text", "x", "--price", "1.999")
    _one_line_error(code, err, "bad price", exit_code=2)  # a bad value, as every option's
    code, _, err = run(capsys, world, "send", "--fan", fan.username, "--text", "x", "--price", "5")
    _one_line_error(code, err, "at least one media")
    code, _, err = run(capsys, world, "send", "--fan", "nobody", "--text", "x")
    _one_line_error(code, err, "no fan 'nobody'")
    code, out, _ = run(capsys, world, "send", "--fan", fan.username, "--text", "wait", "--wait", "0.2")
    assert code == 2 and out.splitlines()[-1] == "#3 queued"


def test_queue_shows_counts_budget_and_next_send(world: World, capsys) -> None:  # noqa: ANN001
    for fan in world.fans[:3]:
        outbox.enqueue(world.db, world.account.id, fan, "q", created_by="ana")
    code, out, _ = run(capsys, world, "queue")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("demo: queued 3 · sending 0 · sent 0 · unknown 0 · failed 0")
    assert "10000 of 10000 sends left this minute" in lines[1] and "next send: now" in lines[1]


def test_failed_list_retry_discard(world: World, capsys) -> None:  # noqa: ANN001
    ids = [outbox.enqueue(world.db, world.account.id, fan, f"oops \x1b[31m{i}", created_by="ana") for i, fan in enumerate(world.fans[:3])]
    with world.db.write() as session:
        for outbound_id in ids:
            row = session.get(OutboundMessage, outbound_id)
            row.state, row.attempts, row.tries, row.last_error, row.updated_at = "failed", 5, 5, "HTTP 422: nope", utcnow()
    code, out, _ = run(capsys, world, "failed", "list", "--days", "1")
    assert code == 0 and len(out.splitlines()) == 3
    assert "\x1b" not in out and "HTTP 422: nope" in out and "5 attempts" in out
    code, out, _ = run(capsys, world, "failed", "retry", str(ids[0]))
    assert code == 0 and out.strip() == "queued again 1 of 1 failed message: #1"
    code, out, _ = run(capsys, world, "failed", "discard", str(ids[1]))
    assert code == 0 and out.strip() == "discarded 1 of 1"
    code, out, _ = run(capsys, world, "failed", "retry", "--all")
    assert code == 0 and out.strip() == "queued again 1 of 1 failed message: #3"
    code, _, err = run(capsys, world, "failed", "retry", "1", "--all")
    assert code == 2  # a usage error, as retry with neither
    assert err.count("\n") == 1 and err.startswith("ofcrm: error: ") and "not both" in err, err
    code, out, _ = run(capsys, world, "failed", "list")
    assert "no failed messages" in out


def test_failed_retry_and_discard_act_on_all_the_ids_or_none(world: World, capsys) -> None:  # noqa: ANN001
    """A bad id among good ones: nothing changes, one line on stderr names the bad ids.
    An id of no message of the account is "not found", exit 1, as an unknown fan's or
    campaign's; one of a message the action does not apply to (not failed) exit 2."""
    ids = [world.queue_failed(fan) for fan in world.fans[:4]]
    queued = outbox.enqueue(world.db, world.account.id, world.fans[5], "still queued", created_by="ana")
    before = world.states()
    for action, bad, code_wanted, why in (
        ("retry", ["999999"], 1, "no message #999999 in this account; nothing retried"),
        ("retry", [str(queued)], 2,
         f"not a failed message of this account: #{queued}; nothing retried"),
        ("retry", [str(queued), "999999"], 1,
         f"no message #999999 in this account, and not a failed message: #{queued}; "
         "nothing retried"),
        ("discard", ["999999", "888888"], 1,
         "no messages #999999, #888888 in this account; nothing discarded"),
    ):
        code, out, err = run(capsys, world, "failed", action, str(ids[0]), str(ids[1]), *bad)
        assert (code, out) == (code_wanted, ""), (action, out)
        assert err == f"ofcrm: error: {why}\n"
        assert world.states() == before
    code, out, _ = run(capsys, world, "failed", "discard", str(ids[0]), str(queued))
    assert code == 0 and out.strip() == "discarded 2 of 2"
    code, out, _ = run(capsys, world, "failed", "retry", "--all")
    assert code == 0 and out.strip() == f"queued again 3 of 3 failed messages: #{ids[1]} #{ids[2]} #{ids[3]}"


def test_failed_retry_leaves_expired_fans_failed_and_says_why(world: World, capsys) -> None:  # noqa: ANN001
    reason = "the platform does not deliver messages to expired fans"
    active = world.queue_failed(world.fans[0])
    expired = world.queue_failed(world.expired_fans[0])
    fan = outbox.get(world.db, world.account.id, expired)
    assert fan is not None
    code, _, err = run(capsys, world, "failed", "retry", str(expired))
    _one_line_error(code, err, f"{fan.fan_display_name}'s subscription has expired: {reason}")
    code, out, _ = run(capsys, world, "failed", "retry", "--all")
    assert code == 0 and out.splitlines() == [
        f"queued again 1 of 2 failed messages: #{active}",
        (
            f"still failed: #{expired}: 1 of the 2 messages is to an expired fan "
            f"(@{fan.fan_username}): {reason}"
        ),
    ]
    code, _, err = run(capsys, world, "send", "--fan", fan.fan_username, "--text", "hi")
    _one_line_error(code, err, f"{fan.fan_display_name}'s subscription has expired: {reason}")
    assert world.states() == {active: "queued", expired: "failed"}


def test_worker_sends_and_stops_cleanly_on_sigint(world: World, capsys) -> None:  # noqa: ANN001
    code, _, _ = run(capsys, world, "send", "--fan", str(world.platform_ids[world.fans[0]]), "--text", "via worker")
    env = {**os.environ, "OFCRM_DRAIN_INTERVAL_SECONDS": "0.5", "OFCRM_HTTP_TIMEOUT_SECONDS": "2"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "ofcrm_tui.cli.main", "--db", world.db.url.render_as_string(hide_password=False),
         "worker", "--no-poll", "--account", "demo"],
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while world.row(1).state != "sent":
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.1)
        worker.send_signal(signal.SIGINT)
        _, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, err
    assert b"stopping, finishing in-flight sends" in err
    assert len(world.sim.ledger()) == 1


def test_worker_refuses_an_unknown_account(world: World, capsys) -> None:  # noqa: ANN001
    code, _, err = run(capsys, world, "worker", "--account", "nope")
    _one_line_error(code, err, "no account named 'nope'")
