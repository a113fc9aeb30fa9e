import pytest

from ofcrm_tui.core.limiter import campaign_cap


@pytest.mark.parametrize(
    ("limit", "reserve", "cap"),
    [(10, 3, 7), (600, 3, 597), (10, 0, 10), (3, 3, 1), (1, 3, 1)],
)
def test_campaigns_leave_the_reply_reserve_but_always_move(limit: int, reserve: int, cap: int) -> None:
    assert campaign_cap(limit, reserve) == cap
