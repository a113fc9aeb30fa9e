"""Open a conversation, reply, watch the reply go out; retry a failure; keep drafts."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from ofcrm_tui.core import outbox
from ofcrm_tui.jobs.events import MessagesFailed, MessagesSent
from ofcrm_tui.store.models import Conversation, Fan, OutboundMessage
from tests.tui.conftest import World
from tests.tui.pilot import composer, conversations, lines, press, settle, thread

pytestmark = pytest.mark.anyio


async def test_reply_goes_from_queued_to_sent(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        row = conversations(pilot).cursor_row
        assert row is not None and thread(pilot).source.conversation_id == row.conversation_id
        assert composer(pilot).has_focus

        await pilot.press(*"see you at 8")
        await press(pilot, "ctrl+s")
        pending = thread(pilot).pending
        assert [(m.text, m.state) for m in pending] == [("see you at 8", "queued")]
        assert any("◷ queued" in line for line in lines(thread(pilot)))
        assert composer(pilot).text == ""

        report = await asyncio.to_thread(world.drain)
        app.job_event(MessagesSent(world.account.id, tuple(report.sent)))
        await settle(pilot)
        assert thread(pilot).pending == []
        newest = thread(pilot).stored[-1]
        assert (newest.text, newest.state, newest.direction) == ("see you at 8", "sent", "out")
        assert any("✓ sent" in line for line in lines(thread(pilot))[-4:])
    assert [entry.user_id for entry in world.sim.ledger()] == [row.platform_user_id]


async def test_a_failed_message_is_retried_from_the_thread(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        fan = session.scalars(
            select(Fan).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.subscription_status == "expired")
        ).first()
    assert fan is not None
    # The platform refuses messages to expired fans: one attempt, then failed.
    outbox.enqueue(db, account_id, fan.id, "come back?", created_by="tester", max_attempts=1)
    report = await asyncio.to_thread(world.drain)
    assert report.failed

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.job_event(MessagesFailed(account_id, tuple(report.failed)))
        await press(pilot, "slash", *fan.username, "enter")
        failed = thread(pilot).pending[-1]
        assert (failed.text, failed.state) == ("come back?", "failed")
        assert failed.last_error
        assert any("✗ failed" in line for line in lines(thread(pilot)))

        await press(pilot, "tab", "R")
        assert thread(pilot).pending[-1].state == "queued"
    with db.read() as session:
        row = session.get(OutboundMessage, failed.outbound_id)
        assert row is not None and row.state == "queued" and row.attempts == 0


async def test_drafts_survive_switching_conversations_and_restarts(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        first = conversations(pilot).cursor_row
        await pilot.press(*"half a thought")
        await press(pilot, "escape", "j", "enter")
        assert composer(pilot).target.fan.conversation_id != first.conversation_id
        assert composer(pilot).text == ""

        await press(pilot, "k", "enter")
        assert composer(pilot).text == "half a thought"
        await press(pilot, "r")
        await pilot.press(*" and more")
        await press(pilot, "escape", "q")

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert conversations(pilot).cursor_row.conversation_id == first.conversation_id
        assert composer(pilot).text == "half a thought and more"
