"""What the background jobs report reaches the screens in few refreshes, and the thread
redraws only what changed (a drain reports every send; the app must not redraw for each)."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import timedelta

import pytest

from ofcrm_tui.core import outbox
from ofcrm_tui.core.sync import NewInbound, SyncReport
from ofcrm_tui.jobs.events import MessagesClaimed, MessagesSent, PollCompleted
from ofcrm_tui.tui import held_changes
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.widgets import thread_layout
from tests.tui.conftest import NOW, World
from tests.tui.pilot import conversations, lines, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio


def _inbound(conversation_id: int) -> NewInbound:
    return NewInbound(conversation_id, "Fan", "are you there?", 0, 0)


def test_merged_changes_keep_every_topic_message_and_send() -> None:
    poll = DataChanged.of("inbox", inbound=(_inbound(1),))
    claim = DataChanged.of("outbox")
    sent = DataChanged.of("outbox", "inbox", sent=True)
    # A poll and a claim together are no sent reply: replied-to rows keep their line.
    assert poll.merge(claim) == DataChanged.of("inbox", "outbox", inbound=(_inbound(1),))
    assert not poll.merge(claim).sent
    later = DataChanged.of("inbox", inbound=(_inbound(2),))
    merged = poll.merge(claim).merge(sent).merge(later)
    assert merged.sent and merged.inbound == (_inbound(1), _inbound(2))
    assert merged.touches("outbox") and merged.touches("inbox")


async def test_a_burst_of_job_events_makes_one_refresh_after_the_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(held_changes, "JOB_REFRESH_SECONDS", 1.0)
    app = world.app()
    published: list[DataChanged] = []
    account_id = world.account.id
    async with app.run_test(size=(120, 36)) as pilot:
        await press(pilot, "a")  # active fans: the ones a message can be queued for
        app.changes.subscribe(app, published.append)
        rows = conversations(pilot)
        fans = [rows.row_at(i).fan_id for i in range(3)]
        ids = outbox.enqueue_many(world.context.db, account_id, fans, "hello",
                                  created_by="tester", campaign_id=None)
        assert ids == 3
        poll = SyncReport(chats=1, messages=1)
        poll.new_inbound.append(_inbound(rows.row_at(5).conversation_id))
        events = [MessagesClaimed(account_id, (i,)) for i in range(20)]
        events += [PollCompleted(account_id, poll), MessagesSent(account_id, (1, 2))]
        for event in events:
            app.job_event(event)
        await wait_for(pilot, lambda: len(published) >= 2 and not app.jobs_refresh_pending)

        # The first event at once, then everything that came meanwhile as one.
        assert [change.topics for change in published] == [
            frozenset({"outbox"}), frozenset({"outbox", "inbox"})]
        assert published[1].sent
        assert [item.conversation_id for item in published[1].inbound] == [
            rows.row_at(5).conversation_id]
        # The status was read after the last event: it counts what is queued now.
        await wait_for(pilot, lambda: app.status.queue_depth == 3)


async def test_a_moved_send_estimate_redraws_only_the_queued_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test sets the status itself: the app's own periodic read would put back the
    # real estimate (a change, drawn) whenever the test runs past its interval.
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 3600.0)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "enter", "r", *"later", "ctrl+s")
        view = thread(pilot)
        assert [m.state for m in view.pending] == ["queued"]
        drawn: list[str] = []
        real = thread_layout.message_lines

        def spy(message, width, drawing):  # noqa: ANN001, ANN202 - message_lines' own
            drawn.append(message.text)
            return real(message, width, drawing)

        monkeypatch.setattr(thread_layout, "message_lines", spy)
        # Later than the row is due (the badge shows the later of the two).
        estimate = max(NOW, view.pending[0].due_at) + timedelta(hours=3, minutes=7)
        app.status = replace(app.status, next_send_at=estimate)  # as a status read does
        assert drawn == ["later"]
        shown = estimate.astimezone(app.clock().tzinfo)
        assert any(f"queued · ~{shown:%H:%M}" in line for line in lines(view))

        # A reload that brings nothing new draws nothing.
        drawn.clear()
        view.reload()
        await settle(pilot)
        assert drawn == []


@pytest.mark.usefixtures("heap_frozen_by_the_app")
async def test_the_start_up_heap_is_frozen_while_the_app_runs_and_no_longer(
    world: World,
) -> None:
    assert gc.get_freeze_count() == 0
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_a_passed_send_estimate_moves_with_the_clock(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queued message held back past the queue's estimate shows the clock's minute,
    not a time already gone: its "~12:04" is redrawn as minutes pass, with no new status."""
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 3600.0)
    now = [NOW]
    app = OfcrmApp(world.context, world.account, clock=lambda: now[0])
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "a", "enter", "r", *"later", "ctrl+s")
        view = thread(pilot)
        due = max(NOW, view.pending[0].due_at)
        app.status = replace(app.status, next_send_at=due)
        zone = app.clock().tzinfo
        assert any(f"queued · ~{due.astimezone(zone):%H:%M}" in line for line in lines(view))
        now[0] = due + timedelta(minutes=3)
        view._status_changed()  # what its interval does
        shown = now[0].astimezone(zone)
        assert any(f"queued · ~{shown:%H:%M}" in line for line in lines(view)), lines(view)
