"""An app without background jobs (team mode, or beside ``ofcrm worker``) shows what
another process writes to its database: new fan messages, tips and sends, with no key
pressed, each fan message announced once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from ofcrm_tui.core import outbox, watch
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.jobs.events import PollCompleted
from ofcrm_tui.store.models import Conversation, Message
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.follow import Follow
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from tests.tui.conftest import World
from tests.tui.pilot import conversations, inbox, lines, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio
EVERY = 0.2  # the status interval here (2 s in the app)
WAIT = 10 * EVERY + 2  # a few intervals, and a slow box's slack


def toasts(app) -> list[tuple[str, str]]:  # noqa: ANN001 - the app
    return [(n.title, n.message) for n in app._notifications]


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", EVERY)


async def test_messages_tips_and_sends_by_another_process_show_without_a_key(
    world: World, quick: None
) -> None:
    world.context.settings = world.context.settings.model_copy(update={"notify_inbound": "all"})
    app = world.app()  # no jobs: someone else polls and sends
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "enter")  # the first conversation is open
        opened = inbox(pilot).open_row
        other = rows.row_at(4)

        # A fan writes, another tips: the worker's poll writes them.
        world.sim.add_inbound_message(opened.platform_user_id, "are you there?")
        world.sim.add_inbound_message(other.platform_user_id, "for you", tip_cents=2500)
        await asyncio.to_thread(world.poll)
        await wait_for(pilot, lambda: thread(pilot).stored[-1].text == "are you there?", WAIT)
        await wait_for(pilot, lambda: rows.row_at(0).fan_id == other.fan_id, WAIT)
        name = clean(other.display_name, single_line=True)
        await wait_for(pilot, lambda: name in dict(toasts(app)), WAIT)
        assert dict(toasts(app))[name] == "Tip $25.00 · for you"

        # A reply queued here goes out by the worker: "queued" turns "sent".
        await press(pilot, "r")
        await pilot.press(*"coming")
        await press(pilot, "ctrl+s")
        assert any("◷ queued" in line for line in lines(thread(pilot)))
        report = await asyncio.to_thread(world.drain)
        assert len(report.sent) == 1
        await wait_for(pilot, lambda: thread(pilot).pending == [], WAIT)
        newest = thread(pilot).stored[-1]
        assert (newest.text, newest.state) == ("coming", "sent")
        assert not any("◷ queued" in line for line in lines(thread(pilot)))
        await wait_for(pilot, lambda: app.status.queue_depth == 0, WAIT)

        # Quiet since: the fan was announced once, and nothing else was.
        await asyncio.sleep(4 * EVERY)
        await settle(pilot)
        assert [title for title, _ in toasts(app)].count(name) == 1


async def test_an_apps_own_poll_is_announced_and_refreshed_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's poll reports the message, and its look at the database (the read that
    follows the poll's refresh) finds it too. The event comes right after the poll's
    commit, as the scheduler posts it: no timed read between them here."""
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 3600.0)
    world.context.settings = world.context.settings.model_copy(update={"notify_inbound": "all"})
    app = world.app()
    published: list[DataChanged] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.changes.subscribe(app, published.append)
        before = app.follow.mark
        other = conversations(pilot).row_at(3)
        world.sim.add_inbound_message(other.platform_user_id, "hello?")
        report = await asyncio.to_thread(world.poll)
        app.job_event(PollCompleted(world.account.id, report))
        await settle(pilot)
        name = clean(other.display_name, single_line=True)
        await wait_for(pilot, lambda: name in dict(toasts(app)), WAIT)
        await settle(pilot)
        assert app.follow.mark is not None and app.follow.mark.recent - before.recent
        assert [title for title, _ in toasts(app)].count(name) == 1
        announced = [item.text for change in published for item in change.inbound]
        assert announced == ["hello?"]
        # The poll's refresh showed it: the look found nothing more to publish.
        assert [change.topics for change in published] == [frozenset({"inbox"})]


def test_a_look_finds_a_message_committed_late_with_an_older_time(world: World) -> None:
    """A poll's transaction may commit after a drain's with older messages."""
    db, account_id = world.context.db, world.account.id
    counts = outbox.queue_status(db, account_id).counts
    mark, moves = watch.look(db, account_id, None, counts)
    assert moves is None and mark.newest_at is not None
    again, moves = watch.look(db, account_id, mark, counts)
    assert again == mark and not moves
    with db.write() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.account_id == account_id)).first()
        session.add(Message(
            account_id=account_id, conversation_id=conversation.id, fan_id=conversation.fan_id,
            platform_message_id=10**12, direction="in", text="late",
            created_at=mark.newest_at - timedelta(seconds=30)))
    after, moves = watch.look(db, account_id, mark, counts)
    assert moves and moves.messages and not moves.sent and not moves.queue
    assert [item.text for item in moves.inbound] == ["late"]
    assert after.newest_at == mark.newest_at
    _, moves = watch.look(db, account_id, after, counts)
    assert not moves


def _item(platform_id: int | None) -> NewInbound:
    return NewInbound(1, "Fan", "hi", 0, 0, platform_id)


def test_follow_announces_a_message_once_and_skips_topics_just_published() -> None:
    follow = Follow()
    assert follow.fresh([_item(1), _item(2)]) == (_item(1), _item(2))
    assert follow.fresh([_item(2), _item(3), _item(None)]) == (_item(3), _item(None))
    mark = watch.Mark(None, frozenset(), None, ())
    moved = watch.Moves(messages=True, sent=True, queue=True, paid=False,
                        inbound=(_item(3), _item(4)))
    _, read = follow.read_started()
    assert follow.looked(read, mark, None) is None
    # Nothing published since the previous read started: everything found is news.
    _, read = follow.read_started()
    assert follow.looked(read, mark, moved) == DataChanged.of(
        "inbox", "outbox", inbound=(_item(4),), sent=True)
    # The app published the outbox (its own queue) before this read: not again, but
    # the sends (a thread drawn while one committed may show neither it nor its row).
    follow.published(DataChanged.of("outbox"))
    _, read = follow.read_started()
    assert follow.looked(read, mark, moved) == DataChanged.of("inbox", "outbox", sent=True)
    queued = watch.Moves(messages=False, sent=False, queue=True, paid=True, inbound=())
    follow.published(DataChanged.of("outbox"))
    _, read = follow.read_started()
    assert follow.looked(read, mark, queued) == DataChanged.of("inbox")
    _, read = follow.read_started()
    assert follow.looked(read, mark, queued) == DataChanged.of("inbox", "outbox")
    # Its own sends (its drain's report) it has shown.
    follow.published(DataChanged.of("outbox", "inbox", sent=True))
    _, read = follow.read_started()
    assert follow.looked(read, mark, moved) is None
    follow.published(DataChanged.of("account"))
    _, read = follow.read_started()
    assert follow.looked(read, mark, queued) is None
