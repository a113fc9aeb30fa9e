"""The queue API: validation up front, bulk enqueue, views, retry, discard, status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.core.fans import FanError, resolve_fan
from ofcrm_tui.core.outbox import OutboxError
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.enums import OutboundKind
from ofcrm_tui.store.models import Campaign, OutboundMessage, SendAttempt
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World


def _count(world: World) -> int:
    with world.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutboundMessage))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"text": "   \n\t "}, "empty"),
        ({"text": "x" * 10_001}, "10,000"),
        ({"price_cents": 299, "media": 1}, "between $3.00 and $200.00"),
        ({"price_cents": 20_001, "media": 1}, "between $3.00 and $200.00"),
        ({"price_cents": 500}, "at least one media"),
        ({"media": 1, "previews": "other"}, "previews must be among"),
        ({"media_ids": [999_999]}, "not in this account's vault"),
        ({"fan": "missing"}, "not a fan of this account"),
        ({"created_by": "  "}, "chatter"),
        ({"kind": "spam"}, "unknown message kind"),
        ({"media": 2, "duplicate": True}, "more than once"),
    ],
)
def test_enqueue_refuses_what_the_platform_would_refuse(world: World, kwargs, fragment) -> None:  # noqa: ANN001
    kwargs = dict(kwargs)
    media = world.media[: kwargs.pop("media", 0)]
    if kwargs.pop("duplicate", False):
        media = [media[0], media[0]]
    previews = [world.media[-1]] if kwargs.pop("previews", None) == "other" else []
    fan = world.fans[0] if kwargs.pop("fan", None) is None else 10**9
    args = {
        "text": "hello",
        "created_by": "ana",
        "price_cents": 0,
        "media_ids": media,
        "preview_ids": previews,
        **kwargs,
    }
    text = args.pop("text")
    with pytest.raises(OutboxError) as raised:
        outbox.enqueue(world.db, world.account.id, fan, text, **args)
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)
    assert _count(world) == 0


def test_enqueue_accepts_the_edges_and_keeps_the_message(world: World) -> None:
    text = "x" * 10_000
    first = outbox.enqueue(world.db, world.account.id, world.fans[0], text, created_by="ana")
    ppv = outbox.enqueue(
        world.db,
        world.account.id,
        world.fans[1],
        "unlock me\r\nnow",
        created_by="ana",
        kind=OutboundKind.MANUAL,
        price_cents=20_000,
        media_ids=world.media[:2],
        preview_ids=world.media[:1],
    )
    row = world.row(ppv)
    assert row.text == "unlock me\nnow"  # line ends as the platform gives them back
    assert (row.price_cents, row.media_ids, row.preview_ids) == (20_000, world.media[:2], world.media[:1])
    assert (row.state, row.kind, row.attempts, row.created_by) == ("queued", "manual", 0, "ana")
    assert world.row(first).priority < row.priority


def test_the_blank_lines_around_a_message_are_not_part_of_it(world: World) -> None:
    # The Enter that ended a reply, the blank lines pasted before it: gone; the blank line
    # and the indent inside it kept; its length is counted without them.
    typed = " \n\r\n  one\n\n  two  \r\n\n \t\n" + " " * 20
    outbound_id = outbox.enqueue(world.db, world.account.id, world.fans[0], typed,
                                 created_by="ana")
    assert world.row(outbound_id).text == "  one\n\n  two"
    longest = outbox.enqueue(world.db, world.account.id, world.fans[1],
                             "x" * 10_000 + "\n\n", created_by="ana")
    assert world.row(longest).text == "x" * 10_000


def test_enqueue_many_refuses_with_the_same_reasons_as_enqueue(world: World) -> None:
    cases = [
        ({"text": " "}, "the message is empty"),
        ({"price_cents": 299, "media_ids": world.media[:1]}, "between $3.00 and $200.00"),
        ({"price_cents": 500}, "a priced message needs at least one media item"),
        ({"media_ids": [999_999]}, "media not in this account's vault: 999999"),
        ({"media_ids": [2**63]}, "media ids must be positive whole numbers"),  # overflowed the database
        ({"created_by": " "}, "a message needs the name of the chatter who sends it"),
        ({"max_attempts": 0}, "max_attempts must be at least 1"),
        ({"campaign_id": 999_999}, "campaign #999999 is not a campaign of this account"),
    ]
    for kwargs, fragment in cases:
        args = {"text": "hello", "created_by": "ana", "campaign_id": None, **kwargs}
        text = args.pop("text")
        errors = []
        for send in (outbox.enqueue, outbox.enqueue_many):
            fan = world.fans[0] if send is outbox.enqueue else [world.fans[0]]
            with pytest.raises(OutboxError) as raised:
                send(world.db, world.account.id, fan, text, **args)
            errors.append(str(raised.value))
        assert errors[0] == errors[1] and fragment in errors[0]
    assert _count(world) == 0


def test_a_fan_of_another_account_is_refused(world: World) -> None:
    from ofcrm_tui.store.models import Account, Fan

    with world.db.write() as session:
        other = Account(name="other", base_url="http://x")
        session.add(other)
        session.flush()
        fan = Fan(account_id=other.id, platform_user_id=1, username="u1")
        session.add(fan)
        session.flush()
        other_fan = fan.id
    with pytest.raises(OutboxError, match="not a fan of this account"):
        outbox.enqueue(world.db, world.account.id, other_fan, "hi", created_by="ana")
    with pytest.raises(OutboxError, match="recipients are not fans"):
        outbox.enqueue_many(
            world.db, world.account.id, [world.fans[0], other_fan], "hi", created_by="a", campaign_id=None
        )
    assert _count(world) == 0


def test_enqueue_many_is_one_bulk_of_campaign_rows(world: World) -> None:
    with world.db.write() as session:
        campaign = Campaign(account_id=world.account.id, name="c", text="hey", created_by="ana")
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    recipients = world.fans + world.fans[:3]  # listed twice: one message each
    count = outbox.enqueue_many(
        world.db,
        world.account.id,
        recipients,
        "hey all",
        created_by="ana",
        campaign_id=campaign_id,
        price_cents=999,
        media_ids=world.media[:1],
    )
    assert count == len(world.fans) == _count(world)
    with world.db.read() as session:
        kinds = set(session.execute(select(OutboundMessage.kind, OutboundMessage.campaign_id)).all())
    assert kinds == {("campaign", campaign_id)}
    assert outbox.enqueue_many(world.db, world.account.id, [], "x", created_by="a", campaign_id=None) == 0


def test_failed_retry_and_discard(world: World) -> None:
    ids = [outbox.enqueue(world.db, world.account.id, f, "hi", created_by="ana") for f in world.fans[:3]]
    world.fail(ids)
    listed = outbox.failed(world.db, world.account.id)
    assert [v.id for v in listed] == sorted(ids, reverse=True)
    assert listed[0].last_error == "HTTP 422: nope" and listed[0].fan_username
    assert outbox.failed(world.db, world.account.id, since_days=7, now=utcnow() + timedelta(days=8)) == []

    assert outbox.retry(world.db, world.account.id, [ids[0], 999_999], by="bo") == 1
    row = world.row(ids[0])
    assert (row.state, row.attempts, row.last_error, row.first_attempt_at) == ("queued", 0, None, None)
    assert outbox.discard(world.db, world.account.id, [ids[1], ids[0], 999_999]) == 2
    assert world.states()[ids[1]] == world.states()[ids[0]] == "cancelled"
    assert outbox.retry(world.db, world.account.id, [ids[1]], by="bo") == 0  # cancelled stays


def test_manual_retries_are_limited_to_ten_a_minute(world: World) -> None:
    ids = [
        outbox.enqueue(world.db, world.account.id, world.fans[i % len(world.fans)], f"m{i}", created_by="a")
        for i in range(14)
    ]
    world.fail(ids)
    now = utcnow()
    first = outbox.retry_detailed(world.db, world.account.id, ids[:4], by="bo", now=now)
    assert first.retried == ids[:4]
    result = outbox.retry_detailed(world.db, world.account.id, None, by="bo", now=now + timedelta(seconds=30))
    assert result.retried == ids[4:10]
    assert result.over_limit == ids[10:]
    assert 29 <= result.wait_seconds <= 31
    with pytest.raises(OutboxError, match="10 a minute"):
        outbox.retry(world.db, world.account.id, ids[10:], by="bo", now=now + timedelta(seconds=40))
    # A minute after the first four, four more may go.
    assert outbox.retry(world.db, world.account.id, ids[10:], by="bo", now=now + timedelta(seconds=61)) == 4


def test_resolve_fan_by_platform_id_or_username(world: World) -> None:
    fan = world.fans[2]
    platform_id = world.platform_ids[fan]
    by_id = resolve_fan(world.db, world.account.id, str(platform_id))
    assert by_id.id == fan
    assert resolve_fan(world.db, world.account.id, "@" + by_id.username).id == fan
    assert resolve_fan(world.db, world.account.id, by_id.username).id == fan
    with pytest.raises(FanError, match="no fan"):
        resolve_fan(world.db, world.account.id, "nobody-here")


def test_queue_status_counts_and_budget(world: World) -> None:
    with world.db.write() as session:
        from ofcrm_tui.store.models import Account

        session.get(Account, world.account.id).send_limit_per_minute = 10
    now = utcnow()
    for fan in world.fans[:5]:
        outbox.enqueue(world.db, world.account.id, fan, "hi", created_by="a", now=now)
    outbox.enqueue_many(world.db, world.account.id, world.fans[5:8], "c", created_by="a", campaign_id=None, now=now)
    with world.db.write() as session:
        for seconds in range(7):
            session.add(SendAttempt(account_id=world.account.id, attempted_at=now - timedelta(seconds=50 - seconds)))
    status = outbox.queue_status(world.db, world.account.id, now=now)
    assert status.counts["queued"] == 8 and status.depth == 8
    assert (status.limit, status.used, status.budget_left, status.campaign_budget_left) == (10, 7, 3, 0)
    assert status.next_send_at == now  # replies may go now
    # With every slot used, the next send waits for the oldest attempt to leave the window.
    with world.db.write() as session:
        for seconds in range(3):
            session.add(SendAttempt(account_id=world.account.id, attempted_at=now - timedelta(seconds=5)))
    with diagnostics.captured_sql(world.db) as statements:
        status = outbox.queue_status(world.db, world.account.id, now=now)
    assert status.budget_left == 0
    assert status.next_send_at == now + timedelta(seconds=10)
    # The window is counted once, for the budget and both kinds' next free slot.
    assert len([sql for sql, _ in statements if "count(" in sql.lower() and "send_attempts" in sql]) == 1
    # Campaign rows wait for the window to drop to the campaign cap (7): 4 attempts more.
    with world.db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.kind != "campaign").values(state="sent"))
    status = outbox.queue_status(world.db, world.account.id, now=now)
    assert status.next_send_at == now + timedelta(seconds=13)
    # The sender asks next_send_at alone: it counts the window once, and not at all when
    # nothing is queued.
    policy = outbox.SendPolicy(limit=10, blocked_until=None, reply_reserve=3)
    with world.db.read() as session, diagnostics.captured_sql(world.db) as statements:
        assert outbox.next_send_at(session, world.account.id, now, policy) == status.next_send_at
    assert len([sql for sql, _ in statements if "count(" in sql.lower() and "send_attempts" in sql]) == 1
    with world.db.write() as session:
        session.execute(update(OutboundMessage).values(state="sent"))
    with world.db.read() as session, diagnostics.captured_sql(world.db) as statements:
        assert outbox.next_send_at(session, world.account.id, now, policy) is None
    assert not [sql for sql, _ in statements if "send_attempts" in sql]


def test_queue_status_reads_the_queue_and_the_polls_in_one_transaction(world: World) -> None:
    from sqlalchemy import event

    from ofcrm_tui.core import metrics
    from ofcrm_tui.store.models import MetricEvent

    now = utcnow()
    with world.db.write() as session:
        session.execute(delete(MetricEvent).where(MetricEvent.name.in_([metrics.POLL, metrics.POLL_FAILED])))
    transactions = []

    def began(connection: object) -> None:
        transactions.append(connection)

    event.listen(world.db.engine, "begin", began)
    try:
        status = outbox.queue_status(world.db, world.account.id, now=now)
    finally:
        event.remove(world.db.engine, "begin", began)
    assert len(transactions) == 1
    assert (status.last_poll_at, status.last_poll_failed_at, status.last_poll_ok) == (None, None, False)

    def polls(*events: tuple[str, timedelta]) -> outbox.QueueStatus:
        with world.db.write() as session:
            for name, ago in events:
                session.add(MetricEvent(account_id=world.account.id, name=name, recorded_at=now - ago))
        return outbox.queue_status(world.db, world.account.id, now=now)

    status = polls((metrics.POLL, timedelta(seconds=30)))
    assert (status.last_poll_at, status.last_poll_failed_at) == (now - timedelta(seconds=30), None)
    assert status.last_poll_ok
    status = polls((metrics.POLL_FAILED, timedelta(seconds=20)))
    assert status.last_poll_failed_at == now - timedelta(seconds=20) and not status.last_poll_ok
    assert polls((metrics.POLL, timedelta(seconds=10))).last_poll_ok
