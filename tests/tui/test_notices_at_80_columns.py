"""Notices at 80x24 that hid what they say or what is read: the inbox's notice of a
burst of new messages is drawn whole (its rack, measured, was a line short where the
words broke, and "… and 4 more" lost its last line); in the campaign composer notices
keep off the preview's refusal (they stacked up over its end)."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static, TextArea
from textual.widgets._toast import Toast

from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.notices import summary
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from tests.tui.conftest import World
from tests.tui.pilot import inbox, lines, press, settle, wait_for

pytestmark = pytest.mark.anyio
# The first fan's name as long as broke the notice's lines where the rack came a line
# short at 80 columns.
NAME_LENGTHS = (12, 27, 50)


async def drawn_whole(pilot: Pilot[object], screen: Screen[object], message: str,
                      title: str = "") -> Region:
    """Where ``message``, given on ``screen`` as the only notice up, is drawn: whole."""
    pilot.app.clear_notifications()
    await settle(pilot)
    screen.notify(message, title=title, timeout=30, markup=False)
    await wait_for(pilot, lambda: any(t.region.area for t in screen.query(Toast)))
    await settle(pilot)
    shown = screen._compositor.visible_widgets
    toasts = [toast for toast in screen.query(Toast) if toast in shown]
    assert len(toasts) == 1
    region, clip = shown[toasts[0]]
    assert region.intersection(clip) == region, (message, region, clip)
    return region


async def test_a_burst_from_many_fans_is_drawn_whole_at_80_columns(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = inbox(pilot)
        kept_clear = [screen.query_one(Composer), screen.query_one(ConversationList)]
        for length in NAME_LENGTHS:
            names = ["x" * length, "Bob", "Cy", "Di", "Ed", "Flo"]
            title, body = summary([NewInbound(n, name, "hi", 0) for n, name in enumerate(names)])
            assert body.endswith("and 4 more")
            region = await drawn_whole(pilot, screen, body, title)  # as the inbox gives it
            for widget in kept_clear:
                assert not region.overlaps(widget.region), (length, region, widget)


@pytest.mark.parametrize("text", ["Hi {nam}, a set just for you", "Hi {nickname}, a set for you"])
async def test_notices_leave_the_campaign_previews_refusal_in_view(
    world: World, text: str
) -> None:
    """Three notices up (a draft kept, new messages, sends given up on), each coming
    as the composer shows why its text is refused: they keep off the refusal, in the
    side panel, the form clear."""
    app = world.app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        await press(pilot, "tab")
        field = app.focused
        assert isinstance(field, TextArea)
        field.insert(text)
        preview = composer.query_one("#campaign-preview", Static)
        await wait_for(pilot, lambda: "{name}" in " ".join(lines(preview)))
        side = composer.query_one("#campaign-side").region
        for message, title in [("Draft kept", ""),
                               ("from Ximena Quiroga, Bob and 4 more", "12 new messages"),
                               ("5 messages could not be sent: see Failed messages", "")]:
            app.notify(message, title=title, timeout=30)
            await wait_for(pilot, lambda m=message: any(
                m in " ".join(" ".join(lines(t)).split())
                for t in composer.query(Toast) if t.region.area))
            await settle(pilot)
            toasts = [toast for toast in composer.query(Toast) if toast.region.area]
            for toast in toasts:
                assert side.contains_region(toast.region), (toast.region, side)
                assert not toast.region.overlaps(preview.region), (toast.region, preview.region)
                assert not toast.region.overlaps(composer.query_one("#campaign-form").region)
