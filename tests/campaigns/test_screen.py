"""The campaigns screen in the app (Pilot): build with a live count and preview, launch
after a confirmation, open, pause and resume; drafts are kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, TextArea

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import Account, Campaign, Fan, OutboundMessage
from ofcrm_tui.tui.dialogs.campaign_composer import DEBOUNCE_SECONDS, CampaignComposer
from ofcrm_tui.tui.dialogs.campaign_form import local_time
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList, RecipientList
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import NOW, World
from tests.tui.pilot import lines, press, settle, type_text, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio


def _states(world: World) -> dict[str, int]:
    with world.context.db.read() as session:
        return dict(session.execute(
            select(OutboundMessage.state, func.count()).group_by(OutboundMessage.state)).all())


async def _composer(pilot: Pilot[object], *keys: str) -> CampaignComposer:
    """The campaigns screen (key 5), a new campaign (n), then ``keys`` typed."""
    await settle(pilot)
    await press(pilot, "4", "n", *keys)
    composer = pilot.app.screen
    assert isinstance(composer, CampaignComposer)
    return composer


def _static(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_build_preview_launch_pause_resume(world: World) -> None:  # noqa: F811
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        active = session.scalar(select(func.count()).select_from(Fan).where(
            Fan.account_id == account_id, Fan.subscription_status == SubscriptionStatus.ACTIVE))
    assert active
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        assert isinstance(app.screen, CampaignsScreen)
        await press(pilot, "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        # The composer takes the screen: its fields are wide enough to read.
        assert composer.query_one("#campaign-name", Input).size.width >= 40
        for key in "Drop":
            await pilot.press(key)
        composer.query_one("#campaign-text", TextArea).load_text("Hi {name|babe}!")
        await wait_for(pilot, lambda: "recipients" in _static(composer, "#campaign-count"))
        assert f"{active} recipients" in _static(composer, "#campaign-count")
        await wait_for(pilot, lambda: "!" in _static(composer, "#campaign-preview"))
        preview = _static(composer, "#campaign-preview")
        assert preview.startswith("Preview for @") and "\nHi " in preview
        # A filter change updates the count (debounced, in a worker).
        composer.query_one("#campaign-min_spent", Input).value = "1000000"
        await wait_for(pilot, lambda: "0 recipients" in _static(composer, "#campaign-count"))
        composer.query_one("#campaign-min_spent", Input).value = ""
        await wait_for(pilot, lambda: f"{active} recipients" in _static(composer, "#campaign-count"))

        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        assert "\nto active fans\n" in str(options.get_option_at_index(1).prompt)
        await press(pilot, "j", "enter")  # "Start: N recipients …"
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        assert _states(world) == {"queued": active}

        screen = app.screen
        listing = screen.query_one(CampaignList)
        await wait_for(pilot, lambda: listing.count == 1 and listing.cursor_row is not None)
        assert listing.cursor_row.status == "running"
        await press(pilot, "enter")
        recipients = screen.query_one(RecipientList)
        await wait_for(pilot, lambda: recipients.count == active)
        await press(pilot, "p")
        await wait_for(pilot, lambda: _states(world) == {"paused": active})
        await press(pilot, "r")
        await wait_for(pilot, lambda: _states(world) == {"queued": active})
        with db.read() as session:
            assert session.scalar(select(Campaign.status)) == "running"


async def test_the_send_time_counts_the_campaign_messages_queued_ahead(world: World) -> None:  # noqa: F811
    """A running campaign's rows go first: the composer's estimate and the start question
    count them (1 campaign send a minute here: 4 a minute, 3 kept for replies)."""
    db, account_id = world.context.db, world.account.id
    with db.write() as session:
        session.get(Account, account_id).send_limit_per_minute = 4
    first = campaigns.create(db, account_id, CampaignSpec(name="First", text="hi"),
                             created_by="tester", now=NOW)
    ahead = first.recipients
    assert ahead > 1
    takes = campaigns.duration_text(timedelta(minutes=2 * ahead))  # its rows, then ours
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Second")
        composer.query_one("#campaign-text", TextArea).load_text("Hi again")
        await wait_for(pilot, lambda: "to send" in _static(composer, "#campaign-count"))
        assert (f"about {takes} to send (after {ahead} campaign messages queued ahead)"
                in _static(composer, "#campaign-count"))
        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        assert (f"about {takes} at 4/min (3 kept for replies, after {ahead} campaign messages "
                "queued ahead)") in str(options.get_option_at_index(1).prompt)


async def test_a_scheduled_campaign_waits_behind_what_is_still_queued_at_its_start(
    world: World,  # noqa: F811
) -> None:
    """Composed to start in two hours while a running campaign has rows queued: those
    are out long before, so neither the estimate nor the question counts them (they
    said "after N campaign messages queued ahead"); one minute ahead, all but the one
    sent by then are. The question asks to schedule it, not to start it."""
    db, account_id = world.context.db, world.account.id
    with db.write() as session:  # 1 campaign send a minute: 4 a minute, 3 kept for replies
        session.get(Account, account_id).send_limit_per_minute = 4
    running = campaigns.create(db, account_id, CampaignSpec(name="Now", text="hi"),
                               created_by="tester", now=NOW)
    ahead = running.recipients
    assert ahead > 2
    takes = campaigns.duration_text(timedelta(minutes=ahead))  # its own rows alone
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Later")
        composer.query_one("#campaign-text", TextArea).load_text("Hi later")
        at = composer.query_one("#campaign-at", Input)
        soon = (NOW + timedelta(minutes=1)).astimezone(composer.zone)
        at.value = f"{soon:%Y-%m-%d %H:%M}"
        await wait_for(pilot, lambda: "still queued" in _static(composer, "#campaign-count"))
        assert (f"(after ~{ahead - 1} campaign messages still queued at its start)"
                in _static(composer, "#campaign-count"))
        later = (NOW + timedelta(hours=2)).astimezone(composer.zone)
        at.value = f"{later:%Y-%m-%d %H:%M}"
        await wait_for(pilot, lambda: "queued" not in _static(composer, "#campaign-count"))
        assert f"about {takes} to send" in _static(composer, "#campaign-count")

        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        question = app.screen
        options = question.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        assert question.title_text == "Schedule this campaign?"
        offered = str(options.get_option_at_index(1).prompt)
        assert offered.startswith("Schedule: ") and f"starts at {later:%a %d %b %H:%M}" in offered
        assert offered.endswith(f"about {takes} at 4/min (3 kept for replies)"), offered
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    with db.read() as session:
        assert session.scalar(select(Campaign.status).where(Campaign.name == "Later")) == (
            "scheduled")


async def test_enter_on_the_start_question_keeps_the_campaign_unsent(world: World) -> None:  # noqa: F811
    """Not starting first, as every question whose yes cannot be undone: ctrl+l then an
    Enter typed by habit sends nothing (it started the campaign to every recipient)."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Drop", "tab", *"hello")
        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        assert str(options.get_option_at_index(0).prompt) == "Not now"
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.screen is composer)
        await settle(pilot)
        assert _states(world) == {}


async def test_closing_the_composer_keeps_a_draft(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _composer(pilot, *"Later")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        listing = app.screen.query_one(CampaignList)
        await wait_for(pilot, lambda: listing.cursor_row is not None)
        # A draft has no results yet: a dash, not "sent 0 · failed 0 · waiting 0".
        shown = lines(listing)[0]
        assert "Later" in shown and shown.rstrip().endswith("—") and "sent" not in shown
        await press(pilot, "enter")
        summary = _static(app.screen, "#campaign-summary")
        assert "Not started yet: no recipients, no results" in summary and "sent" not in summary
    with world.context.db.read() as session:
        assert session.execute(select(Campaign.name, Campaign.status)).all() == [("Later", "draft")]
    assert _states(world) == {}


async def test_closing_a_draft_that_cannot_be_saved_asks(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Later")
        composer.query_one("#campaign-min_spent", Input).value = "lots"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "cannot be saved" in app.screen.title_text
        await press(pilot, "enter")  # keep editing (the first choice)
        await wait_for(pilot, lambda: app.screen is composer)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await press(pilot, "j", "enter")  # close without saving
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert _states(world) == {}
    with world.context.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_a_spend_the_fans_filter_refuses_is_refused_in_its_words(world: World) -> None:  # noqa: F811
    """The composer read amounts its own way: $100,000,001 was "not an amount like 25 or
    9.99" where the fans filter says what the ceiling is."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Big")
        composer.query_one("#campaign-max_spent", Input).value = "100000001"
        expected = "bad maximum spend '100000001': at most $100,000,000.00"
        await wait_for(pilot, lambda: expected in _static(composer, "#campaign-count"))


async def test_the_count_follows_the_fans_while_the_composer_is_open(world: World) -> None:  # noqa: F811
    """A fan's spend changed by a poll while the form is open: the side panel counts
    again when the app publishes the change, as the start's confirmation would."""
    db, account_id = world.context.db, world.account.id
    active = (Fan.account_id == account_id, Fan.platform_user_id.is_not(None),
              Fan.subscription_status == SubscriptionStatus.ACTIVE)
    with db.read() as session:
        spends = sorted(session.scalars(select(Fan.total_spent_cents).where(*active)))
    floor = spends[len(spends) // 2] // 100 + 1  # dollars: some fans spent that, some less
    above = sum(spent >= floor * 100 for spent in spends)
    assert 0 < above < len(spends)
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _composer(pilot, *"Drop")
        composer.query_one("#campaign-min_spent", Input).value = str(floor)
        await wait_for(pilot, lambda: _static(composer, "#campaign-count").startswith(f"{above} recipients"))
        # The count may come from a timer that read the new floor before its Changed
        # arrived; that Changed counts once more, after its debounce: let it, first.
        await pilot.pause(DEBOUNCE_SECONDS * 2)
        await settle(pilot)
        with db.write() as session:
            fan = session.scalars(select(Fan).where(*active, Fan.total_spent_cents < floor * 100)).first()
            fan.total_spent_cents = floor * 100
        await settle(pilot)
        assert _static(composer, "#campaign-count").startswith(f"{above} recipients")  # not told yet
        app.changes.publish(DataChanged.of("inbox"))  # as a poll's purchases publish it
        await wait_for(pilot, lambda: _static(composer, "#campaign-count").startswith(f"{above + 1} recipients"))


def _focused_id(app: object) -> str | None:
    focused = app.screen.focused  # type: ignore[attr-defined]
    return None if focused is None else focused.id


@pytest.mark.slow
async def test_composer_by_keyboard(world: World) -> None:  # noqa: F811
    """Name, then the message (one tab); shift+tab goes back; ctrl+down / ctrl+up step
    through the sections (name, message, price and media, start, recipients), stopping
    at the first and the last;
    enter in a one-line field goes on to the next."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        composer = await _composer(pilot)
        assert _focused_id(app) == "campaign-name"
        await type_text(pilot, "Drop")
        await press(pilot, "tab")
        await type_text(pilot, "Hi")
        await press(pilot, "enter")
        await type_text(pilot, "you")
        assert composer.query_one("#campaign-text", TextArea).text == "Hi\nyou"
        await press(pilot, "shift+tab")
        assert _focused_id(app) == "campaign-name"
        for key in (events.Key("tab", "\t"), events.Key("exclamation_mark", "!")):
            app.post_message(key)  # at once: the "!" goes where the tab went
        await settle(pilot)
        assert composer.query_one("#campaign-text", TextArea).text == "Hi\nyou!"
        await press(pilot, "shift+tab")
        sections = ["campaign-text", "campaign-offer", "campaign-at", "campaign-tags_in",
                    "campaign-name"]
        for expected in sections[:-1]:
            await press(pilot, "ctrl+down")
            assert _focused_id(app) == expected
        await press(pilot, "ctrl+down")
        assert _focused_id(app) == "campaign-tags_in"  # the last section stays
        for expected in reversed(sections[:-2]):
            await press(pilot, "ctrl+up")
            assert _focused_id(app) == expected
        await press(pilot, "ctrl+up")
        assert _focused_id(app) == "campaign-name"
        await press(pilot, "ctrl+up")
        assert _focused_id(app) == "campaign-name"  # and the first
        # From inside a section, ctrl+up goes to its first field; enter goes on.
        await press(pilot, "ctrl+down", "ctrl+down", "ctrl+down", "ctrl+down")
        await press(pilot, "tab", "tab", "ctrl+up")
        assert _focused_id(app) == "campaign-tags_in"
        await type_text(pilot, "vip")
        await press(pilot, "enter")
        assert _focused_id(app) == "campaign-tags_out"
        assert composer.query_one("#campaign-tags_in", Input).value == "vip"
        await press(pilot, "ctrl+o")
        from ofcrm_tui.tui.dialogs.offer import OfferDialog

        assert isinstance(app.screen, OfferDialog)
        await press(pilot, "escape")
        assert app.screen is composer and _focused_id(app) == "campaign-tags_out"
        await press(pilot, "ctrl+up", "ctrl+up", "ctrl+up")
        assert _focused_id(app) == "campaign-offer"
        await press(pilot, "enter")  # the price and media button
        assert isinstance(app.screen, OfferDialog)
        await press(pilot, "escape")
        # Keys that come faster than the screen redraws (a held key, a loaded machine).
        assert _focused_id(app) == "campaign-offer"
        for _ in range(3):
            app.post_message(events.Key("ctrl+down", None))
        await settle(pilot)
        assert _focused_id(app) == "campaign-tags_in"  # start, recipients, and there it stays
        # The form scrolls to what has the focus: the last field shows at 80x24.
        await press(pilot, "ctrl+up", "ctrl+up", "ctrl+up", "ctrl+up")
        assert _focused_id(app) == "campaign-name"
        await press(pilot, "shift+tab")  # round to the last field
        last = app.screen.focused
        assert last is not None and last.id == "campaign-exclude"
        form = composer.query_one("#campaign-form")
        assert form.region.contains_region(last.region)


def _drafts(world: World) -> list[tuple[str, str]]:
    with world.context.db.read() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(Campaign.name, Campaign.status).order_by(Campaign.id))]


@pytest.mark.parametrize(
    "keys",
    [
        # Esc and q in the queue together (a loaded machine): Esc is acted on first.
        [events.Key("escape", "\x1b"), events.Key("q", "q")],
        # Esc and q read as one key by the terminal's parser ("\x1bq").
        [events.Key("alt+q", "q")],
    ],
    ids=["queued", "read-as-one"],
)
async def test_escape_then_q_keeps_the_draft_and_quits(world: World, keys) -> None:  # noqa: ANN001, F811
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _composer(pilot, *"Later")
        for key in keys:  # posted at once: no key waits for the one before
            app.post_message(key)
        await wait_for(pilot, lambda: app._exit)  # noqa: SLF001 - the app is leaving
    assert _drafts(world) == [("Later", "draft")]  # no "q" typed into the name


async def test_keys_after_escape_go_to_the_screen_below(world: World) -> None:  # noqa: F811
    """Esc then n: the draft is kept, then n on the campaigns screen opens a new one."""
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await _composer(pilot, "tab", *"Hi")
        await press(pilot, "shift+tab", *"Later")
        app.post_message(events.Key("alt+n", "n"))
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignComposer)
                       and app.screen is not first)
        assert _focused_id(app) == "campaign-name"
        assert app.screen.query_one("#campaign-name", Input).value == ""
    assert _drafts(world) == [("Later", "draft")]


async def test_escape_closes_an_open_list_first(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        composer = await _composer(pilot, *"Later")
        status = composer.query_one("#campaign-status", Select)
        status.focus()
        await press(pilot, "enter")
        assert status.expanded
        await press(pilot, "escape")
        assert not status.expanded and app.screen is composer
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert _drafts(world) == [("Later", "draft")]


async def test_quitting_keeps_the_draft_being_composed(world: World) -> None:  # noqa: F811
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _composer(pilot, *"Unfinished", "tab", *"Hello")
        await app.action_quit()
        await wait_for(pilot, lambda: app._exit)  # noqa: SLF001
    assert _drafts(world) == [("Unfinished", "draft")]


def test_the_composer_reads_a_start_on_the_clocks_of_its_date() -> None:
    """The composer's start time in Paris: July is summer time whatever today is; the
    spring-forward hour is refused in words; the autumn hour seen twice is the first."""
    paris = ZoneInfo("Europe/Paris")
    assert local_time("2099-07-01 10:00", paris) == datetime(2099, 7, 1, 8, 0, tzinfo=UTC)
    assert local_time("2099-01-01 10:00", paris) == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    autumn = local_time("2099-10-25 02:30", paris)
    assert autumn is not None and autumn.astimezone(UTC) == datetime(2099, 10, 25, 0, 30, tzinfo=UTC)
    with pytest.raises(OfcrmError, match="2099-03-29 02:30 does not exist here"):
        local_time("2099-03-29 02:30", paris)
    assert local_time("  ", paris) is None
