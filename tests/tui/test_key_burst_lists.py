"""Key bursts on the fans, failed and campaigns lists, as in the inbox
(``test_key_burst.py``): Enter opens as it is read and every key of the screen acts in
the order typed, so the keys after Enter reach what it opened, not the list."""

from __future__ import annotations

import pytest
from textual import events

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.core.fans import edits
from ofcrm_tui.tui import key_order
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList, RecipientList
from tests.tui.conftest import World
from tests.tui.failed_pilot import _many_failed, _states, open_failed
from tests.tui.fans_pilot import fans_loaded
from tests.tui.pilot import burst, let_go, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def _campaigns(pilot) -> CampaignsScreen:  # noqa: ANN001
    """From the start: the campaigns screen (4), its list's cursor on a campaign."""
    await settle(pilot)
    await press(pilot, "4")
    screen = pilot.app.screen
    assert isinstance(screen, CampaignsScreen)
    await wait_for(pilot, lambda: screen.query_one(CampaignList).cursor_row is not None)
    return screen


async def test_enter_then_escape_opens_a_fan_and_comes_back(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        second = screen.fans.row_at(1)
        burst(app, "j", "enter", "escape", "j")
        await settle(pilot)
        assert app.screen is screen  # Esc reached the fan's screen: back
        assert screen.fans.cursor == 2
        burst(app, "k", "enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, FanDetailScreen) and detail.fan_id == second.fan_id
        assert sum(isinstance(s, FanDetailScreen) for s in app.screen_stack) == 1


async def test_a_keymap_moves_the_lists_keys_on_the_screen_too(world: World) -> None:
    """The screen's Enter has the list's id (``list.open``): a ``[keymap]`` moves both."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        app.set_keymap({"list.open": "o", "list.down": "ctrl+n"})
        second = screen.fans.row_at(1)
        burst(app, "enter")
        await settle(pilot)
        assert app.screen is screen
        app.post_message(events.Key("ctrl+n", None))
        burst(app, "o")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, FanDetailScreen) and detail.fan_id == second.fan_id


async def test_enter_e_opens_a_fan_and_edits_their_note(world: World) -> None:
    """e acts once the fan is read (it said "No notes yet" before the notes were in):
    the fan's only note opens."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        top = screen.fans.row_at(0)
        edits.add_note(world.context.db, world.account.id, top.fan_id, "likes cats",
                       author="tester")
        burst(app, "enter", "e")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog) and app.screen.body == "likes cats"


async def test_enter_c_opens_a_fan_then_their_conversation(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        row = screen.fans.row_at(1)
        burst(app, "j", "enter", "c")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await wait_for(pilot, lambda: inbox.open_row is not None)
        assert inbox.open_row.conversation_id == row.conversation_id


async def test_a_fan_search_typed_in_one_burst_searches_for_all_of_it(world: World) -> None:
    """n (new fan), s, x, c typed into the search, not acted on by the screen."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        sort = screen.sort
        burst(app, "slash", *"nsxc/", "enter")
        await settle(pilot)
        assert app.screen is screen and screen.sort == sort
        assert screen.flt.search == "nsxc/"
        assert app.focused is screen.fans
        burst(app, "slash", "escape", "s")
        await settle(pilot)
        assert app.focused is screen.fans and screen.sort != sort


async def test_the_keys_behind_a_fan_searchs_enter_act_on_the_list(world: World) -> None:
    """The line's Enter (``FanSearchBox``) searches; the ``s`` read behind it sorts the
    list, it is not typed into the line closing."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        sort = screen.sort
        burst(app, "slash", "a", "enter", "s")
        await let_go(pilot)
        assert screen.flt.search == "a" and screen.sort != sort
        assert app.focused is screen.fans


async def test_enter_on_a_failed_message_then_its_keys_go_to_the_inbox(world: World) -> None:
    """d after Enter asked to discard the failed message (the screen had not moved
    yet). (Not R: the inbox's R retries the open conversation's failed reply too.)"""
    ids = _many_failed(world, 3)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        row = (await open_failed(pilot)).row_at(1)
        burst(app, "j", "enter", "d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        await wait_for(pilot, lambda: screen.open_row is not None)
        assert screen.open_row.conversation_id == row.conversation_id
    assert _states(world, ids) == ["failed"] * 3


async def test_escape_from_the_failed_list_then_j_moves_the_inbox(world: World) -> None:
    _many_failed(world, 3)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_failed(pilot)
        burst(app, "escape", "j", "j")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert app.screen.conversations.cursor == 2


async def test_enter_then_escape_opens_a_campaign_and_closes_it(world: World) -> None:
    """Esc after Enter went back to the inbox (the campaign was not open yet)."""
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Later", "Hi"),
                         created_by="tester")
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _campaigns(pilot)
        burst(app, "enter", "escape")
        await settle(pilot)
        assert app.screen is screen and screen.opened is None
        assert app.focused is screen.query_one(CampaignList)
        burst(app, "enter", "tab", "tab")
        await settle(pilot)
        assert screen.opened is not None
        assert app.focused is screen.query_one(RecipientList)


async def test_a_conversation_opened_from_another_screen_is_that_one(world: World) -> None:
    """Changes the inbox missed while hidden are read when it is shown again: that
    reload read the list from the top and opened its first row, not the one asked for."""
    _many_failed(world, 3)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        listing = await open_failed(pilot)
        app.changes.publish(DataChanged.of("inbox"))
        rows = [listing.row_at(i) for i in range(3)]
        row = next(r for r in reversed(rows) if r is not None)
        burst(app, "G", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        await wait_for(pilot, lambda: screen.open_row is not None)
        assert screen.open_row.conversation_id == row.conversation_id
        assert screen.conversations.cursor_row.conversation_id == row.conversation_id


async def test_keys_after_e_wait_for_the_draft_and_go_to_the_composer(world: World) -> None:
    """e reads the draft in a worker before the composer comes: the keys typed behind it
    acted on the list (x asked to cancel the campaign) instead of naming the draft. A Tab
    among them moves on to the message (it went nowhere, the name not focused yet), and
    the name's ctrl+u clears the name, not the message the Tab moved to."""
    from textual.widgets import Input, TextArea

    from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Later", "Hi"),
                         created_by="tester")
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _campaigns(pilot)
        burst(app, "e", "ctrl+u", *"xpr", "tab", *"Oh ")
        await settle(pilot)
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        assert composer.query_one("#campaign-name", Input).value == "xpr"
        message = composer.query_one("#campaign-text", TextArea)
        assert app.focused is message and message.text == "Oh Hi"


@pytest.mark.parametrize("hold", [None, 0.2], ids=["as-read", "let-go-after-it-closed"])
async def test_a_dialog_takes_one_enter_of_two_typed_fast(
    world: World, monkeypatch: pytest.MonkeyPatch, hold: float | None,
) -> None:
    """Enter Enter read before the fan filter is gone: the filter applies once and the
    second Enter neither hands a result again nor pops the screen under the dialog
    (it crashed the app: ScreenStackError), nor, let go once the dialog has gone (a
    loaded machine), opens the fan highlighted under it."""
    if hold is not None:
        monkeypatch.setattr(key_order, "KEY_HOLD_SECONDS", hold)
    edits.add_tags(world.context.db, world.account.id, 1, ["vip"])  # a fan for Enter to open
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await fans_loaded(pilot)
        await press(pilot, "f")
        await wait_for(pilot, lambda: app.screen is not screen)
        burst(app, "v", "i", "p", "enter", "enter")
        await let_go(pilot)
        assert app.is_running and app.screen is screen
        assert screen.flt.tags_in == ("vip",)


async def test_keys_behind_a_screen_key_act_on_that_screen(world: World) -> None:
    """``3 j`` typed fast: the fans list moves (the inbox's moved, the fans screen being
    composed on its first visit); ``1 j`` from the inbox is not held at all."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, InboxScreen)
        start = home.conversations.cursor
        burst(app, "3", "j", "j")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FansScreen)
        await wait_for(pilot, lambda: screen.fans.loaded)
        assert home.conversations.cursor == start, 'inbox moved'
        assert screen.fans.cursor == 2
        burst(app, "1", "j")
        await settle(pilot)
        assert app.screen is home and home.conversations.cursor == start + 1
        burst(app, "1", "j")  # the screen shown: nothing to wait for
        await settle(pilot)
        assert home.conversations.cursor == start + 2


@pytest.mark.parametrize(("mode", "screen_type", "list_of"), [
    ("fans", FansScreen, lambda s: s.fans),
    ("campaigns", CampaignsScreen, lambda s: s.query_one(CampaignList)),
])
async def test_a_screen_has_its_focus_once_mounted(
        world: World, monkeypatch: pytest.MonkeyPatch, mode, screen_type, list_of) -> None:  # noqa: ANN001
    """The keys held behind a screen key go on once the screen is mounted: its list
    has the focus by then (``focus()`` waited a turn, and a ``j`` let go in between
    went nowhere: ``3 j j`` left the fans list on its first row now and then)."""
    focused_at_mount = []
    mount = screen_type.on_mount

    def watched(screen) -> None:  # noqa: ANN001
        mount(screen)
        focused_at_mount.append(screen.focused)

    monkeypatch.setattr(screen_type, "on_mount", watched)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await app.switch_mode(mode)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, screen_type)
        assert focused_at_mount == [list_of(screen)]


async def test_after_scheduling_from_the_composer_the_list_has_the_focus(world: World) -> None:
    """A campaign open below, then a new one scheduled: back on the list, the new one is
    highlighted, the list has the focus and the panel shows it, so x cancels it (the
    recipients kept the focus and x asked about the one open before)."""
    from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Alpha", "Hi"),
                         created_by="tester")
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await _campaigns(pilot)
        listing = screen.query_one(CampaignList)
        burst(app, "enter", "n", *"Beta", "tab", *"hello", "ctrl+down", "ctrl+down",
              *"2026-12-05 10:00", "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        burst(app, "j", "enter")  # "Start: …" (below "Not now")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: listing.cursor_row is not None
                       and listing.cursor_row.name == "Beta")
        assert not any(isinstance(s, CampaignComposer) for s in app.screen_stack)
        assert app.focused is listing
        assert screen.opened is not None and screen.opened.name == "Beta"
        assert screen.opened.status == "scheduled" and screen.opened.text == "hello"
        burst(app, "x")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "Beta" in str(app.screen.query_one("OptionList").get_option_at_index(1).prompt)
