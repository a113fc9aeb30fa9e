"""The thread shows where each reply is (queued, sending, sent, failed) at any size."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.simulator import Faults
from ofcrm_tui.store.models import Conversation, Message, OutboundMessage
from ofcrm_tui.tui.widgets.thread_view import ThreadView
from ofcrm_tui.tui.messages import DataChanged
from tests.tui.conftest import NOW, World
from tests.tui.pilot import composer, lines, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio

FILLER = "and then a few more words so that the line wraps differently at every width"
REASON = (
    "gave up after 5 attempts: server unreachable at http://127.0.0.1:36827 "
    "([Errno 111] Connection refused)"
)


def top_conversation(world: World) -> Conversation:
    with world.context.db.read() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.account_id == world.account.id)
            .order_by(Conversation.last_message_at.desc())
        ).first()
        assert conversation is not None
        session.expunge(conversation)
        return conversation


def add_messages(world: World, conversation: Conversation, kinds: list[dict]) -> None:
    """Append messages to the conversation, one minute apart, ending a minute before NOW;
    it stays the newest conversation (the one ``enter`` opens)."""
    with world.context.db.write() as session:
        for step, kind in enumerate(kinds):
            session.add(Message(
                account_id=world.account.id, conversation_id=conversation.id,
                fan_id=conversation.fan_id, platform_message_id=9_100_000 + step,
                created_at=NOW - timedelta(minutes=len(kinds) - step), **kind))
        session.execute(update(Conversation).where(Conversation.id == conversation.id).values(
            last_message_at=NOW - timedelta(minutes=1), unread_count=0))


def long_thread(world: World, count: int = 40) -> None:
    add_messages(world, top_conversation(world), [
        {"direction": "in" if step % 2 else "out", "text": f"message {step} {FILLER}"}
        for step in range(count)
    ])


def at_bottom(view: ThreadView) -> bool:
    return view.scroll_offset.y == view.max_scroll_y


# -- 1. sending ------------------------------------------------------------------------


async def test_a_reply_shows_sending_while_it_is_in_flight(world: World) -> None:
    settings = world.context.settings.model_copy(update={"drain_interval_seconds": 60})
    app = world.app()
    # Started by hand once the reply shows as queued, so that only what the jobs report
    # can change it (the app would drain at once, racing the reload after queueing).
    jobs = BackgroundJobs(world.context.db, settings, on_event=app.job_event, poll=False)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "r")
            assert composer(pilot).has_focus
            await pilot.press(*"on my way")
            await press(pilot, "ctrl+s")

            def state() -> str | None:
                found = [m.state for m in thread(pilot).messages if m.text == "on my way"]
                return found[-1] if found else None

            assert state() == "queued"
            world.sim.set_faults(Faults(latency_s=2))  # the send takes two seconds
            jobs.start()
            await wait_for(pilot, lambda: state() != "queued", timeout=5)
            assert state() == "sending"
            assert any("↻ sending" in line for line in lines(thread(pilot))[-4:])
            await wait_for(pilot, lambda: state() == "sent", timeout=10)
            assert any("✓ sent" in line for line in lines(thread(pilot))[-4:])
            assert not any("↻ sending" in line for line in lines(thread(pilot)))
    finally:
        jobs.shutdown()
    assert ["on my way" in entry.text for entry in world.sim.ledger()] == [True]


# -- 2. resizing -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 24), (90, 20), (160, 48), (80, 36)])
async def test_a_thread_at_the_bottom_stays_there_when_the_terminal_is_resized(
    world: World, size: tuple[int, int]
) -> None:
    long_thread(world)
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        view = thread(pilot)
        assert view.max_scroll_y > 0 and at_bottom(view)
        assert any("message 39" in line for line in lines(view))

        await pilot.resize_terminal(*size)
        await settle(pilot)
        assert view.max_scroll_y > 0 and at_bottom(view)
        assert any("message 39" in line for line in lines(view))
        # And back.
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert at_bottom(view)
        assert any("message 39" in line for line in lines(view))


async def test_a_thread_scrolled_up_keeps_its_place_when_the_terminal_is_resized(
    world: World,
) -> None:
    long_thread(world)
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "tab", *["k"] * 12)
        view = thread(pilot)
        assert view.has_focus and not at_bottom(view)
        top = lines(view)[0]
        assert re.search(r"· \d\d:\d\d", top), top  # a message's header is the top line

        for size in [(160, 36), (100, 30), (90, 44), (120, 36)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert lines(view)[0].strip() == top.strip(), size
            assert not at_bottom(view)


# -- 3. the header and the failure reason ----------------------------------------------


def block_of(rows: list[str], body: str) -> tuple[list[str], list[str]]:
    """The header lines and the rest of the message whose text starts with ``body``."""
    start = next(i for i, row in enumerate(rows) if f"▎ {body}" in row)
    head = start
    while "You" not in rows[head]:
        head -= 1
    end = start
    while end + 1 < len(rows) and rows[end + 1].strip():
        end += 1
    return rows[head:start], rows[start:end + 1]


def words(rows: list[str]) -> str:
    return " ".join(" ".join(rows).replace("▎", " ").split())


def sent_ppv_and_failed_reply(world: World) -> None:
    conversation = top_conversation(world)
    add_messages(world, conversation, [
        {"direction": "in", "text": "show me"},
        {"direction": "out", "text": "here you go", "price_cents": 2500, "is_opened": True,
         "media_count": 2, "sent_by": "tester"},
    ])
    db, account_id = world.context.db, world.account.id
    row = outbox.enqueue(db, account_id, conversation.fan_id, "are you still there?",
                         created_by="tester", now=NOW)
    with db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == row).values(
            state="failed", last_error=REASON))


@pytest.mark.parametrize("width", [60, 80, 100, 160])
async def test_the_delivery_state_and_the_failure_reason_are_always_readable(
    world: World, width: int
) -> None:
    sent_ppv_and_failed_reply(world)
    async with world.app().run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        rows = [row.rstrip() for row in lines(thread(pilot))]

        head, _ = block_of(rows, "here you go")
        # Right after the time, never cut off; the facts follow, on another line if need be.
        assert re.search(r"· \d\d:\d\d · ✓ sent", head[0]), head
        assert "PPV $25.00 bought" in words(head) and "2 media" in words(head), head
        if width >= 80:
            assert re.search(r"You \(tester\) · \d\d:\d\d · ✓ sent", head[0]), head
            assert not any("…" in row for row in head), head
        else:  # the chatter's name gives way first
            assert head[0].strip().startswith("You · "), head

        head, rest = block_of(rows, "are you still")
        assert re.search(r"· \d\d:\d\d · ✗ failed", head[0]), head
        # Wrapped, not clipped (a narrow view breaks the address too).
        assert "".join(REASON.split()) in "".join(words(rest).split()), rest
        if width >= 100:
            assert REASON in words(rest), rest
        assert not any("…" in row for row in rest), rest


# -- 4. the retry key ------------------------------------------------------------------


async def test_the_thread_offers_retry_only_while_it_has_a_failed_send(world: World) -> None:
    """QA (80x24): the thread focused, its footer offered "R Retry failed" with no failed
    message in it."""
    from tests.tui.test_small_terminal import footer_keys

    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "tab")
        screen = pilot.app.screen
        assert screen.focused is thread(pilot)
        assert "Retry failed" not in footer_keys(screen)
        sent_ppv_and_failed_reply(world)  # the newest conversation's send fails
        pilot.app.changes.publish(DataChanged.of("outbox"))
        await wait_for(pilot, lambda: any(m.state == "failed" for m in thread(pilot).messages))
        await settle(pilot)
        assert "Retry failed" in footer_keys(screen)
