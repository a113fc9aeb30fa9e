"""A chatter's shift: notices stay away from the composer, the list stays under the cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.widgets import TextArea
from textual.widgets._toast import Toast

from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.jobs.events import MessagesSent
from ofcrm_tui.store.models import FanTag, Tag
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.tui.conftest import World
from tests.tui.pilot import composer, conversations, inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio

SIZES = [(160, 45), (80, 24)]


def _notify(world: World, how: str) -> None:
    world.context.settings = world.context.settings.model_copy(update={"notify_inbound": how})


def _tag(world: World, fan_id: int, name: str = "vip") -> None:
    with world.context.db.write() as session:
        tag = Tag(account_id=world.account.id, name=name)
        session.add(tag)
        session.flush()
        session.add(FanTag(account_id=world.account.id, fan_id=fan_id, tag_id=tag.id))


def _held_toasts(pilot) -> list[Callable[[], None]]:  # noqa: ANN001
    """The inbox's new-message toasts held until the test runs what their grouping
    window would run (``InboundToasts``' flush), as they are scheduled: no real second
    waited for (under load, a toast went before the rest of its burst was judged)."""
    flushes: list[Callable[[], None]] = []
    inbox(pilot)._toasts._schedule = lambda _delay, flush: flushes.append(flush)
    return flushes


def _burst(rows: list, text: str = "hi") -> tuple[NewInbound, ...]:  # noqa: ANN001
    return tuple(NewInbound(row.conversation_id, row.display_name, text, 0, 0) for row in rows)


@pytest.mark.parametrize("size", SIZES)
async def test_a_burst_makes_one_toast_away_from_the_composer(
    world: World, size: tuple[int, int]
) -> None:
    _notify(world, "all")
    app = world.app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        rows = conversations(pilot)
        others = [rows.row_at(i) for i in range(1, 6)]
        flushes = _held_toasts(pilot)
        for _ in range(3):  # three polls in a row, five fans each
            app.changes.publish(DataChanged.of("inbox", inbound=_burst(others)))
            await settle(pilot)
        await wait_for(pilot, lambda: len(inbox(pilot)._toasts._pending) == 15)
        assert len(flushes) == 1 and not app._notifications
        flushes.pop()()
        await wait_for(pilot, lambda: bool(app.screen.query(Toast)))
        assert len(app._notifications) == 1
        title = next(iter(app._notifications)).title
        assert title == "15 new messages"
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1
        box = composer(pilot).region
        for toast in toasts:
            assert not toast.region.overlaps(box), (toast.region, box)
        # Nor over the status bar's counts.
        assert not toasts[0].region.overlaps(app.screen.query_one(StatusBar).region)


async def test_important_toasts_only_for_marked_fans_and_top_spenders(world: World) -> None:
    app = world.app()  # notify_inbound = "important", the default
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        plain = next(rows.row_at(i) for i in range(rows.count)
                     if not rows.row_at(i).tags and rows.row_at(i).total_spent_cents < 100_00)
        flushes = _held_toasts(pilot)
        app.changes.publish(DataChanged.of("inbox", inbound=_burst([plain], "plain")))
        await settle(pilot)
        assert not flushes and not app._notifications  # the list and the counter say it

        _tag(world, plain.fan_id)
        app.changes.publish(DataChanged.of("inbox", inbound=_burst([plain], "tagged now")))
        await wait_for(pilot, lambda: bool(flushes))
        flushes.pop()()
        await wait_for(pilot, lambda: bool(app._notifications))
        assert [n.message for n in app._notifications] == ["tagged now"]


async def test_none_means_no_new_message_toasts(world: World) -> None:
    _notify(world, "none")
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        _tag(world, rows.row_at(2).fan_id)
        flushes = _held_toasts(pilot)
        app.changes.publish(DataChanged.of("inbox", inbound=_burst([rows.row_at(2)])))
        await settle(pilot)
        assert not flushes and not app._notifications


@pytest.mark.parametrize("size", SIZES)
async def test_the_status_bar_counts_unread_and_keeps_queue_and_failed(
    world: World, size: tuple[int, int]
) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        unread = sum(1 for i in range(conversations(pilot).count)
                     if conversations(pilot).row_at(i).unread_count)
        assert unread
        line = app.screen.query_one(StatusBar).render().plain
        assert f"✉ {unread} unread" in line and "queue 0" in line and "0 failed" in line
        assert len(line) <= size[0]


# Replies in a row (each a send, a drain and a refresh: ~2 s); ten took 20 s a case.
ROUNDS = 6


# Each order at one of the sizes: at both, every row of the list is in view and the
# list sits left of the thread, so the four pairs did the same work twice.
@pytest.mark.slow
@pytest.mark.parametrize(("order", "size"), zip(["fan", "activity"], SIZES, strict=True))
async def test_reply_then_j_reaches_the_next_fan_every_time(
    world: World, order: str, size: tuple[int, int]
) -> None:
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": order})
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "a")  # active fans only: expired ones cannot be sent to
        rows = conversations(pilot)
        assert rows.count > ROUNDS
        assert rows.size.height >= rows.count  # the whole list in view at either size
        await press(pilot, "enter")
        reached = []
        for round_ in range(ROUNDS):
            reached.append(inbox(pilot).open_row.fan_id)
            await press(pilot, "r")
            field = app.focused  # the reply, inserted (typing it adds only keys)
            assert isinstance(field, TextArea)
            field.insert(f"hi {round_}")
            await settle(pilot)
            await press(pilot, "ctrl+s")
            report = await asyncio.to_thread(world.drain)
            assert report.sent
            app.job_event(MessagesSent(world.account.id, tuple(report.sent)))
            await settle(pilot)
            await press(pilot, "escape", "j", "enter")
            assert isinstance(app.focused, type(rows)) or not isinstance(app.focused, Composer)
        assert len(set(reached)) == ROUNDS, reached
