"""80x24 works (and 160x45): the failed reason, the offer's buttons, the header's spend;
the theme is saved, a queued reply says when it goes, the media picker marks selections."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _failed, _fans, _many_failed, open_failed
from tests.tui.pilot import conversations, lines, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio

SIZES = [(160, 45), (80, 24)]
LONG_REASON = ("403: the platform refused this message because the fan's subscription "
               "expired on 2026-11-19 and messages to expired fans are not delivered")


@pytest.mark.parametrize("size", SIZES)
async def test_the_failed_screen_shows_the_whole_reason(world: World, size: tuple[int, int]) -> None:
    from ofcrm_tui.store.models import OutboundMessage

    outbound_id = _failed(world, _fans(world, "expired", 1)[0])
    with world.context.db.write() as session:
        session.get(OutboundMessage, outbound_id).last_error = LONG_REASON
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        detail = app.screen.query_one("#failed-detail", Static)
        shown = " ".join(line.strip() for line in lines(detail))
        assert "expired fans are not delivered" in shown, shown
        assert detail.region.bottom <= size[1] - 2  # above the status bar and footer


@pytest.mark.parametrize("size", SIZES)
async def test_the_offer_dialogs_buttons_fit(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+o")
        assert isinstance(app.screen, OfferDialog)
        screen = app.screen.region
        for button in app.screen.query(Button):
            assert screen.contains_region(button.region), (button.id, button.region)
            assert button.region.height >= 3
        # A picked item is marked in its box, an unpicked one not (not by colour alone:
        # Textual draws the mark in every box).
        for list_id in ("#offer-media", "#offer-previews"):
            picks = app.screen.query_one(list_id)
            await wait_for(pilot, lambda picks=picks: picks.option_count > 1)
            assert [line[:3] for line in lines(picks)[:2]] == ["▐ ▌", "▐ ▌"]
            await press(pilot, "tab", "space")
            assert [line[:3] for line in lines(picks)[:2]] == ["▐X▌", "▐ ▌"]
            assert "[x]" not in "".join(lines(picks))


@pytest.mark.parametrize("size", SIZES)
async def test_the_thread_header_keeps_the_spend(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        rows = conversations(pilot)
        spender = max((rows.row_at(i) for i in range(rows.count)),
                      key=lambda row: row.total_spent_cents)
        rows.move_to(next(i for i in range(rows.count)
                          if rows.row_at(i).conversation_id == spender.conversation_id))
        await press(pilot, "enter")
        header = app.screen.query_one(ThreadHeader)
        line = lines(header)[0]
        assert f"spent {format_cents(spender.total_spent_cents)}" in line, line


async def test_the_theme_picked_is_saved_to_the_config_file(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\nchatter_name = "sam"\n\n[keymap]\n"inbox.reply" = "R"\n')
    monkeypatch.setenv("OFCRM_CONFIG_FILE", str(config))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await wait_for(pilot, lambda: "nord" in config.read_text())
    saved = tomllib.loads(config.read_text())
    assert saved == {"chatter_name": "sam", "theme": "nord", "keymap": {"inbox.reply": "R"}}
    assert config.read_text().startswith("# mine\n")


@pytest.mark.parametrize("size", SIZES)
async def test_a_queued_reply_says_when_it_should_go(world: World, size: tuple[int, int]) -> None:
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "a", "enter", "r", *"later", "ctrl+s")
        app.status_reads.load()
        await wait_for(pilot, lambda: app.status.next_send_at is not None)
        await wait_for(pilot, lambda: any("◷ queued · ~" in line for line in lines(thread(pilot))))
        expected = max(app.status.next_send_at, app.clock()).astimezone(app.clock().tzinfo)
        assert any(f"queued · ~{expected:%H:%M}" in line for line in lines(thread(pilot)))


@pytest.mark.parametrize("size", SIZES)
async def test_the_import_file_picker_uses_the_room(
    world: World, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Input, Select
    from textual_fspicker import FileOpen

    monkeypatch.setenv("HOME", str(tmp_path))  # the picker opens in the home directory
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "3", "I")
        await wait_for(pilot, lambda: isinstance(app.screen, FileOpen))
        await settle(pilot)
        dialog = app.screen.query_one("Dialog").region
        # All but the line of its footer (its keys).
        assert dialog.width >= min(size[0], 120) and dialog.height >= min(size[1] - 1, 40)
        name = app.screen.query_one(Input).region
        assert name.width >= dialog.width // 3, name  # a file name can be typed and read
        choice = app.screen.query_one(Select)
        assert choice.region.height == 3 and choice.region.width >= 12  # "CSV" on one line
        for button in app.screen.query(Button):
            assert dialog.contains_region(button.region) and button.region.height == 3


@pytest.mark.parametrize("size", SIZES)
async def test_every_fan_filter_field_comes_into_view_as_tab_reaches_it(
    world: World, size: tuple[int, int]
) -> None:
    """At 80x24 the filter's last row is below the screen: tab scrolls it into view."""
    from textual.widgets import Input

    from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog

    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "3", "f")
        assert isinstance(app.screen, FanFilterDialog)
        for _ in range(12):
            focused, box = app.focused, app.screen.query_one("#fan-filter-dialog").region
            assert focused is not None and focused.region.height > 0, focused
            assert box.contains_region(focused.region), (focused, focused.region, box)
            if isinstance(focused, Input) and focused.id == "fan-filter-before":
                break
            await press(pilot, "tab")
        else:
            pytest.fail("tab never reached the last field")
        await press(pilot, *"2026-11-01", "ctrl+s")
        assert app.screen.flt.active_before is not None


@pytest.mark.parametrize("size", SIZES)
async def test_the_help_shows_whole_key_ids(world: World, size: tuple[int, int]) -> None:
    from ofcrm_tui.tui.dialogs.help import HelpScreen

    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = "\n".join("\n".join(lines(section))
                          for section in pilot.app.screen.query(".help-section"))
        for key_id in ("app.switch_account", "inbox.previous_pane", "inbox.filter_status"):
            assert key_id in shown


def footer_keys(screen: Screen[object]) -> dict[str, Region]:
    """The footer's keys by description, where they are drawn."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    return {key.description: key.region
            for key in screen.query_one(Footer).query(FooterKey) if key.display}


# Each screen's keys that a narrow footer must still name, besides help and quit.
SCREEN_KEYS = {
    "1": ["Reply"], "2": ["Retry", "Discard"], "3": ["Search", "Filter", "Chat"],
    "4": ["New", "Edit draft", "Delete draft"], "5": ["Custom period"], "6": ["Refresh"],
    "enter": ["Back", "Chat", "Note", "Tag", "Scroll"],
}
# The screens whose footer names every key it shows at 80 columns too (short words), but
# those given: "T Remove tag" and "n Nickname" were left out of the fan's. Delete, shown
# where there is room (it was never shown on the fans screen), gives way at 80 (the help
# lists it): to the fan's Scroll, whose spend, tags and last messages are below the fold
# at 80x24 (and so does the fan's "Del note", which the notes' heading names too); on the
# fans screen Import and Export give way too, to the palette's key (whose commands import
# and export). The campaigns' footer names only the keys that apply to the campaign
# highlighted (a draft: no Pause, Resume or Retry failed): all of them fit.
EVERY_KEY_AT_80 = {"3": {"Delete", "Import", "Export"}, "4": set(),
                   "enter": {"Delete", "Del note"}}


SCREENS = {"inbox": ("1",), "failed": ("2",), "fans": ("3",), "campaigns": ("4",),
           "analytics": ("5",), "monitoring": ("6",), "fan-detail": ("3", "enter")}
# Each screen's way back (its Esc), which every footer names, however narrow: the inbox
# has none (its Esc closes the search box, named while it is open, and clears a search,
# named while one is on). The fans' Esc clears a search too, while one is on; else it
# goes back to the inbox (QA: it did nothing, and no footer named it).
WAY_BACK = {"failed": "Inbox", "fans": "Inbox", "campaigns": "Back", "analytics": "Inbox",
            "monitoring": "Inbox", "fan-detail": "Back"}


@pytest.mark.parametrize("size", [*SIZES, (100, 30)])  # 100: the palette's key just fits
async def test_every_screens_footer_names_help_and_quit(
    world: World, size: tuple[int, int]
) -> None:
    """Where the keys do not all fit (80 columns) the footer leaves out the screen's
    last ones, never help and quit nor the way back (the Failed screen's esc Inbox went
    at 80), and cuts none; at 160 it names them all (those
    that are there: a campaign's or a failed message's keys are offered when there is
    one, the search box's Esc while it has the focus). Every screen in one app: one
    start-up a size."""
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Draft", "hi"),
                         created_by="me")
    _failed(world, _fans(world, "active", 1)[0])
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        for name, keys in SCREENS.items():
            await press(pilot, *keys)
            await settle(pilot)
            screen = pilot.app.screen
            shown = footer_keys(screen)
            way_back = [binding.description for binding in type(screen).BINDINGS
                        if binding.key == "escape" and screen.shows_now(binding)
                        and screen.check_action(binding.action.split("(")[0], ())]
            assert way_back == [WAY_BACK[name]] if name in WAY_BACK else not way_back, name
            for description in ["Help", "Quit", *way_back, *SCREEN_KEYS[keys[-1]]]:
                assert description in shown, (name, description, shown)
            palette = shown.pop("Commands", None)
            for description, region in shown.items():
                assert region.right <= size[0], (name, description, region)
                assert palette is None or not palette.overlaps(region), (name, description)
            if size[0] == 160 or (size[0] == 80 and keys[-1] in EVERY_KEY_AT_80):
                # The keys the screen offers now (the search box's Esc only while it has
                # the focus; a campaign's keys that apply to it; the analytics' Scroll
                # while there is more than fits).
                named = {b.description for b in type(screen).BINDINGS
                         if screen.shows_now(b) and not b.system
                         and screen.check_action(b.action.split("(")[0], ())}
                if size[0] == 80:
                    named -= EVERY_KEY_AT_80[keys[-1]]
                assert named <= shown.keys(), (name, named - shown.keys())


async def test_the_failed_footer_keeps_r_d_and_the_way_back_while_rows_are_selected(
    world: World,
) -> None:
    """R and d name the selection (longer words): at 80 columns Enter's Open, Retry all
    and Period give way to them, never Esc's Inbox, help or quit."""
    _many_failed(world, 3)
    async with world.app().run_test(size=(80, 24)) as pilot:
        await open_failed(pilot)
        shown = footer_keys(pilot.app.screen)
        assert {"Open", "Retry", "Discard", "Retry all", "Inbox", "Help", "Quit"} <= shown.keys()
        await press(pilot, "space", "space")
        await wait_for(pilot, lambda: "Retry 2 selected" in footer_keys(pilot.app.screen))
        shown = footer_keys(pilot.app.screen)
        assert {"Retry 2 selected", "Discard 2 selected", "Inbox", "Help", "Quit"} <= shown.keys()
        assert all(region.right <= 80 for region in shown.values()), shown


@pytest.mark.parametrize("width", [80, 100, 120])
async def test_the_fans_footer_names_delete_where_there_is_room(world: World, width: int) -> None:
    """D deleted the highlighted fan, but no footer named it, however wide: where it
    fits beside the palette's key it is named, last; at 100 it gives way to that key, and
    so does Export, beside esc Inbox (at 80 Import too, and then the palette's key: the
    way back is named, as ``footer_fit`` says); the help lists it."""
    async with world.app().run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await wait_for(pilot, lambda: pilot.app.screen.fans.loaded)
        shown = footer_keys(pilot.app.screen)
        assert ("Delete" in shown) == ("Export" in shown) == (width > 100), shown
        assert ("Import" in shown) == ("Commands" in shown) == (width > 80), shown
        assert {"Inbox", "Filter", "Chat", "New fan", "Help", "Quit"} <= shown.keys()
        await press(pilot, "question_mark")
        await settle(pilot)
        listed = "\n".join("\n".join(lines(section))
                           for section in pilot.app.screen.query(".help-section"))
        assert any(line.split()[:2] == ["D", "Delete"] and "fans.delete" in line
                   for line in listed.splitlines()), listed


@pytest.mark.parametrize("size", SIZES)
async def test_the_offer_dialog_shows_each_medias_whole_id(
    world: World, size: tuple[int, int]
) -> None:
    from textual.widgets import SelectionList

    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+o")
        for list_id in ("#offer-media", "#offer-previews"):
            media = app.screen.query_one(list_id, SelectionList)
            await wait_for(pilot, lambda media=media: media.option_count > 0)
            shown = "\n".join(lines(media))
            visible = min(media.option_count, media.scrollable_content_region.height)
            for index in range(visible):
                assert f"#{media.get_option_at_index(index).value} " in shown, shown
            assert media.scrollable_content_region.height >= 6  # a choice to pick from


@pytest.mark.parametrize("size", SIZES)
async def test_the_fans_list_keeps_the_tags(world: World, size: tuple[int, int]) -> None:
    """At 80 columns the columns narrow, and none goes: status, spend, times and tags."""
    from ofcrm_tui.core.fans import edits
    from ofcrm_tui.tui.widgets.fan_list import FanList

    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        fans = pilot.app.screen.query_one(FanList)
        await wait_for(pilot, lambda: fans.loaded and fans.cursor_row is not None)
        top = fans.cursor_row
        edits.add_tags(db, account, top.fan_id, ["whale", "vip"])
        fans.refresh_rows()
        await wait_for(pilot, lambda: bool(fans.cursor_row.tags))
        title = lines(pilot.app.screen.query_one("#fan-header", Static))[0]
        for column in ("Fan", "Status", "Spent", "Active", "Last msg", "Tags"):
            assert column in title, title
        row = lines(fans)[0]
        # (a name too long for the column is cut before the @username)
        for shown in (top.display_name[:10], f"@{top.username}", top.subscription_status,
                      format_cents(top.total_spent_cents), "#vip", "#whale"):
            assert shown in row, (shown, row)


@pytest.mark.parametrize("size", SIZES)
async def test_a_campaigns_row_keeps_its_name_progress_and_results(
    world: World, size: tuple[int, int]
) -> None:
    """At 80 columns a campaign takes two lines: nothing of it is cut."""
    from ofcrm_tui.core import campaigns, inbox
    from ofcrm_tui.core.campaigns import CampaignSpec, Segment
    from ofcrm_tui.tui.widgets.campaign_list import CampaignList

    db, account = world.context.db, world.account.id
    media = inbox.vault_media(db, account)[0].id
    spec = CampaignSpec("Weekend drop for our best fans", "hi {name|babe}", Segment(),
                        price_cents=1500, media_ids=(media,))
    campaigns.create(db, account, spec, created_by="tester", now=NOW)
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        listing = pilot.app.screen.query_one(CampaignList)
        await wait_for(pilot, lambda: listing.cursor_row is not None)
        row = lines(listing)[:listing.ROW_HEIGHT]
        assert all(not line.rstrip().endswith("…") for line in row), row
        shown = " ".join(row)
        for part in ("#1", "running", "Weekend drop for our best fans", "sent ", " of ",
                     "failed ", "waiting ", "bought 0", "revenue $0.00", "ETA "):
            assert part in shown, (part, row)
        other = SIZES[1 - SIZES.index(size)]
        await pilot.resize_terminal(*other)
        await settle(pilot)
        assert listing.ROW_HEIGHT == (1 if other[0] >= 120 else 2)
        assert listing.virtual_size.height >= listing.ROW_HEIGHT
        assert lines(listing)[0].startswith(" #1")  # the margin every list has


@pytest.mark.parametrize("size", SIZES)
async def test_a_scheduled_campaign_says_when_it_starts_to_the_minute(
    world: World, size: tuple[int, int]
) -> None:
    """"starts 1 Dec" said the day only: the time (in the app's zone) comes with it."""
    from datetime import timedelta, timezone

    from ofcrm_tui.core import campaigns
    from ofcrm_tui.core.campaigns import CampaignSpec, Segment
    from ofcrm_tui.tui.app import OfcrmApp
    from ofcrm_tui.tui.widgets.campaign_list import CampaignList

    at = NOW.replace(day=1, month=12, hour=18, minute=30)
    campaigns.create(world.context.db, world.account.id,
                     CampaignSpec("Later", "hi", Segment(), at=at), created_by="tester", now=NOW)
    zone = timezone(timedelta(hours=2))  # the app's clock two hours ahead of UTC
    app = OfcrmApp(world.context, world.account, clock=lambda: NOW.astimezone(zone))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        listing = pilot.app.screen.query_one(CampaignList)
        await wait_for(pilot, lambda: listing.cursor_row is not None)
        shown = " ".join(lines(listing)[:listing.ROW_HEIGHT])
        assert "scheduled" in shown and "starts 1 Dec 20:30" in shown, shown


def whole(widget: Widget) -> str:
    """What the widget draws, its lines joined as the words they wrap."""
    return " ".join(" ".join(line.split()) for line in lines(widget)).strip()


@pytest.mark.parametrize("size", SIZES)
async def test_the_saved_replies_preview_and_the_new_replys_labels_are_whole(
    world: World, size: tuple[int, int]
) -> None:
    """The preview is what is sent: at 80x24 the list gives up lines for it. A label
    wider than the dialog wraps."""
    from textual.widgets import Label

    from ofcrm_tui.core.inbox import saved_replies
    from ofcrm_tui.tui.dialogs.new_reply import NewReplyDialog
    from ofcrm_tui.tui.dialogs.saved_replies import SavedReplyPicker

    body = ("Hey {name}, I'm a little busy right now with a shoot, but I'll get back to "
            "you as soon as it is done, promise!")
    saved_replies.create_reply(world.context.db, world.account.id, "Busy", body)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r", "ctrl+r")
        picker = app.screen
        assert isinstance(picker, SavedReplyPicker)
        preview = picker.query_one("#replies-preview", Static)
        await wait_for(pilot, lambda: "promise!" in str(preview.render()))
        dialog = picker.query_one("#replies-dialog").content_region
        assert dialog.contains_region(preview.region), (preview.region, dialog)
        assert whole(preview).endswith("as soon as it is done, promise!"), lines(preview)
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, NewReplyDialog)
        dialog = app.screen.query_one("#new-reply-dialog").content_region
        for label in app.screen.query(Label):
            assert dialog.contains_region(label.region), (label.region, dialog)
            assert whole(label) == " ".join(str(label.render()).split()), lines(label)


@pytest.mark.parametrize("size", SIZES)
async def test_the_campaign_start_hint_is_whole(world: World, size: tuple[int, int]) -> None:
    """The start field's placeholder fits the field (it was cut to "now, or YYYY-MM-DD")."""
    from textual.widgets import Input

    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        at = pilot.app.screen.query_one("#campaign-at", Input)
        assert len(at.placeholder) < at.content_size.width, (at.placeholder, at.content_size)
