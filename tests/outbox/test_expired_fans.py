"""Fans whose subscription has expired: the platform refuses them (403), so the queue
neither takes nor retries messages for them, and says why."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ofcrm_tui.core import metrics, outbox
from ofcrm_tui.core.outbox import OutboxError
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.store.models import Fan, MetricEvent, OutboundMessage, SendAttempt
from tests.outbox.conftest import World

REASON = "the platform does not deliver messages to expired fans"


def _count(world: World, model: type = OutboundMessage) -> int:
    with world.db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def _manual_retries(world: World) -> int:
    with world.db.read() as session:
        return session.scalar(
            select(func.count()).where(MetricEvent.name == metrics.MANUAL_RETRY)
        )


def _name(world: World, fan_id: int, *, nickname: str = "", name: str = "") -> str:
    """Give the fan a nickname and a name; returns the username."""
    with world.db.write() as session:
        fan = session.get(Fan, fan_id)
        assert fan is not None
        fan.nickname, fan.name = nickname, name
        return fan.username


def test_enqueue_refuses_an_expired_fan_by_the_name_the_inbox_shows(world: World) -> None:
    fan = world.expired_fans[0]
    username = _name(world, fan, nickname="Bunny", name="Alex")
    for expected in ("Bunny", "Alex", username):
        with pytest.raises(OutboxError) as raised:
            outbox.enqueue(world.db, world.account.id, fan, "come back?", created_by="ana")
        assert str(raised.value) == f"{expected}'s subscription has expired: {REASON}"
        _name(world, fan, name="Alex" if expected == "Bunny" else "")
    # The same for a single campaign recipient.
    with pytest.raises(OutboxError, match=f"^{username}'s subscription has expired: {REASON}$"):
        outbox.enqueue_many(world.db, world.account.id, [fan], "hi", created_by="a", campaign_id=None)
    assert _count(world) == 0


def test_the_fan_name_in_the_error_is_one_harmless_line(world: World) -> None:
    fan = world.expired_fans[0]
    _name(world, fan, name="Eve\n\x1b[31mred\x07")
    with pytest.raises(OutboxError) as raised:
        outbox.enqueue(world.db, world.account.id, fan, "hi", created_by="ana")
    message = str(raised.value)
    assert "\n" not in message and "\x1b" not in message and "\x07" not in message
    assert message.startswith("Eve ") and message.endswith(REASON)


def test_a_campaign_with_expired_recipients_is_refused_whole_naming_them(world: World) -> None:
    expired = world.expired_fans[:2]
    usernames = [_name(world, fan, nickname="x") for fan in expired]
    recipients = world.fans[:5] + expired + expired[:1]  # listed twice: counted once
    with pytest.raises(OutboxError) as raised:
        outbox.enqueue_many(world.db, world.account.id, recipients, "promo", created_by="a", campaign_id=None)
    assert str(raised.value) == (
        f"2 of the 7 recipients are expired fans (@{usernames[0]}, @{usernames[1]}): {REASON}"
    )
    with pytest.raises(OutboxError) as raised:
        outbox.enqueue_many(
            world.db, world.account.id, world.fans[:5] + expired[:1], "promo", created_by="a", campaign_id=None
        )
    assert str(raised.value) == f"1 of the 6 recipients is an expired fan (@{usernames[0]}): {REASON}"
    assert _count(world) == 0
    # Fans not of the account are named first, as before.
    with pytest.raises(OutboxError, match="recipients are not fans of this account"):
        outbox.enqueue_many(world.db, world.account.id, expired + [10**9], "p", created_by="a", campaign_id=None)
    # Among active fans only, the campaign is queued.
    count = outbox.enqueue_many(world.db, world.account.id, world.fans[:5], "promo", created_by="a", campaign_id=None)
    assert count == 5 == _count(world)


def test_a_failed_message_to_an_expired_fan_is_not_retried_and_takes_no_retry(world: World) -> None:
    fan = world.expired_fans[0]
    _name(world, fan, nickname="Bunny")
    outbound_id = world.queue_failed(fan)
    for retry in (outbox.retry, outbox.retry_detailed):
        with pytest.raises(OutboxError) as raised:
            retry(world.db, world.account.id, [outbound_id], by="bo")
        assert str(raised.value) == f"Bunny's subscription has expired: {REASON}"
    row = world.row(outbound_id)
    assert (row.state, row.attempts) == ("failed", 5)
    assert row.last_error == "403: the user's subscription is not active"
    assert _manual_retries(world) == 0
    with pytest.raises(OutboxError, match=f"^Bunny's subscription has expired: {REASON}$"):
        outbox.retry_detailed(world.db, world.account.id, None, by="bo")
    # Resubscribed (the next sync says so): the retry goes through.
    world.set_status(fan, "active")
    assert outbox.retry(world.db, world.account.id, [outbound_id], by="bo") == 1
    assert world.row(outbound_id).state == "queued"


def test_retry_all_leaves_messages_to_expired_fans_failed_and_says_why(world: World) -> None:
    usernames = [_name(world, fan) for fan in world.expired_fans[:2]]
    active = [world.queue_failed(fan, "a") for fan in world.fans[:2]]
    expired = [world.queue_failed(fan, "e") for fan in world.expired_fans[:2]]
    expired.append(world.queue_failed(world.expired_fans[0], "again"))
    result = outbox.retry_detailed(world.db, world.account.id, None, by="bo")
    assert result.retried == active and result.expired == expired
    assert result.not_failed == [] and result.over_limit == []
    assert result.expired_reason == (
        f"3 of the 5 messages are to expired fans (@{usernames[0]}, @{usernames[1]}): {REASON}"
    )
    assert _manual_retries(world) == 2
    assert [world.states()[i] for i in expired] == ["failed"] * 3
    # Listed ids: the same split, unknown ids apart.
    world.fail(active)
    result = outbox.retry_detailed(world.db, world.account.id, [active[0], expired[1], 999_999], by="bo")
    assert (result.retried, result.expired, result.not_failed) == ([active[0]], [expired[1]], [999_999])
    assert result.expired_reason == f"1 of the 2 messages is to an expired fan (@{usernames[1]}): {REASON}"


def test_an_expired_fan_is_not_sent_to_again(world: World) -> None:
    """QA's report: a reply to a fan who expired since the last sync fails with the
    platform's 403; once synced, retrying it sends nothing and spends no send."""
    fan = world.expired_fans[0]
    world.set_status(fan, "active")  # stale: expired on the platform since
    outbound_id = outbox.enqueue(world.db, world.account.id, fan, "still there?", created_by="ana", max_attempts=1)
    sender = world.sender()
    assert sender.drain().failed == [outbound_id]
    assert "subscription" in (world.row(outbound_id).last_error or "")
    attempts = _count(world, SendAttempt)

    InboundSync(world.db, world.account.id, world.client).full()
    with pytest.raises(OutboxError, match="subscription has expired"):
        outbox.retry(world.db, world.account.id, [outbound_id], by="bo")
    with pytest.raises(OutboxError, match="subscription has expired"):
        outbox.enqueue(world.db, world.account.id, fan, "hello?", created_by="ana")
    sender.drain()
    assert world.row(outbound_id).state == "failed"
    assert _count(world, SendAttempt) == attempts
    assert world.sim.ledger() == []


def test_failed_views_name_the_fan_as_the_inbox_does(world: World) -> None:
    fan = world.fans[0]
    username = _name(world, fan, nickname="Bunny", name="Alex")
    world.queue_failed(fan)
    view = outbox.failed(world.db, world.account.id)[0]
    assert (view.fan_display_name, view.fan_username) == ("Bunny", username)
