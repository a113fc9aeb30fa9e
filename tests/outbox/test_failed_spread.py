"""What the Failed screen asks SQL about the failed messages besides its window: which of
a selection it still lists, and how many a retry of all takes, those outside its span
counted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import FailedSpan
from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World


def _failed(world: World, ages_in_days: list[int], now) -> list[int]:  # noqa: ANN001
    """A failed message per age, failed that many days before ``now``."""
    ids = [outbox.enqueue(world.db, world.account.id, world.fans[i % len(world.fans)],
                          f"m{i}", created_by="ana") for i in range(len(ages_in_days))]
    with world.db.write() as session:
        for outbound_id, age in zip(ids, ages_in_days, strict=True):
            session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id)
                            .values(state="failed", updated_at=now - timedelta(days=age)))
    return ids


def test_the_selection_still_listed_is_read_by_id(world: World) -> None:
    now = utcnow()
    ids = _failed(world, [0, 1, 2, 20], now)
    aid, week = world.account.id, FailedSpan.last_days(7, now)
    outbox.retry(world.db, aid, [ids[1]], by="ana", now=now)
    assert outbox.failed_among(world.db, aid, week, ids) == {ids[0], ids[2]}
    assert outbox.failed_among(world.db, aid, week, []) == frozenset()
    # Out of the span: not listed, so not kept.
    past = FailedSpan(now - timedelta(days=30), now - timedelta(days=10))
    assert outbox.failed_among(world.db, aid, past, ids) == {ids[3]}
    assert outbox.failed_among(world.db, aid + 1000, week, ids) == frozenset()


def test_every_failed_message_is_counted_with_those_outside_the_span(world: World) -> None:
    now = utcnow()
    ids = _failed(world, [0, 1, 5, 9, 20, 30], now)
    aid, spread = world.account.id, outbox.FailedSpread
    outbox.retry(world.db, aid, [ids[0]], by="ana", now=now)  # queued again: not counted
    week = FailedSpan.last_days(7, now)
    assert outbox.failed_spread(world.db, aid, week) == spread(total=5, older=3, newer=0)
    chosen = FailedSpan(now - timedelta(days=10), now - timedelta(days=3))
    assert outbox.failed_spread(world.db, aid, chosen) == spread(total=5, older=2, newer=1)
    assert outbox.failed_spread(world.db, aid + 1000, chosen) == spread(0, 0, 0)
