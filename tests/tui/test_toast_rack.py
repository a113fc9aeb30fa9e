"""A notice gone leaves nothing in the rack: the toasts after it come where a first one
would (Textual's rack took away the toast of a notice gone meanwhile, not the holder
around it, which kept a line each for good: in a long session the inbox's toasts came
down over the thread's newest lines)."""

from __future__ import annotations

import pytest
from textual.notifications import Notification, Notify
from textual.screen import Screen
from textual.widgets._toast import Toast, ToastHolder, ToastRack

from ofcrm_tui.jobs.events import MessagesFailed
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


def _racked(screen: Screen[object]) -> list[list[Toast]]:
    """The toasts of each holder in ``screen``'s rack."""
    holders = screen.get_child_by_type(ToastRack).query_children(ToastHolder)
    return [list(holder.query_children(Toast)) for holder in holders]


async def _shown(pilot, screen: Screen[object], title: str) -> Toast:  # noqa: ANN001
    """The toast titled ``title`` on ``screen``, once it is drawn."""

    def found() -> list[Toast]:
        return [t for t in screen.query(Toast)
                if t._notification.title == title and t.region.area]

    await wait_for(pilot, lambda: bool(found()))
    return found()[0]


async def _fail(pilot, world: World, *ids: int) -> None:  # noqa: ANN001
    pilot.app.job_event(MessagesFailed(world.account.id, ids))
    await settle(pilot)


async def _alone_at_the_top(pilot, screen: Screen[object], top: int) -> None:  # noqa: ANN001
    """A new toast, alone in the rack: where the first one was."""
    pilot.app.notify("are you online tonight?", title="Ximena Quiroga", timeout=60)
    toast = await _shown(pilot, screen, "Ximena Quiroga")
    await settle(pilot)
    assert toast.region.y == top
    assert _racked(screen) == [[toast]]


async def test_a_replaced_failure_notice_leaves_no_gap(world: World) -> None:
    """Each failure replaces the one notice (``FailedSends``), over the inbox and under
    a dialog over it alike."""
    app = world.app()
    app.NOTIFICATION_TIMEOUT = 60  # up for the whole test, however slow the machine
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await _fail(pilot, world, 1)
        top = (await _shown(pilot, inbox, "")).region.y
        for outbound_id in (2, 3, 4):
            await _fail(pilot, world, outbound_id)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        for outbound_id in (5, 6):
            await _fail(pilot, world, outbound_id)
        await press(pilot, "escape")
        assert app.screen is inbox
        notice = await _shown(pilot, inbox, "")
        assert "6 messages could not be sent" in str(notice.render())
        await settle(pilot)
        assert notice.region.y == top
        assert _racked(inbox) == [[notice]]


async def test_a_notice_over_before_its_toast_knew_leaves_no_gap(world: World) -> None:
    """A notice's time is up a moment before its toast's own timer takes it away: a
    notice raised meanwhile (or the screen shown again) drops it from the rack."""
    app = world.app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        inbox = app.screen
        first = Notification("see you soon", "Ana", timeout=60)
        app.post_message(Notify(first))
        top = (await _shown(pilot, inbox, "Ana")).region.y
        first.timeout = 0  # over, its toast's timer still to run
        await _alone_at_the_top(pilot, inbox, top)
