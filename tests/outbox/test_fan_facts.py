"""The facts a segment reads on the fan's row (PPVs bought, last messaged, last chat)
follow the messages and transactions that the sync and the sender write."""

from __future__ import annotations

from datetime import timedelta

import pytest

import ofcrm_tui.core.sync as sync_module
from ofcrm_tui.core import outbox
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.store.enums import OutboundKind
from tests.outbox.conftest import World
from tests.support.fan_facts import Facts, assert_facts_right


def _facts(world: World) -> Facts:
    with world.db.read() as session:
        return assert_facts_right(session.connection())


def test_fan_facts_follow_the_sync_and_the_sender(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_module, "TRANSACTIONS_EVERY", timedelta(0))
    synced = _facts(world)  # the full sync's rows
    assert any(ppv for ppv, _, _ in synced.values())
    assert any(out is not None for _, out, _ in synced.values())
    assert any(chat is not None for _, _, chat in synced.values())

    world.sim.step(40)  # fans write, buy and tip; a poll brings it in
    InboundSync(world.db, world.account.id, world.client).poll()
    polled = _facts(world)
    assert polled != synced

    quiet, buyer = world.fans[0], world.fans[1]
    outbox.enqueue(world.db, world.account.id, quiet, "hi you", created_by="ana")
    outbox.enqueue(
        world.db, world.account.id, buyer, "unlock", created_by="bo", kind=OutboundKind.MANUAL,
        price_cents=1_999, media_ids=world.media[:1],
    )
    assert len(world.sender().drain().sent) == 2
    sent = _facts(world)
    for fan in (quiet, buyer):  # sent to just now: their newest message and chat moved
        assert sent[fan][1] != polled[fan][1] and sent[fan][2] != polled[fan][2]

    with world.sim.lock:  # the fan unlocks the PPV; the next poll brings the purchase
        ppv = next(m for m in world.sim.world.unbought
                   if m.fan_id == world.platform_ids[buyer] and m.price == 1_999)
        world.sim.world.unbought.remove(ppv)
        world.sim.world.buy(ppv)
    InboundSync(world.db, world.account.id, world.client).poll()
    bought = _facts(world)
    assert bought[buyer][0] == sent[buyer][0] + 1
