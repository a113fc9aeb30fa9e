"""The Failed screen: fans named as the inbox names them, discard asks first and counts,
retries to expired fans refused with the reason, the way back shown in the footer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import metrics, outbox
from ofcrm_tui.store.models import Conversation, Fan, MetricEvent, OutboundMessage
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.failed_list import FAN_WIDTH, FailedList, fan_cell
from ofcrm_tui.tui.wording import could_not_send, messages
from tests.tui.conftest import HOSTILE, NOW, World
from tests.tui.pilot import press, settle

pytestmark = pytest.mark.anyio

REASON = "the platform does not deliver messages to expired fans"


def _fans(world: World, status: str, count: int) -> list[int]:
    with world.context.db.read() as session:
        return list(session.scalars(
            select(Fan.id).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == world.account.id, Fan.subscription_status == status)
            .order_by(Fan.id).limit(count)
        ))


def _set_fan(world: World, fan_id: int, **values: object) -> str:
    """Change the fan's row; returns the username."""
    with world.context.db.write() as session:
        fan = session.get(Fan, fan_id)
        assert fan is not None
        for name, value in values.items():
            setattr(fan, name, value)
        return fan.username


def _failed(world: World, fan_id: int, text: str = "come back?") -> int:
    """A message that failed (queued while the fan was active locally, as a stale row is)."""
    db = world.context.db
    with db.read() as session:
        status = session.get(Fan, fan_id).subscription_status
    _set_fan(world, fan_id, subscription_status="active")
    outbound_id = outbox.enqueue(db, world.account.id, fan_id, text, created_by="tester", now=NOW)
    _set_fan(world, fan_id, subscription_status=status)
    with db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id).values(
            state="failed", attempts=1, last_error="403: the user's subscription is not active",
            updated_at=NOW))
    return outbound_id


def _state(world: World, outbound_id: int) -> str:
    with world.context.db.read() as session:
        return session.get(OutboundMessage, outbound_id).state


def _table(app: OfcrmApp) -> FailedList:
    assert isinstance(app.screen, FailedScreen)
    return app.screen.query_one(FailedList)


def _notes(app: OfcrmApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


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
        table = _table(app)
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
        assert _table(app).count == 2
        await press(pilot, "d", "enter")  # "Keep it": first, what Enter picks
        assert _table(app).count == 2
        assert [_state(world, i) for i in ids] == ["failed", "failed"]

        await press(pilot, "d", "down", "enter")
        assert _table(app).count == 1
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
        assert _table(app).count == 1
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
        assert _table(app).count == 0
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
