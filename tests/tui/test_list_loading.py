"""The conversation list shows its rows before it knows how many there are."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from textual.message import Message
from textual.pilot import Pilot

from ofcrm_tui.core import inbox
from ofcrm_tui.core.fans import listing
from ofcrm_tui.core.fans.listing import FanSort
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store.models import Conversation, Fan
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.widgets import page_reads
from ofcrm_tui.tui.widgets import paged_list as paged_list_module
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.paged_list import PagedList
from tests.tui.conftest import NOW, World
from tests.tui.pilot import conversations, lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_rows_show_before_the_count_and_the_count_follows(
    world: World, small_pages: int
) -> None:
    # Pages of 8 rows, so the two dozen conversations fill more than the first page.
    total = inbox.count_conversations(world.context.db, world.account.id, InboxFilter())
    assert total > small_pages
    seen: list[tuple[str, int, bool]] = []

    def hook(message: Message) -> None:
        if isinstance(message, ConversationList.Reloaded):
            seen.append(("rows", message.snapshot.count, message.snapshot.counted))
        elif isinstance(message, ConversationList.CountLoaded):
            seen.append(("count", message.count, True))

    app = world.app()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        # The first page drew with the list as tall as its rows; the count came after.
        assert seen[:2] == [("rows", 8, False), ("count", total, True)]
        assert rows.counted and rows.count == total
        assert str(rows.border_title) == f"Inbox  {total:,}"
        # Every row is reachable once the count is in.
        await press(pilot, "G")
        assert rows.cursor == total - 1 and rows.cursor_row is not None

        # A refresh (new messages) keeps the exact count while it reads the new one:
        # the list never shrinks to its first page meanwhile.
        await pilot.resize_terminal(120, 14)  # fewer rows on screen than a page of 8
        await press(pilot, "g")
        assert rows._page_rows() < 8
        seen.clear()
        rows.refresh_rows()
        await settle(pilot)
        assert seen[:2] == [("rows", total, False), ("count", total, True)]


async def test_a_short_list_needs_no_count_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_count = inbox.count_conversations
    total = real_count(world.context.db, world.account.id, InboxFilter())
    counts: list[InboxFilter] = []

    def counting(*args: object) -> int:
        counts.append(args[2])  # type: ignore[arg-type]
        return real_count(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(inbox, "count_conversations", counting)
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        # Two dozen conversations fit the first page of 100: its length is the count.
        assert 0 < total < paged_list_module.PAGE_SIZE
        assert rows.counted and rows.count == total
        # (The status bar counts unread conversations: not the list's query.)
        assert rows.source is not None and rows.source.flt not in counts
        assert all(flt.unread_only for flt in counts)


async def test_a_sync_between_the_reads_does_not_move_the_selection(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept conversation's position and the rows are two reads; a conversation
    jumping to the top in between must not leave the cursor on its neighbour."""
    db = world.context.db
    real_position = inbox.position_of
    bumped: list[int] = []

    def position_then_sync(*args: object) -> int | None:
        found = real_position(*args)  # type: ignore[arg-type]
        if not bumped:  # what a poll committing right now would do
            rows = inbox.conversations_window(db, world.account.id, InboxFilter(), 0, 30)
            bottom = rows[-1].conversation_id
            with db.write() as session:
                session.execute(
                    update(Conversation).where(Conversation.id == bottom)
                    .values(last_message_at=NOW + timedelta(minutes=1),
                            last_fan_message_at=NOW + timedelta(minutes=1))
                )
            bumped.append(bottom)
        return found

    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "j", "j", "j")
        kept = rows.cursor_row
        monkeypatch.setattr(inbox, "position_of", position_then_sync)
        rows.refresh_rows()
        await settle(pilot)
        assert bumped and rows.row_at(0).conversation_id == bumped[0]
        assert rows.cursor_row.conversation_id == kept.conversation_id
        assert rows.cursor == 4


def _cursor_in_sight(the_list: PagedList) -> bool:  # type: ignore[type-arg]
    fit = the_list.container_size.height // the_list.ROW_HEIGHT
    top = the_list._top_row()
    return the_list.count > 0 and top <= the_list.cursor < top + fit


@pytest.mark.parametrize("screen_key", ["1", "3"])
async def test_a_smaller_terminal_keeps_the_cursor_row_in_sight(world: World, screen_key: str) -> None:
    """The inbox's and the fans' lists: a row picked low on a tall terminal stays on
    screen when the terminal shrinks (Enter opens a row the chatter can see)."""
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, screen_key)
        the_list = app.screen.query_one(PagedList)
        await wait_for(pilot, lambda: the_list.loaded and the_list.counted)
        low = min(the_list.count, the_list.container_size.height // the_list.ROW_HEIGHT) - 1
        assert low >= 12
        for _ in range(low):
            await pilot.press("j")
        await settle(pilot)
        assert the_list.cursor == low and the_list._top_row() == 0
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert _cursor_in_sight(the_list)
        cursor_line = (the_list.cursor - the_list._top_row()) * the_list.ROW_HEIGHT
        assert the_list.cursor_row is not None
        assert lines(the_list)[cursor_line].strip()  # drawn, not a placeholder line
        await pilot.resize_terminal(160, 45)  # and back: still in sight
        await settle(pilot)
        assert _cursor_in_sight(the_list)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_writes_between_every_read_leave_the_fans_cursor_on_its_fan(
    world: World, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The fans list by last active, its cursor idle while fans write (a busy shift): a
    fan further down becomes active between the kept fan's position and the rows on
    every try of the reload. The cursor stays on its fan, not on the one that took its
    old place."""
    db, account = world.context.db, world.account.id
    real_position = listing.fan_position
    moved: list[int] = []

    def position_then_a_fan_writes(*args: object, **kwargs: object) -> int | None:
        found = real_position(*args, **kwargs)  # type: ignore[arg-type]
        if len(moved) < page_reads.RELOAD_TRIES:
            rows = listing.fans_window(db, account, sort=FanSort.LAST_ACTIVE, limit=30)
            bottom = next(row.fan_id for row in reversed(rows) if row.fan_id not in moved)
            with db.write() as session:
                session.execute(update(Fan).where(Fan.id == bottom).values(
                    last_seen_at=NOW + timedelta(minutes=1 + len(moved))))
            moved.append(bottom)
        return found

    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        fans = app.screen.query_one(PagedList)
        await wait_for(pilot, lambda: fans.loaded and fans.counted)
        while app.screen.sort is not FanSort.LAST_ACTIVE:
            await press(pilot, "s")
        await press(pilot, "g", "j", "j", "j")
        kept = fans.cursor_row
        monkeypatch.setattr(listing, "fan_position", position_then_a_fan_writes)
        app.changes.publish(DataChanged.of("inbox"))
        await settle(pilot)
        assert len(moved) == page_reads.RELOAD_TRIES  # no try found the rows unchanged
        assert fans.cursor_row.fan_id == kept.fan_id
        assert fans.cursor == 3 + len(moved)
        assert _cursor_in_sight(fans)


class HeldReloads:
    """The lists' reloads wait, once ``hold`` is called, until ``release``: a slow
    read (a busy database), so keys can be pressed while one is under way."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered, self.go = threading.Event(), threading.Event()
        self.holding = False
        real = paged_list_module.load

        def held(*args: object, **kwargs: object) -> object:
            if self.holding:
                self.holding = False  # one reload held: those after it run
                self.entered.set()
                assert self.go.wait(10)
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(paged_list_module, "load", held)

    def hold(self) -> None:
        self.entered.clear()
        self.go.clear()
        self.holding = True

    async def until_held(self, pilot: Pilot[object]) -> None:
        await self.meanwhile(pilot, self.entered.is_set)

    @staticmethod
    async def meanwhile(pilot: Pilot[object], condition: Callable[[], bool]) -> None:
        """Wait for ``condition`` while a reload is held (``settle`` would wait for it)."""
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, "condition not met in time"
            await pilot.pause(0.01)

    def release(self) -> None:
        self.go.set()


@pytest.mark.parametrize("screen_key", ["1", "3"])
async def test_a_move_made_during_a_reload_is_kept(
    world: World, monkeypatch: pytest.MonkeyPatch, screen_key: str
) -> None:
    """A live message reloads the list; the chatter presses j before the rows are in:
    the cursor stays where j put it, not on the row it had when the reload started."""
    reloads = HeldReloads(monkeypatch)
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, screen_key)
        the_list = app.screen.query_one(PagedList)
        await wait_for(pilot, lambda: the_list.loaded and the_list.counted)
        await press(pilot, "g", "j")
        assert the_list.cursor == 1
        reloads.hold()
        app.changes.publish(DataChanged.of("inbox"))
        await reloads.until_held(pilot)
        await pilot.press("j", "j")
        assert the_list.cursor == 3
        moved_to = the_list.source.key(the_list.cursor_row)
        reloads.release()
        await settle(pilot)
        assert the_list.cursor == 3
        assert the_list.source.key(the_list.cursor_row) == moved_to


async def test_a_reload_keeps_the_row_moved_to_where_it_now_is(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row the cursor is on when the reload's rows land is kept, by id: a
    conversation jumping to the top meanwhile moves it down one, the cursor with it."""
    db = world.context.db
    reloads = HeldReloads(monkeypatch)
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "g")
        reloads.hold()
        app.changes.publish(DataChanged.of("inbox"))
        await reloads.until_held(pilot)
        await pilot.press("j", "j")
        moved_to = rows.cursor_row.conversation_id
        bottom = inbox.conversations_window(db, world.account.id, InboxFilter(), 0, 30)[-1]
        with db.write() as session:
            session.execute(
                update(Conversation).where(Conversation.id == bottom.conversation_id)
                .values(last_message_at=NOW + timedelta(minutes=1),
                        last_fan_message_at=NOW + timedelta(minutes=1)))
        reloads.release()
        await settle(pilot)
        assert rows.row_at(0).conversation_id == bottom.conversation_id
        assert rows.cursor_row.conversation_id == moved_to
        assert rows.cursor == 3
        assert rows._top_row() == 0  # the list was at its top: it stays there


async def test_a_jump_far_during_a_reload_reads_around_the_row_jumped_to(
    world: World, monkeypatch: pytest.MonkeyPatch, small_pages: int
) -> None:
    """G pressed while a reload reads around the top: the rows it read do not hold
    the last row, so the list reads again around it, and the cursor stays there."""
    reloads = HeldReloads(monkeypatch)
    app = world.app()
    async with app.run_test(size=(120, 14)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await wait_for(pilot, lambda: rows.loaded and rows.counted)
        await press(pilot, "g")
        reloads.hold()
        app.changes.publish(DataChanged.of("inbox"))
        await reloads.until_held(pilot)
        await pilot.press("G")
        assert rows.count > 16 and rows.cursor == rows.count - 1
        await reloads.meanwhile(pilot, lambda: rows.cursor_row is not None)
        last = rows.cursor_row.conversation_id
        reloads.release()
        await settle(pilot)
        assert rows.cursor == rows.count - 1
        assert rows.cursor_row is not None and rows.cursor_row.conversation_id == last
        assert _cursor_in_sight(rows)
