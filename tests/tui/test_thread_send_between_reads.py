"""A send that lands between the thread's two reads (its pending sends, its newest page)
never leaves the message out of the thread: it was read as neither pending nor stored,
and vanished until the next change (seen once as a failed test on a loaded machine)."""

from __future__ import annotations

import pytest

from ofcrm_tui.core import inbox as core_inbox
from ofcrm_tui.tui.messages import DataChanged
from tests.tui.conftest import World
from tests.tui.pilot import press, settle, thread

pytestmark = pytest.mark.anyio


async def test_a_send_between_the_threads_reads_is_never_left_out(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = world.app()  # no jobs: the send is the test's
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await pilot.press(*"coming")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        armed = [True]

        def then_send(read):  # noqa: ANN001, ANN202
            def read_then_send(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
                found = read(*args, **kwargs)
                if armed[0]:  # the first of the two reads: the worker sends meanwhile
                    armed[0] = False
                    assert world.drain().sent
                return found
            return read_then_send

        for name in ("thread_page", "pending_in_thread"):
            monkeypatch.setattr(core_inbox, name, then_send(getattr(core_inbox, name)))
        app.changes.publish(DataChanged(frozenset({"outbox"})))  # a change: read again
        await settle(pilot)
        assert not armed[0]
        assert "coming" in [m.text for m in thread(pilot).messages]
