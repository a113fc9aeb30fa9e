"""The sender against a loopback simulator: outcomes, retries, limits, reconciliation."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox.sender import DrainReport, Idle, Sender, SenderConfig
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.store.enums import OutboundKind
from ofcrm_tui.store.models import Account, Conversation, Message, OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import TOKEN, World, drain_until_settled
from tests.outbox.scripted import ScriptedClient, Step
from tests.support.log_records import LogRecords, records_fixture  # noqa: F401 - the fixture


def _scripted(world: World, *steps: Step, **config: object) -> tuple[Sender, ScriptedClient]:
    client = ScriptedClient(world.base_url, TOKEN, steps, timeout=2.0)
    sender = world.sender(**config)
    sender.client = client
    return sender, client


def _attempts(world: World) -> int:
    with world.db.read() as session:
        return session.scalar(select(func.count()).select_from(SendAttempt))


def _set_limit(world: World, limit: int) -> None:
    with world.db.write() as session:
        session.get(Account, world.account.id).send_limit_per_minute = limit


def _ledger_texts(world: World) -> list[str]:
    from ofcrm_tui.platform.text import html_to_text

    return [html_to_text(entry.text) for entry in world.sim.ledger()]


class Clock:
    """The senders' clock: real time plus an offset the test moves instead of sleeping,
    or held at ``at`` where a test needs an exact moment (real time goes on between
    setting an offset and the drain reading the clock: on a loaded machine, 50 ms and more)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.at: datetime | None = None

    def __call__(self):  # noqa: ANN204
        return self.at if self.at is not None else utcnow() + self.offset


def test_a_reply_is_sent_once_and_lands_in_the_thread(world: World) -> None:
    fan = world.fans[0]
    with world.db.write() as session:  # a fan we never chatted with: no conversation yet
        session.execute(delete(Conversation).where(Conversation.fan_id == fan))
    reply = outbox.enqueue(world.db, world.account.id, fan, "hi <b>you</b>\nsecond line", created_by="ana")
    ppv = outbox.enqueue(
        world.db,
        world.account.id,
        world.fans[1],
        "unlock 🔥",
        created_by="bo",
        kind=OutboundKind.MANUAL,
        price_cents=1_999,
        media_ids=world.media[:2],
        preview_ids=world.media[:1],
    )
    report = world.sender().drain()
    assert report.sent == [reply, ppv] and report.attempts == 2
    ledger = world.sim.ledger()
    assert [(e.user_id, e.price_cents, list(e.media_ids), list(e.previews)) for e in ledger] == [
        (world.platform_ids[fan], 0, [], []),
        (world.platform_ids[world.fans[1]], 1_999, world.media[:2], world.media[:1]),
    ]
    row = world.row(reply)
    assert (row.state, row.platform_message_id, row.attempts) == ("sent", ledger[0].message_id, 1)
    assert row.lease_owner is None and row.sent_at is not None
    with world.db.read() as session:
        message = session.scalar(select(Message).where(Message.platform_message_id == row.platform_message_id))
        conversation = session.scalar(select(Conversation).where(Conversation.fan_id == fan))
    assert (message.text, message.sent_by, message.direction) == ("hi <b>you</b>\nsecond line", "ana", "out")
    assert message.conversation_id == conversation.id
    assert conversation.last_platform_message_id == row.platform_message_id
    assert conversation.last_message_preview == "hi <b>you</b> second line"
    assert conversation.last_message_direction == "out"
    # The next poll sees the same messages: no duplicate, the sender's name kept.
    InboundSync(world.db, world.account.id, world.client).poll()
    with world.db.read() as session:
        copies = session.execute(
            select(Message.sent_by).where(Message.platform_message_id.in_([e.message_id for e in ledger]))
        ).all()
    assert sorted(copies) == [("ana",), ("bo",)]
    assert world.row(ppv).state == "sent"


def test_permanent_refusals_fail_at_once_with_the_reason(world: World) -> None:
    # Expired on the platform, not yet locally (outbox.enqueue refuses fans known expired).
    world.set_status(world.expired_fans[0], "active")
    expired = outbox.enqueue(world.db, world.account.id, world.expired_fans[0], "hey", created_by="ana")
    sender, client = _scripted(world, "ok", "422")
    refused = outbox.enqueue(world.db, world.account.id, world.fans[0], "hey", created_by="ana")
    report = sender.drain()
    assert sorted(report.failed) == sorted([expired, refused])
    assert world.row(expired).state == "failed" and "subscription" in world.row(expired).last_error
    assert world.row(refused).last_error == "HTTP 422: text must not be empty (scripted)"
    assert world.row(refused).attempts == 1
    assert world.sim.ledger() == []


def test_clear_failures_retry_with_backoff_then_fail_with_the_reason(world: World) -> None:
    # Backoffs of a minute and more, and the clock moved past them: however slowly a loaded
    # machine drains, no retry comes due inside a drain (with backoffs of a second one did).
    clock = Clock()
    sender, client = _scripted(world, "clear", "clear", "clear", "clear",
                               backoff_base_seconds=60.0, clock=clock)
    given_up = outbox.enqueue(world.db, world.account.id, world.fans[0], "a", created_by="ana", max_attempts=2)
    recovers = outbox.enqueue(world.db, world.account.id, world.fans[1], "b", created_by="ana", max_attempts=3)
    first = sender.drain()
    assert sorted(first.retried) == sorted([given_up, recovers])
    row = world.row(given_up)
    assert row.state == "queued" and row.next_attempt_at >= row.last_attempt_at + timedelta(seconds=30)
    assert sender.drain().attempts == 0  # not due before its backoff
    clock.offset += timedelta(minutes=5)
    sender.drain()
    row = world.row(given_up)
    assert (row.state, row.attempts) == ("failed", 2)
    assert row.last_error == "gave up after 2 attempts: no free connection (scripted)"
    assert (world.row(recovers).state, world.row(recovers).attempts) == ("queued", 2)
    clock.offset += timedelta(minutes=10)
    sender.drain()
    assert world.row(recovers).state == "sent" and world.row(recovers).attempts == 3
    assert _ledger_texts(world) == ["b"]
    # A manual retry reuses the row and sends it.
    assert outbox.retry(world.db, world.account.id, [given_up], by="bo") == 1
    sender.drain()
    assert world.row(given_up).state == "sent"
    assert sorted(_ledger_texts(world)) == ["a", "b"]


def test_backoff_grows_exponentially_with_jitter(world: World) -> None:
    sender = Sender(
        world.db,
        world.account.id,
        world.client,
        SenderConfig(backoff_base_seconds=2, backoff_cap_seconds=30),
        rng=random.Random(1),
    )
    for attempt, low, high in [(1, 1, 2), (2, 2, 4), (3, 4, 8), (4, 8, 16), (9, 15, 30)]:
        delays = [sender.recorder.backoff(attempt) for _ in range(50)]  # noqa: SLF001
        assert all(low <= d <= high for d in delays)
        assert len(set(delays)) > 1


def test_429_costs_no_attempt_and_blocks_the_account(world: World) -> None:
    clock = Clock()
    sender, _ = _scripted(world, "429")
    sender._clock = clock  # noqa: SLF001
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "hi", created_by="ana")
    report = sender.drain()
    assert report.blocked_until is not None and report.idle == Idle.BLOCKED
    row = world.row(outbound_id)
    assert (row.state, row.attempts) == ("queued", 0)
    assert "rate limited" in row.last_error
    assert _attempts(world) == 0
    with world.db.read() as session:
        blocked = session.get(Account, world.account.id).send_blocked_until
    assert timedelta(seconds=1.5) < blocked - utcnow() <= timedelta(seconds=2)
    assert report.next_wake_at == blocked
    assert outbox.queue_status(world.db, world.account.id).budget_left == 0
    clock.offset = timedelta(seconds=2.5)
    assert sender.drain().sent == [outbound_id]
    assert world.row(outbound_id).attempts == 1


def test_refused_credentials_stop_the_account(world: World) -> None:
    sender, _ = _scripted(world, "401")
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "hi", created_by="ana")
    report = sender.drain()
    assert report.auth_error == "HTTP 401: bad token (scripted)"
    assert (world.row(outbound_id).state, world.row(outbound_id).attempts) == ("queued", 0)
    assert sender.drain().idle == Idle.AUTH_ERROR
    assert sender.next_wake() is None
    with world.db.write() as session:
        session.get(Account, world.account.id).auth_error = None
    assert sender.drain().sent == [outbound_id]


def test_an_ambiguous_send_that_landed_is_settled_from_the_chat(world: World) -> None:
    sender, client = _scripted(world, "lost")
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "did it arrive?", created_by="ana")
    report = sender.drain()
    assert report.unknown == [outbound_id] and report.reconciled == [outbound_id]
    row = world.row(outbound_id)
    assert (row.state, row.platform_message_id) == ("sent", world.sim.ledger()[0].message_id)
    assert len(client.sends) == 1 and len(world.sim.ledger()) == 1
    with world.db.read() as session:
        assert session.scalar(select(Message.sent_by).where(Message.platform_message_id == row.platform_message_id)) == "ana"


def test_an_ambiguous_send_that_did_not_land_goes_again_after_the_grace(world: World) -> None:
    # A grace longer than a drain on a loaded machine (0.6 s was passed within one drain
    # in CI: the row went again in the drain that made it unknown); the clock moves it.
    clock = Clock()
    sender, client = _scripted(world, "not-sent-ambiguous", reconcile_grace=timedelta(seconds=5), clock=clock)
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "once only", created_by="ana")
    report = sender.drain()
    assert report.unknown == [outbound_id] and not report.sent
    row = world.row(outbound_id)
    assert row.state == "unknown"
    assert row.next_attempt_at == row.last_attempt_at + timedelta(seconds=5)
    assert report.next_wake_at == row.next_attempt_at
    assert sender.drain().sent == []  # still within the grace: no resend
    clock.offset += timedelta(seconds=5.1)
    report = sender.drain()
    assert report.requeued == [outbound_id] and report.sent == [outbound_id]
    assert world.row(outbound_id).attempts == 2
    assert _ledger_texts(world) == ["once only"]


def test_an_unknown_row_on_its_last_attempt_fails_with_the_reason(world: World) -> None:
    # A grace longer than a drain on a loaded machine: "first" stays unsettled throughout.
    sender, _ = _scripted(world, "not-sent-ambiguous", reconcile_grace=timedelta(seconds=2))
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "x", created_by="a", max_attempts=1)
    reports = drain_until_settled(sender, world.db, timeout=10)
    assert [r.failed for r in reports if r.failed] == [[outbound_id]]
    assert world.row(outbound_id).last_error == "not delivered after 1 attempts: HTTP 502: bad gateway (scripted)"
    assert world.sim.ledger() == []


@pytest.mark.parametrize("sent_before_crash", [True, False])
def test_a_crashed_workers_sends_are_checked_before_any_resend(world: World, sent_before_crash: bool) -> None:
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "crash", created_by="ana")
    # A lease of a minute and a grace of five, the clock moved past them: however slowly a loaded
    # machine sends, neither runs out by itself (a lease of 0.2 s did, before the check).
    clock = Clock()
    crashed = world.sender(clock, lease=timedelta(minutes=1), worker_id="crashed")
    claim = crashed.claim()
    assert claim.outbound_id == outbound_id
    outcome = crashed.send(claim) if sent_before_crash else None
    # ... and the worker dies here, before recording anything.
    survivor = world.sender(clock, worker_id="survivor", reconcile_grace=timedelta(minutes=5))
    assert survivor.drain().sent == []  # the lease still runs: hands off
    assert world.row(outbound_id).state == "sending"
    clock.offset += timedelta(minutes=1, seconds=1)
    report = survivor.drain()
    assert report.lease_expired == [outbound_id]
    if sent_before_crash:
        assert report.reconciled == [outbound_id]
    else:
        assert report.sent == [] and world.row(outbound_id).state == "unknown"
        clock.offset += timedelta(minutes=5)  # the grace counts from the attempt
        report = survivor.drain()
        assert report.requeued == [outbound_id] and report.sent == [outbound_id]
    assert _ledger_texts(world) == ["crash"]
    assert world.row(outbound_id).state == "sent"
    if outcome is not None:  # the dead worker's late word changes nothing
        assert crashed.record(claim, outcome, DrainReport(world.account.id)) is None
        assert world.row(outbound_id).state == "sent"


def test_a_late_success_settles_a_row_taken_for_dead(world: World) -> None:
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], "slow", created_by="ana")
    clock = Clock()
    slow = world.sender(clock, lease=timedelta(seconds=0.1), worker_id="slow")
    claim = slow.claim()
    outcome = slow.send(claim)
    clock.offset += timedelta(seconds=0.15)
    assert world.sender(clock, worker_id="other").expire_leases() == [outbound_id]
    assert slow.record(claim, outcome, DrainReport(world.account.id)) == "sent"
    row = world.row(outbound_id)
    assert (row.state, row.platform_message_id) == ("sent", outcome.message.id)


def test_replies_go_first_and_campaigns_leave_room_for_them(world: World) -> None:
    _set_limit(world, 10)  # campaigns may use 7 of every minute's 10 sends
    campaign = outbox.enqueue_many(world.db, world.account.id, world.fans[:12], "promo", created_by="a", campaign_id=None)
    assert campaign == 12
    replies = [
        outbox.enqueue(world.db, world.account.id, fan, f"reply {i}", created_by="a")
        for i, fan in enumerate(world.fans[12:15])
    ]
    report = world.sender().drain()
    assert report.sent[:3] == replies
    assert report.attempts == 7 and report.idle == Idle.NO_WORK  # campaigns stop at 7
    late = [outbox.enqueue(world.db, world.account.id, fan, "late reply", created_by="a") for fan in world.fans[:3]]
    report = world.sender().drain()
    assert report.sent == late and report.idle == Idle.NO_BUDGET
    status = outbox.queue_status(world.db, world.account.id)
    assert (status.used, status.budget_left, status.counts["queued"]) == (10, 0, 8)


def test_one_message_per_fan_is_in_flight_so_order_is_kept(world: World) -> None:
    # A grace longer than a drain on a loaded machine: "first" stays unsettled throughout.
    sender, _ = _scripted(world, "not-sent-ambiguous", reconcile_grace=timedelta(seconds=2))
    fan = world.fans[0]
    first = outbox.enqueue(world.db, world.account.id, fan, "first", created_by="a")
    second = outbox.enqueue(world.db, world.account.id, fan, "second", created_by="a")
    other = outbox.enqueue(world.db, world.account.id, world.fans[1], "other fan", created_by="a")
    report = sender.drain()
    assert report.sent == [other]  # "second" waits while "first" is unsettled
    assert world.row(second).state == "queued"
    drain_until_settled(sender, world.db, timeout=10)
    assert _ledger_texts(world) == ["other fan", "first", "second"]
    assert world.row(first).platform_message_id < world.row(second).platform_message_id


def test_the_window_slides_exactly(world: World) -> None:
    _set_limit(world, 3)
    clock = Clock()
    sender = world.sender(clock=clock)
    ids = [outbox.enqueue(world.db, world.account.id, fan, "w", created_by="a") for fan in world.fans[:7]]
    first = sender.drain()
    assert first.sent == ids[:3] and first.idle == Idle.NO_BUDGET
    with world.db.read() as session:
        oldest = session.scalar(select(func.min(SendAttempt.attempted_at)))
    assert first.next_wake_at == oldest + timedelta(seconds=60)
    clock.offset = timedelta(seconds=30)
    assert sender.drain().sent == []
    clock.at = first.next_wake_at - timedelta(milliseconds=50)
    assert sender.drain().sent == []  # a hair too early
    clock.at, clock.offset = None, timedelta(seconds=61)
    assert sender.drain().sent == ids[3:6]
    assert _attempts(world) == 6


def test_rows_paused_cancelled_or_not_due_are_left_alone(world: World) -> None:
    ids = [outbox.enqueue(world.db, world.account.id, fan, "x", created_by="a") for fan in world.fans[:3]]
    with world.db.write() as session:
        session.get(OutboundMessage, ids[0]).state = "paused"
        session.get(OutboundMessage, ids[1]).next_attempt_at = utcnow() + timedelta(hours=1)
    outbox.discard(world.db, world.account.id, [ids[2]])
    report = world.sender().drain()
    assert report.attempts == 0 and world.sim.ledger() == []
    assert report.next_wake_at == world.row(ids[1]).next_attempt_at


def test_send_failures_retries_and_discards_are_logged_by_id_without_the_text(
    world: World, records: LogRecords
) -> None:
    """Each send that did not go is in the log with its id and the platform's reason,
    at INFO (tried again) or WARNING (failed); a person's retry and discard too. The
    message's text never is (the fan's privacy)."""
    sender, _ = _scripted(world, "clear", "422", backoff_base_seconds=30.0)
    again = outbox.enqueue(world.db, world.account.id, world.fans[0], "secret words one",
                           created_by="ana", max_attempts=3)
    refused = outbox.enqueue(world.db, world.account.id, world.fans[1], "secret words two",
                             created_by="ana")
    report = sender.drain()
    assert report.retried == [again] and report.failed == [refused]
    warned = [line for level, line in records.lines if level == logging.WARNING]
    assert any(f"outbound #{refused} failed" in line
               and "HTTP 422: text must not be empty (scripted)" in line for line in warned), warned
    informed = [line for level, line in records.lines if level == logging.INFO]
    assert any(f"outbound #{again} not sent" in line and "no free connection" in line
               for line in informed), informed
    assert outbox.retry(world.db, world.account.id, [refused], by="bo") == 1
    assert outbox.discard(world.db, world.account.id, [refused, again]) == 2
    logged = [line for _, line in records.lines]
    assert any(f"retried by bo: #{refused}" in line for line in logged), logged
    assert any(f"discarded: #{min(refused, again)}, #{max(refused, again)}" in line
               for line in logged), logged
    assert not any("secret" in line for line in logged)
