"""The Failed screen: fans named as the inbox names them, discard asks first and counts,
retries to expired fans refused with the reason, the way back shown in the footer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import metrics
from ofcrm_tui.store.models import MetricEvent, OutboundMessage
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.failed_list import FAN_WIDTH, fan_cell
from ofcrm_tui.tui.wording import could_not_send, messages
from tests.tui.conftest import HOSTILE, World
from tests.tui.failed_pilot import _failed, _fans, _list, _notes, _set_fan
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio

REASON = "the platform does not deliver messages to expired fans"


def _state(world: World, outbound_id: int) -> str:
    with world.context.db.read() as session:
        return session.get(OutboundMessage, outbound_id).state


async def test_the_fan_column_shows_the_name_the_inbox_shows(world: World) -> None:
    fans = _fans(world, "active", 4)
    named = _set_fan(world, fans[0], nickname="Bunny", name="Alex")
    only_name = _set_fan(world, fans[1], nickname="", name="Alex")
    bare = _set_fan(world, fans[2], nickname="", name="")
    _set_fan(world, fans[3], nickname="", name="A" * 40)
    hostile = _set_fan(world, _fans(world, "active", 5)[4], nickname=HOSTILE, name="")
    for fan in [*fans, _fans(world, "active", 5)[4]]:
        _failed(world, fan)

    app = world.app()
    async with app.run_test(size=(160, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        table = _list(app)
        cells = {str(fan_cell(table.row_at(i))) for i in range(table.count)}
        assert f"Bunny  @{named}" in cells
        assert f"Alex  @{only_name}" in cells
        assert f"@{bare}" in cells
        # No room for the username: the name alone, cut to the column.
        assert "A" * (FAN_WIDTH - 1) + "…" in cells
        # Fan text is shown literally, on one line, without escape sequences.
        shown = next(c for c in cells if c.startswith("[bold red]look[/bold red]"))
        assert "\x1b" not in shown and "\x07" not in shown and "\n" not in shown
        assert hostile not in shown and len(shown) == FAN_WIDTH  # too long for the username


async def test_discard_asks_first_and_says_how_many(world: World) -> None:
    ids = [_failed(world, fan, f"hi {i}") for i, fan in enumerate(_fans(world, "active", 2))]
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "d")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "escape")  # changed their mind
        assert _list(app).count == 2
        await press(pilot, "d", "enter")  # "Keep it": first, what Enter picks
        assert _list(app).count == 2
        assert [_state(world, i) for i in ids] == ["failed", "failed"]

        await press(pilot, "d", "down", "enter")
        assert _list(app).count == 1
        assert _notes(app)[-1] == "Discarded 1 message"
    assert sorted(_state(world, i) for i in ids) == ["cancelled", "failed"]


async def test_a_retry_to_an_expired_fan_is_refused_with_the_reason(world: World) -> None:
    fan = _fans(world, "expired", 1)[0]
    _set_fan(world, fan, nickname="Bunny")
    outbound_id = _failed(world, fan)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "R")
        assert _notes(app)[-1] == f"Not retried: Bunny's subscription has expired: {REASON}"
        assert _list(app).count == 1
    assert _state(world, outbound_id) == "failed"
    with world.context.db.read() as session:
        assert session.scalar(
            select(func.count()).where(MetricEvent.name == metrics.MANUAL_RETRY)) == 0


async def test_a_retry_to_an_active_fan_is_queued_again(world: World) -> None:
    outbound_id = _failed(world, _fans(world, "active", 1)[0])
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "R")
        assert _notes(app)[-1] == "Queued again"
        assert _list(app).count == 0
    assert _state(world, outbound_id) == "queued"


async def test_the_footer_shows_the_way_back_to_the_inbox(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        shown = {(key.key, key.description) for key in app.screen.query(FooterKey)}
        assert ("escape", "Inbox") in shown
        await press(pilot, "escape")
        assert isinstance(app.screen, InboxScreen)


def test_counts_are_worded_in_the_singular_and_the_plural() -> None:
    assert [messages(n) for n in (0, 1, 2)] == ["0 messages", "1 message", "2 messages"]
    assert could_not_send(1) == "1 message could not be sent: see Failed messages"
    assert could_not_send(3) == "3 messages could not be sent: see Failed messages"
