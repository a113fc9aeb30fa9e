"""Open a conversation, reply, watch the reply go out; retry a failure; keep drafts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.core.inbox import drafts
from ofcrm_tui.jobs.events import MessagesFailed, MessagesSent
from ofcrm_tui.store.models import Conversation, Fan, Message, OutboundMessage
from tests.tui.conftest import NOW, World
from tests.tui.pilot import composer, conversations, lines, press, settle, thread, wait_for

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
        assert drafts.load_draft(
            world.context.db, world.account.id, row.conversation_id, "tester") is None

        report = await asyncio.to_thread(world.drain)
        app.job_event(MessagesSent(world.account.id, tuple(report.sent)))
        await settle(pilot)
        assert thread(pilot).pending == []
        newest = thread(pilot).stored[-1]
        assert (newest.text, newest.state, newest.direction) == ("see you at 8", "sent", "out")
        assert any("✓ sent" in line for line in lines(thread(pilot))[-4:])
    assert [entry.user_id for entry in world.sim.ledger()] == [row.platform_user_id]


async def test_the_enter_that_ended_a_reply_is_not_sent(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "enter", *"hi", "enter", "enter", *"there", "enter")
        assert composer(pilot).text == "\nhi\n\nthere\n"
        await press(pilot, "ctrl+s")
        assert [m.text for m in thread(pilot).pending] == ["hi\n\nthere"]

        report = await asyncio.to_thread(world.drain)
        app.job_event(MessagesSent(world.account.id, tuple(report.sent)))
        await settle(pilot)
        assert thread(pilot).stored[-1].text == "hi\n\nthere"
    [entry] = world.sim.ledger()
    assert entry.text == "<p>hi<br><br>there</p>"  # as the platform takes it


async def test_a_failed_message_is_retried_from_the_thread(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        fan = session.scalars(
            select(Fan).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.subscription_status == "expired")
        ).first()
    assert fan is not None
    # Expired on the platform, not yet locally (outbox.enqueue refuses known expired fans):
    # the platform refuses it, one attempt, then failed.
    with db.write() as session:
        session.execute(update(Fan).where(Fan.id == fan.id).values(subscription_status="active"))
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
        # The list marks the conversation left with a draft (✎ on its preview line).
        assert lines(conversations(pilot))[1][1] == "✎" and conversations(pilot).row_at(0).has_draft
        assert lines(conversations(pilot))[3][1] == " "

        await press(pilot, "k", "enter")
        assert composer(pilot).text == "half a thought"
        await press(pilot, "r")
        await pilot.press(*" and more")
        await press(pilot, "escape", "q")

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert lines(conversations(pilot))[1][1] == "✎"  # read from the database
        await press(pilot, "enter")
        assert conversations(pilot).cursor_row.conversation_id == first.conversation_id
        assert composer(pilot).text == "half a thought and more"
        await press(pilot, "r", "ctrl+s")  # sent: the draft and its marker are gone
        assert lines(conversations(pilot))[1][1] == " "


async def test_a_thread_opens_on_its_newest_page_and_loads_older_ones_above(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    with db.write() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.account_id == account_id)
            .order_by(Conversation.last_message_at.desc())
        ).first()
        session.execute(delete(Message).where(Message.conversation_id == conversation.id))
        for number in range(120):
            session.add(Message(
                account_id=account_id, conversation_id=conversation.id,
                fan_id=conversation.fan_id, platform_message_id=8_000_000 + number,
                direction="in" if number % 2 else "out", text=f"message {number}",
                created_at=NOW - timedelta(minutes=120 - number),
            ))
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "tab")
        view = thread(pilot)
        assert [m.text for m in view.stored[-2:]] == ["message 118", "message 119"]
        assert len(view.stored) == 50 and view.scroll_offset.y == view.max_scroll_y

        await press(pilot, "g")  # to the oldest loaded: the view reaches the top
        assert len(view.stored) == 100
        # The page came in above: what was on screen stays on screen.
        assert view.messages[view.cursor].text == "message 70"
        assert "message 70" in lines(view)[1]
        await press(pilot, "g", "g")
        assert len(view.stored) == 120 and not view.has_older
        assert view.stored[0].text == "message 0"


async def test_a_refused_send_keeps_what_was_typed_as_a_draft(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        row = conversations(pilot).cursor_row
        with world.context.db.write() as session:  # the fan's subscription lapsed
            session.execute(update(Fan).where(Fan.id == row.fan_id)
                            .values(subscription_status="expired"))
        await press(pilot, "r")
        await pilot.press(*"typed, then refused")
        await press(pilot, "ctrl+s")
        assert composer(pilot).text == "typed, then refused"
    draft = drafts.load_draft(world.context.db, world.account.id, row.conversation_id, "tester")
    assert draft is not None and draft.text == "typed, then refused"


async def test_escape_and_the_next_key_read_as_one_leave_the_composer(world: World) -> None:
    """Esc then j typed fast (or read at once under load) arrive as one ``alt+j``: the
    composer is left and j moves down the list; nothing is typed into the reply."""
    from textual import events

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await pilot.press(*"hi")
        first = conversations(pilot).cursor_row
        app.post_message(events.Key("alt+j", "j"))
        await wait_for(pilot, lambda: conversations(pilot).cursor_row.conversation_id
                       != first.conversation_id)
        assert conversations(pilot).has_focus
        assert composer(pilot).text == "hi"
