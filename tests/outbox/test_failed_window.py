"""The failed list's window onto SQL: pages read by keyset agree with the whole list,
positions and counts agree, a span bounds it; and where the manual retries stand."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import FailedSpan
from ofcrm_tui.store.models import Conversation, OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World


def _failed(world: World, count: int, now) -> list[int]:  # noqa: ANN001
    """``count`` failed messages; several share an ``updated_at`` (ids break the tie)."""
    ids = [outbox.enqueue(world.db, world.account.id, world.fans[i % len(world.fans)],
                          f"m{i}", created_by="ana") for i in range(count)]
    with world.db.write() as session:
        for i, outbound_id in enumerate(ids):
            session.execute(update(OutboundMessage).where(OutboundMessage.id == outbound_id)
                            .values(state="failed", updated_at=now - timedelta(hours=i // 3)))
    return ids


def test_pages_positions_and_counts_agree_with_the_list(world: World) -> None:
    now = utcnow()
    _failed(world, 25, now)
    aid, span = world.account.id, FailedSpan.last_days(7, now)
    whole = outbox.failed(world.db, aid, 7, now=now)
    assert len(whole) == 25 == outbox.count_failed(world.db, aid, span)
    pages, anchor = [], None
    for offset in range(0, 25, 4):
        page = outbox.failed_window(world.db, aid, span, offset, 4, anchor)
        pages += page
        anchor = page[-1]
    assert [v.id for v in pages] == [v.id for v in whole]
    assert [v.id for v in outbox.failed_window(world.db, aid, span, 8, 4)] == [
        v.id for v in whole[8:12]]
    for index, view in enumerate(whole):
        assert outbox.failed_position(world.db, aid, span, view.id) == index
        with world.db.read() as session:
            assert view.conversation_id == session.scalar(
                select(Conversation.id).where(Conversation.fan_id == view.fan_id))
    assert any(view.conversation_id for view in whole)
    # A span in the past: only what failed then.
    older = FailedSpan(now - timedelta(hours=5, minutes=30), now - timedelta(hours=2, minutes=30))
    shown = outbox.failed_window(world.db, aid, older, 0, 100)
    assert [v.id for v in shown] == [v.id for v in whole[9:18]]
    assert outbox.failed_position(world.db, aid, older, whole[0].id) is None


def test_manual_retries_left_and_when_the_next_frees_up(world: World) -> None:
    now = utcnow()
    ids = _failed(world, 4, now)
    aid = world.account.id
    assert outbox.manual_retries(world.db, aid, now=now) == outbox.ManualRetries(10, None)
    outbox.retry(world.db, aid, ids[:3], by="ana", now=now - timedelta(seconds=20))
    outbox.retry(world.db, aid, ids[3:], by="ana", now=now)
    budget = outbox.manual_retries(world.db, aid, now=now)
    assert budget.left == 6
    assert budget.frees_at == now - timedelta(seconds=20) + timedelta(minutes=1)
    assert outbox.manual_retries(world.db, aid, now=now + timedelta(seconds=45)).left == 9
