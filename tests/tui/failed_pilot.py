"""Failed messages for the Failed screen's tests, and that screen read in a running app:
its list, the notices said, the messages' states."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.store.models import Conversation, Fan, OutboundMessage
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.widgets.failed_list import FailedList
from tests.tui.conftest import NOW, World
from tests.tui.pilot import press, settle, wait_for


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


def _many_failed(world: World, count: int, *, age: timedelta = timedelta(0)) -> list[int]:
    """``count`` failed messages to active fans, the first the newest, ``age`` old."""
    db, account_id = world.context.db, world.account.id
    fans = _fans(world, "active", 20)
    ids = [outbox.enqueue(db, account_id, fans[i % len(fans)], f"message {i}",
                          created_by="tester", now=NOW) for i in range(count)]
    with db.write() as session:
        for i, outbound_id in enumerate(ids):
            session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id)
                            .values(state="failed", attempts=3, tries=3, last_error=f"500: broke {i}",
                                    updated_at=NOW - age - timedelta(minutes=i)))
    return ids


def _states(world: World, ids: list[int]) -> list[str]:
    with world.context.db.read() as session:
        found = dict(session.execute(select(OutboundMessage.id, OutboundMessage.state)
                                     .where(OutboundMessage.id.in_(ids))).all())
    return [found[i] for i in ids]


def _list(app: object) -> FailedList:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, FailedScreen)
    return screen.query_one(FailedList)


def _notes(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def open_failed(pilot) -> FailedList:  # noqa: ANN001
    """From the start: the Failed screen (2) and its list, read."""
    await settle(pilot)
    await press(pilot, "2")
    listing = _list(pilot.app)
    await wait_for(pilot, lambda: listing.loaded)
    return listing
