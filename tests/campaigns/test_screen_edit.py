"""The campaigns screen acting on the right campaign, and leaving the composer: a
scheduled campaign stays scheduled unless the changes are saved as a draft; Esc always
leaves or says why not."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import campaigns, outbox
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.widgets.campaign_list import CampaignList, RecipientList
from ofcrm_tui.tui.app import OfcrmApp
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import NOW, World
from tests.tui.pilot import burst, lines, press, settle, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio


def _campaigns(world: World) -> list[tuple[int, str, object]]:
    with world.context.db.read() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(Campaign.id, Campaign.status, Campaign.scheduled_at).order_by(Campaign.id))]


def _status(world: World, campaign_id: int) -> str:
    return next(status for id_, status, _ in _campaigns(world) if id_ == campaign_id)


def _scheduled(world: World) -> int:
    now = utcnow()
    spec = CampaignSpec("Later", "hi {name|you}", at=now + timedelta(days=30))
    return campaigns.create(world.context.db, world.account.id, spec, created_by="me",
                            now=now).campaign_id


async def _list(pilot, count: int) -> CampaignList:  # noqa: ANN001
    await settle(pilot)
    await press(pilot, "4")
    listing = pilot.app.screen.query_one(CampaignList)
    await wait_for(pilot, lambda: listing.count == count and listing.cursor_row is not None)
    return listing


async def _edit(pilot) -> CampaignComposer:  # noqa: ANN001
    await press(pilot, "e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CampaignComposer))
    return pilot.app.screen


async def test_escape_from_an_unchanged_scheduled_campaign_keeps_it_scheduled(
    world: World,  # noqa: F811
) -> None:
    campaign_id = _scheduled(world)
    before = _campaigns(world)
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        await _edit(pilot)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert before == _campaigns(world) and before[0][:2] == (campaign_id, "scheduled")


async def test_changing_a_scheduled_campaign_asks_before_it_stops_being_scheduled(
    world: World,  # noqa: F811
) -> None:
    campaign_id = _scheduled(world)
    before = _campaigns(world)
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        composer = await _edit(pilot)
        composer.query_one("#campaign-name", Input).value = "Later, changed"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert app.screen.title_text.startswith("Scheduled for ")
        await press(pilot, "enter")  # keep editing (the first choice)
        await wait_for(pilot, lambda: app.screen is composer)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await press(pilot, "j", "enter")  # leave without saving: still scheduled
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        assert _campaigns(world) == before
        composer = await _edit(pilot)
        composer.query_one("#campaign-name", Input).value = "Later, changed"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await press(pilot, "j", "j", "enter")  # the changes as a draft: said so
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert [row[:2] for row in _campaigns(world)] == [(campaign_id, "draft")]


async def test_quitting_while_editing_a_scheduled_campaign_keeps_it_scheduled(
    world: World,  # noqa: F811
) -> None:
    _scheduled(world)
    before = _campaigns(world)
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        composer = await _edit(pilot)
        composer.query_one("#campaign-name", Input).value = "Later, changed"
        await settle(pilot)
        await app.action_quit()
        await wait_for(pilot, lambda: app._exit)  # noqa: SLF001
    assert _campaigns(world) == before


async def _new(pilot) -> CampaignComposer:  # noqa: ANN001
    """The composer of a new campaign, named "Later"."""
    await settle(pilot)
    await press(pilot, "4", "n", *"Later")
    composer = pilot.app.screen
    assert isinstance(composer, CampaignComposer)
    return composer


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("inactive_days", "²", "Not seen for N days: '²' is not a whole number"),
    ("at", "2026-12-01 18:00 sharp",
     "start time: '2026-12-01 18:00 sharp' is not YYYY-MM-DD HH:MM"),
])
async def test_escape_with_a_field_that_cannot_be_read_says_why(
    world: World, field: str, value: str, reason: str,  # noqa: F811
) -> None:
    """A digit that is not 0-9 ("²") in a number field, a start time that is not one:
    Esc asks, naming the field, the reason whole in the question's body (the title cut
    it at its border, at 160 columns too)."""
    app = world.app()
    async with app.run_test(size=(160, 44)) as pilot:
        composer = await _new(pilot)
        composer.query_one(f"#campaign-{field}", Input).value = value
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert app.screen.title_text == "This draft cannot be saved"
        body = app.screen.query_one(".choice-body", Label)
        assert " ".join(line.strip() for line in lines(body) if line.strip()) == reason
        await press(pilot, "j", "enter")  # close without saving
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    assert _campaigns(world) == []


async def _scheduling(pilot, at: str) -> CampaignComposer:  # noqa: ANN001
    """A new campaign with a message and the start time ``at`` typed, then ctrl+l."""
    composer = await _new(pilot)
    composer.query_one("#campaign-text", TextArea).load_text("hi")
    composer.query_one("#campaign-at", Input).value = at
    await settle(pilot)
    await press(pilot, "ctrl+l")
    return composer


async def _refused(pilot, note: str) -> None:  # noqa: ANN001
    """``note`` is shown, an error (a notice of the composer's refusal)."""
    shown = lambda: [(str(n.message), n.severity) for n in pilot.app._notifications]  # noqa: E731, SLF001
    await wait_for(pilot, lambda: (note, "error") in shown())


async def test_a_start_in_the_past_is_said_in_the_zone_it_was_typed_in(world: World) -> None:  # noqa: F811
    """12:30 typed in Paris is 11:30 UTC, before the app's 12:00 UTC: refused, in Paris
    time (it said "12:30 UTC", a time still ahead)."""
    paris = ZoneInfo("Europe/Paris")
    app = OfcrmApp(world.context, world.account, clock=lambda: NOW.astimezone(paris))
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _scheduling(pilot, "2026-11-20 12:30")
        await _refused(pilot, "Not scheduled: the start time 2026-11-20 12:30 CET is in the past")
        assert app.screen is composer
    assert _campaigns(world) == []


async def test_a_start_passed_while_asking_is_not_scheduled(world: World) -> None:  # noqa: F811
    """The start time passes while "Schedule this campaign?" is up: the yes schedules
    nothing and says "Not scheduled" (it said "Not started", of a campaign never meant
    to start now)."""
    now = [NOW]
    app = OfcrmApp(world.context, world.account, clock=lambda: now[0])
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _scheduling(pilot, "2026-11-20 12:02")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert app.screen.title_text == "Schedule this campaign?"
        now[0] = NOW + timedelta(minutes=5)
        await press(pilot, "j", "enter")
        await _refused(pilot, "Not scheduled: the start time 2026-11-20 12:02 UTC is in the past")
        assert app.screen is composer
    assert _campaigns(world) == []


async def test_row_actions_act_on_the_highlighted_row_while_the_list_has_the_focus(
    world: World,  # noqa: F811
) -> None:
    """Enter on #2 (a draft), shift+tab back to the list, j to #1 (running): p pauses #1,
    x asks about #1 and the pane shows it; in the recipients pane e acts on the open
    campaign."""
    db, account_id = world.context.db, world.account.id
    running = campaigns.create(db, account_id, CampaignSpec("Now", "hi"), created_by="me").campaign_id
    draft = campaigns.save_draft(db, account_id, CampaignSpec("Draft", "hi"), created_by="me")
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        listing = await _list(pilot, 2)
        assert listing.cursor_row.id == draft
        await press(pilot, "enter")
        screen = app.screen
        assert screen.opened.id == draft and screen.focused is screen.query_one(RecipientList)
        await press(pilot, "shift+tab", "j")
        assert screen.focused is listing and listing.cursor_row.id == running
        await press(pilot, "p")
        await wait_for(pilot, lambda: _status(world, running) == "paused")
        assert not [n for n in app._notifications if "cannot" in n.message]  # noqa: SLF001
        await press(pilot, "x")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one("OptionList")
        # Keeping first: an Enter typed by habit keeps the campaign.
        assert str(options.get_option_at_index(0).prompt) == "Keep the campaign"
        assert "Cancel Now" in str(options.get_option_at_index(1).prompt)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceDialog))
        assert _status(world, running) == "paused"
        assert screen.opened.id == running  # the pane shows the campaign asked about
        await press(pilot, "k", "enter")  # #2 open, its recipients focused: e edits it
        assert screen.opened.id == draft
        assert screen.focused is screen.query_one(RecipientList)
        composer = await _edit(pilot)
        assert composer.draft_id == draft


async def test_escape_keeps_a_text_typed_without_a_name(world: World) -> None:  # noqa: F811
    """Esc with a message typed and no name: kept as a draft named after the time (the
    text was left behind without a word)."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        assert isinstance(composer, CampaignComposer)
        await press(pilot, "tab", *"no name text")
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        await wait_for(pilot, lambda: len(_campaigns(world)) == 1)
    with world.context.db.read() as session:
        name, text = session.execute(select(Campaign.name, Campaign.text)).one()
    assert name.startswith("Untitled ") and text == "no name text"


@pytest.mark.parametrize("last", [["escape"], ["alt+n"]], ids=["escape", "read-as-one"])
async def test_escape_in_the_burst_that_typed_the_draft_keeps_it(
    world: World, last: list[str],  # noqa: F811
) -> None:
    """``n``, a name, Tab, a message and Esc in one burst: Esc was read before the fields
    had typed the keys ahead of it, saw nothing changed and closed, the draft lost. A
    key read with Esc (``alt+n``) waits for it: n then opens a new composer."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        burst(app, "n", *"Burst draft", "tab", *"msg {name}", *last)
        await wait_for(pilot, lambda: len(_campaigns(world)) == 1)
        shown = CampaignsScreen if last == ["escape"] else CampaignComposer
        await wait_for(pilot, lambda: isinstance(app.screen, shown))
        if shown is CampaignComposer:
            assert app.screen.query_one("#campaign-name", Input).value == ""
    with world.context.db.read() as session:
        row = session.execute(select(Campaign.name, Campaign.text, Campaign.status)).one()
    assert tuple(row) == ("Burst draft", "msg {name}", "draft")


async def test_a_draft_scheduled_from_the_composer_stays_highlighted(world: World) -> None:  # noqa: F811
    """The oldest of three drafts edited and scheduled: the list comes back on it (it
    went to the top row, another campaign, as for a new one always at the top)."""
    db, account_id = world.context.db, world.account.id
    oldest, *_ = [campaigns.save_draft(db, account_id, CampaignSpec(name, "hi"), created_by="me")
                  for name in ("Old", "Mid", "New")]
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        listing = await _list(pilot, 3)
        await press(pilot, "j", "j")
        assert listing.cursor_row.id == oldest
        composer = await _edit(pilot)
        composer.query_one("#campaign-at", Input).value = "2026-12-01 18:00"
        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: options.option_count == 2)
        await press(pilot, "j", "enter")  # start (scheduled)
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        await wait_for(pilot, lambda: _status(world, oldest) == "scheduled")
        await settle(pilot)
        assert (listing.cursor_row.id, listing.cursor_row.status) == (oldest, "scheduled")


async def test_a_recipient_discarded_on_failed_messages_says_discarded(world: World) -> None:  # noqa: F811
    """The recipient row said ``cancelled`` where the progress said ``discarded 1``: one
    mapping of states to words (``outbox.rules.shown_state``)."""
    db, account_id = world.context.db, world.account.id
    created = campaigns.create(db, account_id, CampaignSpec("Drop", "hi"), created_by="me")
    with db.read() as session:
        first = session.scalar(select(func.min(OutboundMessage.id)))
    assert outbox.discard(db, account_id, [first]) == 1
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        await press(pilot, "enter")
        recipients = app.screen.query_one(RecipientList)
        await wait_for(pilot, lambda: recipients.count == created.recipients)
        shown = lines(recipients)
        assert "discarded 1" in str(app.screen.query_one("#campaign-summary", Static).render())
    assert shown[0].startswith(" discarded ") and not any("cancelled" in line for line in shown)


async def test_ctrl_l_is_named_for_what_it_does_as_the_start_changes(
    world: World,  # noqa: F811
) -> None:
    """The footer said "ctrl+l Start…" with a start time typed, where the question it
    asks is "Schedule this campaign?": it says "Schedule…" while a start time is typed,
    "Start…" without, as the field changes (a scheduled campaign opens with it). At 80
    columns every key is drawn whole (spaced, the last one was cut)."""
    _scheduled(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:

        def launch() -> list[str]:
            keys = list(app.screen.query(FooterKey))
            assert len(keys) == 6 and all(0 < k.region.width and k.region.right <= 80
                                          for k in keys), [(k.key, k.region) for k in keys]
            return [key.description for key in keys if key.key == "ctrl+l"]

        await _list(pilot, 1)
        composer = await _edit(pilot)
        await settle(pilot)
        assert launch() == ["Schedule…"]
        at = composer.query_one("#campaign-at", Input)
        await press(pilot, "ctrl+down", "ctrl+down", "ctrl+down")  # to the start field
        assert composer.focused is at
        await press(pilot, "ctrl+u")  # emptied: it starts now
        assert at.value == "" and launch() == ["Start…"]
        await press(pilot, *"2026-12-01 18:00")
        assert launch() == ["Schedule…"]
        await press(pilot, "ctrl+l")  # what it said: the question is to schedule it
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert app.screen.title_text == "Schedule this campaign?"


@pytest.mark.parametrize("meanwhile", ["deleted", "started"])
async def test_a_draft_deleted_or_started_meanwhile_is_kept_as_a_new_one(
    world: World, meanwhile: str,  # noqa: F811
) -> None:
    """Open in the composer while another app deleted (or started) it: ctrl+s, then Esc,
    could never save it ("not a draft of this account": keep editing or lose it). It is
    kept as a new draft, the notice naming its number, and saved over from then on."""
    db, account_id = world.context.db, world.account.id
    draft = campaigns.save_draft(db, account_id, CampaignSpec("Idea", "hi"), created_by="me")
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        composer = await _edit(pilot)
        if meanwhile == "deleted":
            campaigns.delete(db, account_id, draft)
        else:
            campaigns.launch(db, account_id, draft)
        composer.query_one("#campaign-name", Input).value = "Idea, changed"
        await press(pilot, "ctrl+s")
        said = "was deleted" if meanwhile == "deleted" else "is running now, no longer a draft"
        await wait_for(pilot, lambda: any(
            n.message == f"Saved as a new draft, #{composer.draft_id}: campaign #{draft} {said}"
            for n in app._notifications))  # noqa: SLF001
        new = composer.draft_id
        composer.query_one("#campaign-name", Input).value = "Idea, changed again"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
    with db.read() as session:
        rows = session.execute(select(Campaign.id, Campaign.name, Campaign.status)
                               .order_by(Campaign.id)).all()
    kept = [] if meanwhile == "deleted" else [(draft, "Idea", "running")]
    assert [tuple(row) for row in rows] == [*kept, (new, "Idea, changed again", "draft")]


async def test_a_draft_saved_before_the_segment_rules_opens_and_its_check_refuses(
    world: World,  # noqa: F811
) -> None:
    """A draft stored with tag vip both wanted and left out (saved before segments took
    the fan filter's rules) failed to open ("#vip is both wanted and left out"): it
    opens, and the count and ctrl+l say what to change."""
    db, account_id = world.context.db, world.account.id
    draft = campaigns.save_draft(db, account_id, CampaignSpec("Old", "hi"), created_by="me")
    with db.write() as session:  # as stored then
        session.execute(update(Campaign).where(Campaign.id == draft)
                        .values(segment={"tags_in": ["vip"], "tags_out": ["vip"]}))
    refusal = "#vip is both wanted and left out: no fan can match"
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        await _list(pilot, 1)
        composer = await _edit(pilot)
        assert composer.draft_id == draft
        assert composer.query_one("#campaign-tags_out", Input).value == "vip"
        count = composer.query_one("#campaign-count", Static)
        await wait_for(pilot, lambda: str(count.render()) == refusal)
        await press(pilot, "ctrl+l")
        await wait_for(pilot, lambda: f"Not started: {refusal}" in [
            n.message for n in app._notifications])  # noqa: SLF001
        assert isinstance(app.screen, CampaignComposer)


async def test_a_start_typed_in_the_burst_of_ctrl_l_is_refused_as_not_scheduled(
    world: World,  # noqa: F811
) -> None:
    """A start time typed and ctrl+l in one burst: the refusal followed the footer's
    "Start…", not yet moved by the field's change, and said "Not started" of a campaign
    meant for later. It is worded from the start field as ctrl+l reads it."""
    app = world.app()
    async with app.run_test(size=(140, 44)) as pilot:
        composer = await _new(pilot)
        composer.query_one("#campaign-text", TextArea).load_text("hi")
        await press(pilot, "ctrl+down", "ctrl+down", "ctrl+down")  # to the start field
        assert composer.focused is composer.query_one("#campaign-at", Input)
        burst(app, *"2026-11-20 11:00", "ctrl+l")  # an hour before the app's clock
        await _refused(pilot, "Not scheduled: the start time 2026-11-20 11:00 UTC is in the past")
        assert app.screen is composer
    assert _campaigns(world) == []
