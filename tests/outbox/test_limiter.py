from datetime import timedelta

import pytest

from ofcrm_tui.core.outbox.limiter import campaign_cap, sends_take, sends_within
from ofcrm_tui.store.enums import OutboundKind


@pytest.mark.parametrize(
    ("limit", "reserve", "cap"),
    [(10, 3, 7), (600, 3, 597), (10, 0, 10), (3, 3, 1), (1, 3, 1)],
)
def test_campaigns_leave_the_reply_reserve_but_always_move(limit: int, reserve: int, cap: int) -> None:
    assert campaign_cap(limit, reserve) == cap


@pytest.mark.parametrize("kind", [OutboundKind.CAMPAIGN, OutboundKind.REPLY])
@pytest.mark.parametrize("sends", [1, 7, 8, 100])
def test_sends_within_is_sends_take_the_other_way_round(kind: OutboundKind, sends: int) -> None:
    """What a queue drains by a later time: ``sends`` go out in the time they take, not
    in a minute less (campaigns at 7 a minute here, replies at the whole 10)."""
    takes = sends_take(sends, kind, 10, 3)
    assert sends_within(takes, kind, 10, 3) >= sends
    assert sends_within(takes - timedelta(minutes=1), kind, 10, 3) < sends
    assert sends_within(timedelta(seconds=-5), kind, 10, 3) == 0


def test_old_metric_events_are_pruned(db) -> None:  # noqa: ANN001
    from datetime import timedelta

    from sqlalchemy import select

    from ofcrm_tui.core import metrics
    from ofcrm_tui.store.models import Account, MetricEvent
    from ofcrm_tui.store.types import utcnow

    now = utcnow()
    with db.write() as session:
        account = Account(name="a", base_url="http://x")
        session.add(account)
        session.flush()
        for age in (timedelta(days=30), timedelta(days=1)):
            session.add(MetricEvent(account_id=account.id, name=metrics.SENT, recorded_at=now - age))
    with db.write() as session:
        metrics.prune(session, account.id, now)
    with db.read() as session:
        left = session.scalars(select(MetricEvent.recorded_at)).all()
    assert [now - at < timedelta(days=2) for at in left] == [True]
