"""Access to the account lost (the role taken off the team): every screen showing the
account's rows empties itself at once, seen or not, as the inbox does, and reads none
of them again when the data changes after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.status_read import AccessLost
from ofcrm_tui.tui.widgets.campaign_list import CampaignList
from ofcrm_tui.tui.widgets.failed_list import FailedList
from ofcrm_tui.tui.widgets.fan_list import FanList
from ofcrm_tui.tui.widgets.paged_list import PagedList
from tests.tui.conftest import World
from tests.tui.failed_pilot import _many_failed
from tests.tui.pilot import press, settle, wait_for

pytestmark = pytest.mark.anyio


Check = Callable[[OfcrmScreen], bool]


def _listed(kind: type[PagedList[Any]]) -> Check:
    """The screen's list of ``kind`` shows rows."""
    return lambda screen: screen.query_one(kind).count > 0


def _emptied(kind: type[PagedList[Any]]) -> Check:
    """The screen's lists of ``kind`` show none, and say why."""
    return lambda screen: all(rows.count == 0 and rows.empty_text == "No access to this account"
                              for rows in screen.query(kind))


def _figures(screen: OfcrmScreen) -> bool:
    assert isinstance(screen, AnalyticsScreen)
    return screen.shown is not None


def _no_figures(screen: OfcrmScreen) -> bool:
    assert isinstance(screen, AnalyticsScreen)
    return screen.shown is None and not screen.query_one("#analytics-body").display


def _fan_open(screen: OfcrmScreen) -> bool:
    assert isinstance(screen, FanDetailScreen)
    return screen.detail is not None


def _fan_closed(screen: OfcrmScreen) -> bool:
    """The fan's screen went, the fans under it emptied."""
    app = screen.app
    return (screen not in app.screen_stack and isinstance(app.screen, FansScreen)
            and _emptied(FanList)(app.screen))


def _campaign_closed(screen: OfcrmScreen) -> bool:
    assert isinstance(screen, CampaignsScreen)
    return screen.opened is None and _emptied(CampaignList)(screen)


# The keys that show the screen (and a row of it opened), the screen, whether it shows
# the account's rows, and whether it has let go of them.
KINDS: dict[str, tuple[tuple[str, ...], type[OfcrmScreen], Check, Check]] = {
    "fans": (("3",), FansScreen, _listed(FanList), _emptied(FanList)),
    "failed": (("2",), FailedScreen, _listed(FailedList), _emptied(FailedList)),
    "campaigns": (("4", "enter"), CampaignsScreen,
                  lambda s: _listed(CampaignList)(s) and s.opened is not None,
                  _campaign_closed),
    "analytics": (("5",), AnalyticsScreen, _figures, _no_figures),
    "fan": (("3", "enter"), FanDetailScreen, _fan_open, _fan_closed),
}


# Seen, and hidden behind the inbox (the fan's screen, opened over the fans, is seen
# there: the fans list under it empties with it).
CASES = [(kind, hidden) for kind in KINDS for hidden in (False, True)
         if not (hidden and kind == "fan")]


@pytest.mark.parametrize(("kind", "hidden"), CASES,
                         ids=[f"{kind}-{'hidden' if hidden else 'seen'}" for kind, hidden in CASES])
async def test_a_screen_of_the_accounts_rows_empties_itself_when_access_is_lost(
    world: World, kind: str, hidden: bool
) -> None:
    keys, screen_kind, shows, let_go = KINDS[kind]
    _many_failed(world, 3)
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Later", "Hi"),
                         created_by="tester")
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, *keys)
        screen = app.screen
        assert isinstance(screen, screen_kind)
        await wait_for(pilot, lambda: shows(screen))
        if hidden:
            await press(pilot, "1")
        app.post_message(AccessLost(world.account.id, "permission denied", team=False))
        await wait_for(pilot, lambda: app.cut_off is not None)
        await settle(pilot)
        assert let_go(screen)
        # More data comes, and the screen is shown: nothing of the account is read again.
        app.changes.publish(DataChanged.of("fans", "inbox", "outbox"))
        await settle(pilot)
        if hidden:
            await press(pilot, keys[0])
        assert let_go(screen)
