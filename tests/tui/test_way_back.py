"""Esc named where it does something, and the list says what it is (QA walk): the Fans
screen's Esc went nowhere and no footer named it; the inbox's Esc cleared a search and
left the reply box unnamed; at 80 columns an unread-only list, scrolled, lost "unread"
from its title to ``↑19 above``; over the Failed screen the notice of failed sends sent
the chatter to the screen they were on."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ofcrm_tui.jobs.events import MessagesFailed
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.failed_pilot import _failed, _fans, open_failed
from tests.tui.fans_pilot import open_fans
from tests.tui.pilot import conversations, press, settle, wait_for
from tests.tui.test_failed_notice import failed_notices
from tests.tui.test_list_above import title
from tests.tui.test_small_terminal import footer_keys

pytestmark = pytest.mark.anyio

SIZES = [(160, 45), (80, 24)]


def named(pilot, width: int) -> set[str]:  # noqa: ANN001 - a Pilot
    """The footer's keys, each drawn whole within ``width``."""
    shown = footer_keys(pilot.app.screen)
    assert all(region.right <= width for region in shown.values()), shown
    return set(shown)


@pytest.mark.parametrize("size", SIZES)
async def test_esc_on_the_fans_screen_clears_a_search_then_goes_back_to_the_inbox(
    world: World, size: tuple[int, int],
) -> None:
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert {"Inbox", "Help", "Quit"} <= named(pilot, size[0])
        await press(pilot, "slash", "a", "enter")
        await wait_for(pilot, lambda: screen.fans.loaded)
        assert screen.flt.search == "a"
        shown = named(pilot, size[0])
        assert "Clear search" in shown and "Inbox" not in shown
        await press(pilot, "escape")  # clears the search, stays
        assert screen.flt.search is None and pilot.app.screen is screen
        assert "Inbox" in named(pilot, size[0])
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, InboxScreen))


@pytest.mark.parametrize("size", SIZES)
async def test_the_inbox_footer_names_esc_while_it_clears_a_search_or_leaves_the_reply(
    world: World, size: tuple[int, int],
) -> None:
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        listing = named(pilot, size[0])
        assert listing.isdisjoint({"Clear search", "Back"})  # Esc does nothing here
        await press(pilot, "slash", "a", "enter")
        await settle(pilot)
        assert screen.flt.query == "a" and not screen.conversations.empty
        assert {"Clear search", "Next match", "Reply", "Help", "Quit"} <= named(pilot, size[0])
        await press(pilot, "escape")
        assert screen.flt.query is None
        assert named(pilot, size[0]) == listing
        await press(pilot, "enter", "r")
        await wait_for(pilot, lambda: isinstance(screen.focused, Composer))
        assert {"Send", "Back"} <= named(pilot, size[0])
        await press(pilot, "escape")  # back to the list
        assert screen.focused is screen.conversations
        assert named(pilot, size[0]) == listing


@pytest.mark.parametrize(("width", "mark"), [(80, "  ↑{}"), (160, "  ↑{} above")])
async def test_an_unread_only_list_scrolled_keeps_unread_in_its_title(
    world: World, width: int, mark: str,
) -> None:
    """At 80 columns ``↑N above`` is shortened to ``↑N`` to leave "unread" its room;
    where both fit the marker keeps its word."""
    with world.context.db.write() as session:  # more unread than fit
        session.execute(update(Conversation).where(Conversation.account_id == world.account.id)
                        .values(unread_count=1))
    async with world.app().run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        await press(pilot, "U")
        await wait_for(pilot, lambda: rows.loaded and rows.counted)
        count = rows.count
        assert title(rows) == f"Inbox  {count} · unread"
        fit = rows.container_size.height // rows.ROW_HEIGHT
        assert count > fit + 2
        await press(pilot, *["j"] * (fit + 2))
        await wait_for(pilot, lambda: rows.above > 0)
        above = rows.above
        await wait_for(pilot, lambda: title(rows) == f"Inbox  {count} · unread"
                       + mark.format(above))


async def test_the_failed_notice_over_the_failed_screen_does_not_send_you_there(
    world: World,
) -> None:
    outbound_ids = [_failed(world, fan_id) for fan_id in _fans(world, "active", 2)]
    app = world.app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_failed(pilot)
        app.job_event(MessagesFailed(world.account.id, (outbound_ids[0],)))
        await settle(pilot)
        assert failed_notices(app) == ["1 message could not be sent"]
        await press(pilot, "escape")  # to the inbox: it counts on, and says where they are
        await wait_for(pilot, lambda: isinstance(app.screen, InboxScreen))
        app.job_event(MessagesFailed(world.account.id, (outbound_ids[1],)))
        await settle(pilot)
        assert failed_notices(app) == ["2 messages could not be sent: see Failed messages"]
