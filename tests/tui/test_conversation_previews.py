"""The conversation list's rows: the preview names who sent the last message, or
marks a failed one; the time is the one the list is sorted on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from ofcrm_tui.core import inbox, outbox
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store.models import Conversation, OutboundMessage
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import short_time
from tests.tui.conftest import NOW, World
from ofcrm_tui.jobs.events import MessagesFailed
from tests.tui.pilot import conversations, lines, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_another_chatters_last_message_is_theirs_by_name(world: World) -> None:
    """The chatter ("tester") sees "You:" for their own last message and one sent outside
    ofcrm, another chatter's name for theirs, nothing for the fan's."""
    db, account_id = world.context.db, world.account.id
    top = inbox.conversations_window(db, account_id, InboxFilter(), 0, 4, anchor=None)
    summaries = [("out", "sam", "race sam"), ("out", "tester", "race mine"),
                 ("out", None, "race web"), ("in", None, "race fan")]
    with db.write() as session:
        for row, (direction, by, text) in zip(top, summaries, strict=True):
            session.execute(update(Conversation).where(Conversation.id == row.conversation_id)
                            .values(last_message_direction=direction, last_message_sent_by=by,
                                    last_message_preview=text))
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = "\n".join(lines(conversations(pilot)))
        assert "sam: race sam" in shown and "You: race mine" in shown, shown
        assert "You: race web" in shown and "You: race sam" not in shown
        assert "race fan" in shown and ": race fan" not in shown


def _reply_just_sent(world: World, conversation_id: int, text: str) -> None:
    """The chatter's reply, a minute before the app's clock, is the last message."""
    with world.context.db.write() as session:
        session.execute(update(Conversation).where(Conversation.id == conversation_id)
                        .values(last_message_at=NOW - timedelta(minutes=1),
                                last_message_direction="out", last_message_sent_by="tester",
                                last_message_preview=text))


def _lines_of(shown: list[str], rows: list[inbox.ConversationRow], conversation_id: int
              ) -> tuple[str, str]:
    """A row's two lines (the list's first rows are ``rows``, from its top line)."""
    index = 2 * next(i for i, row in enumerate(rows) if row.conversation_id == conversation_id)
    return shown[index].rstrip(), shown[index + 1]


@pytest.mark.parametrize("order", ["fan", "activity"])
async def test_each_row_shows_the_time_the_list_is_sorted_on(world: World, order: str) -> None:
    """In the fan order a reply does not move its row, nor change its time: the times
    read newest first, top to bottom (the reply's time stood among the fans' days)."""
    db, account_id = world.context.db, world.account.id
    replied = inbox.conversations_window(db, account_id, InboxFilter(order="fan"), 4, 1)[0]
    _reply_just_sent(world, replied.conversation_id, "on my way")
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": order})
    rows = inbox.conversations_window(db, account_id, InboxFilter(order=order), 0, 8)
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = lines(conversations(pilot))
    times = [row.sorted_at(order) for row in rows]
    assert times == sorted(times, reverse=True)
    for row in rows:
        head, _ = _lines_of(shown, rows, row.conversation_id)
        assert head.endswith(" " + short_time(row.sorted_at(order), NOW)), shown
    head, preview = _lines_of(shown, rows, replied.conversation_id)
    assert head.endswith(" 11:59") == (order == "activity"), head
    assert "You: on my way" in preview  # the preview stays the last message


async def test_a_failed_reply_is_marked_on_its_row_until_discarded(world: World) -> None:
    """The failed reply written after the last message stands where a sent one would,
    in the error colour after a ``✗``; one written before the last message leaves the
    preview to it, its ``✗`` alone says it. Discarded (or retried), the row is as before."""
    db, account_id = world.context.db, world.account.id
    rows = inbox.conversations_window(db, account_id, InboxFilter(order="fan"), 0, 8)
    late, early = [row for row in rows if row.subscription_status == "active"][:2]
    failed = []
    for row, at in ((late, NOW), (early, early.last_message_at - timedelta(minutes=5))):
        failed.append(outbox.enqueue(db, account_id, row.fan_id, "still there?",
                                     created_by="tester", now=at))
    with db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(failed))
                        .values(state="failed", last_error="500: try later"))
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        widget = conversations(pilot)
        shown = lines(widget)
        _, line = _lines_of(shown, rows, late.conversation_id)
        assert line.startswith("  ✗You: still there?"), line
        error = widget.get_component_rich_style("conversation-list--failed").color
        y = shown.index(line)
        styled = [seg for seg in widget.render_line(y) if "You: still there?" in seg.text]
        assert styled and styled[0].style.color == error, styled
        _, line = _lines_of(shown, rows, early.conversation_id)
        assert line.startswith("  ✗") and "still there?" not in line, line
        assert clean(early.preview, single_line=True)[:20] in line, line
        outbox.discard(db, account_id, failed)
        widget.refresh_rows()
        await settle(pilot)
        shown = lines(widget)
        assert "✗" not in "\n".join(shown), shown


async def test_a_send_failing_or_discarded_marks_its_row_at_once(world: World) -> None:
    """A failed send, or a discard, changed the row's mark only at the list's next
    read (a poll's new message, a filter): both published the queue alone."""
    db, account_id = world.context.db, world.account.id
    rows = inbox.conversations_window(db, account_id, InboxFilter(), 0, 8)
    row = next(row for row in rows if row.subscription_status == "active")
    async with world.app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await settle(pilot)
        widget = conversations(pilot)
        assert "✗" not in "\n".join(lines(widget))
        failed = outbox.enqueue(db, account_id, row.fan_id, "still there?",
                                created_by="tester", now=NOW)
        with db.write() as session:
            session.execute(update(OutboundMessage).where(OutboundMessage.id == failed)
                            .values(state="failed", last_error="500: try later"))
        app.job_event(MessagesFailed(account_id, (failed,)))
        await wait_for(pilot, lambda: "✗" in "\n".join(lines(widget)))
        outbox.discard(db, account_id, [failed])
        app.queue_changed()  # as the Failed screen does after a discard
        await wait_for(pilot, lambda: "✗" not in "\n".join(lines(widget)))
