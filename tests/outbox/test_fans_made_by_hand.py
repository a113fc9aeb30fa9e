"""A fan made by hand (or imported) is not on the platform until a sync finds them by
username: nothing can be sent to them, and campaigns never pick them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ofcrm_tui.core import outbox
from ofcrm_tui.core.campaigns import Segment
from ofcrm_tui.core.campaigns.segment import recipients
from ofcrm_tui.core.fans.edits import create_fan
from ofcrm_tui.core.outbox import OutboxError
from ofcrm_tui.store.models import Fan, OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.outbox.conftest import World

REASON = "nothing can be sent until a sync finds them on the platform"


def test_enqueue_refuses_a_fan_made_by_hand_and_queues_nothing(world: World) -> None:
    by_hand = create_fan(world.db, world.account.id, username="walkin", name="Walk In")
    with pytest.raises(OutboxError, match=f"^Walk In was made by hand: {REASON}$"):
        outbox.enqueue(world.db, world.account.id, by_hand, "hi", created_by="ana")
    on_platform = world.fans[0]
    with pytest.raises(OutboxError, match=rf"^1 of the 2 recipients was made by hand \(@walkin\): {REASON}$"):
        outbox.enqueue_many(
            world.db, world.account.id, [on_platform, by_hand], "hi", created_by="a", campaign_id=None
        )
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_campaigns_send_nothing_to_fans_made_by_hand(world: World) -> None:
    now = utcnow()
    create_fan(world.db, world.account.id, username="walkin")
    with world.db.read() as session:
        picked = session.scalars(recipients(world.db, world.account.id, Segment(), now)).all()
        on_platform = session.scalars(
            select(Fan.id).where(
                Fan.account_id == world.account.id,
                Fan.subscription_status == "active",
                Fan.platform_user_id.is_not(None),
            )
        ).all()
    assert sorted(picked) == sorted(on_platform)
