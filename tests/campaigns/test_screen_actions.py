"""The campaigns screen: the cancel question counts what it stops, a draft is deleted
with D (after a question), the detail names a PPV's price and media, and the rows have
the margin every list has."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from textual.widgets import OptionList, Static

from ofcrm_tui.core import campaigns, inbox
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.widgets.campaign_list import RecipientList
from tests.campaigns.test_screen_edit import _list
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import NOW, World
from tests.tui.pilot import lines, press, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio
SIZES = [(160, 45), (80, 24)]


async def _question(pilot, key: str) -> list[str]:  # noqa: ANN001
    """``key`` pressed: the choices of the question it asks."""
    await press(pilot, key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog))
    options = pilot.app.screen.query_one(OptionList)
    await wait_for(pilot, lambda: options.option_count == 2)
    return [str(options.get_option_at_index(i).prompt) for i in range(2)]


def _notes(app) -> list[str]:  # noqa: ANN001
    return [n.message for n in app._notifications]  # noqa: SLF001


def _ids(world: World) -> list[int]:
    with world.context.db.read() as session:
        return list(session.scalars(select(Campaign.id).order_by(Campaign.id)))


async def test_the_cancel_question_counts_the_waiting_and_failed_messages(
    world: World,  # noqa: F811
) -> None:
    """A running campaign showing ``failed 1``: the question said "unsent messages are
    never sent", and the failed one went too, uncounted."""
    db, account_id = world.context.db, world.account.id
    created = campaigns.create(db, account_id, CampaignSpec("Drop", "hi"), created_by="me",
                               now=NOW)
    with db.write() as session:
        first = session.scalar(select(OutboundMessage.id).order_by(OutboundMessage.id))
        session.execute(update(OutboundMessage).where(OutboundMessage.id == first)
                        .values(state="failed"))
    waiting = created.recipients - 1
    said = (f"{waiting} waiting messages and 1 failed message will never be sent")
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await _list(pilot, 1)
        assert await _question(pilot, "x") == ["Keep the campaign", f"Cancel Drop: {said}"]
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: f"Cancelled campaign #1: {said}" in _notes(app))


async def test_a_draft_cancelled_has_sent_nothing_and_a_done_one_is_refused_at_once(
    world: World,  # noqa: F811
) -> None:
    db, account_id = world.context.db, world.account.id
    done = campaigns.create(db, account_id, CampaignSpec("Done", "hi"), created_by="me",
                            now=NOW).campaign_id
    with db.write() as session:
        session.execute(update(OutboundMessage).values(state="sent"))
        session.execute(update(Campaign).values(status="done"))
    campaigns.save_draft(db, account_id, CampaignSpec("Draft", "hi"), created_by="me")
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await _list(pilot, 2)
        assert (await _question(pilot, "x"))[1] == "Cancel Draft: nothing has been sent"
        await press(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        await press(pilot, "j", "x")  # the done one: no question, the reason
        await wait_for(pilot, lambda: any("no message left to cancel" in n for n in _notes(app)))
        assert isinstance(app.screen, CampaignsScreen)
    with db.read() as session:
        assert session.scalar(select(Campaign.status).where(Campaign.id == done)) == "done"


async def test_d_deletes_a_draft_after_a_question_and_refuses_a_running_campaign(
    world: World,  # noqa: F811
) -> None:
    """``#3 cancelled QA draft`` stayed in the list for good: a draft (or one cancelled
    before it started) is deleted; the open one's panel closes with it."""
    db, account_id = world.context.db, world.account.id
    running = campaigns.create(db, account_id, CampaignSpec("Now", "hi"), created_by="me",
                               now=NOW).campaign_id
    stopped = campaigns.save_draft(db, account_id, CampaignSpec("QA draft", "hi"),
                                   created_by="me")
    campaigns.cancel(db, account_id, stopped)
    draft = campaigns.save_draft(db, account_id, CampaignSpec("Idea", "hi"), created_by="me")
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        listing = await _list(pilot, 3)
        assert listing.cursor_row.id == draft
        await press(pilot, "enter")  # open: D in the recipients pane acts on it
        screen = app.screen
        assert screen.opened.id == draft
        assert await _question(pilot, "D") == ["Keep the campaign", "Delete Idea: it goes for good"]
        await press(pilot, "enter")  # Enter by habit keeps it
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        assert _ids(world) == [running, stopped, draft]
        await _question(pilot, "D")
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: listing.count == 2 and _ids(world) == [running, stopped])
        assert f"Deleted campaign #{draft} Idea" in _notes(app)
        assert screen.opened is None and screen.focused is listing
        await wait_for(pilot, lambda: listing.cursor_row is not None)
        assert listing.cursor_row.id == stopped
        await _question(pilot, "D")
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: listing.count == 1 and _ids(world) == [running])
        await press(pilot, "D")  # running: no question, the reason
        await wait_for(pilot, lambda: any("only a draft" in n for n in _notes(app)))
        assert isinstance(app.screen, CampaignsScreen) and _ids(world) == [running]


@pytest.mark.parametrize("size", SIZES)
async def test_the_detail_names_a_ppvs_price_and_media(
    world: World, size: tuple[int, int]  # noqa: F811
) -> None:
    """``#2 QA PPV sched — scheduled`` said neither its $9.99 nor its 2 media; a free
    text campaign says nothing more."""
    db, account_id = world.context.db, world.account.id
    media = tuple(item.id for item in inbox.vault_media(db, account_id)[:2])
    campaigns.save_draft(db, account_id, CampaignSpec("Free", "hi"), created_by="me")
    campaigns.create(db, account_id, CampaignSpec(
        "QA PPV sched", "Unlock this {username}", price_cents=999, media_ids=media,
        at=NOW + timedelta(days=1)), created_by="me", now=NOW)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        listing = await _list(pilot, 2)
        summary = app.screen.query_one("#campaign-summary", Static)
        await press(pilot, "enter")
        shown = lines(summary)
        assert shown[0].strip() == "#2 QA PPV sched — scheduled · $9.99 PPV · 2 media", shown
        await press(pilot, "escape", "j", "enter")
        assert listing.cursor_row.name == "Free"
        shown = lines(summary)
        assert shown[0].strip() == "#1 Free — draft", shown


async def test_campaign_and_recipient_rows_have_the_lists_margin(world: World) -> None:  # noqa: F811
    """``│#1    running``: every other list keeps a column before its rows."""
    campaigns.create(world.context.db, world.account.id, CampaignSpec("Drop", "hi"),
                     created_by="me", now=NOW)
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        listing = await _list(pilot, 1)
        assert lines(listing)[0].startswith(" #1    running   Drop ")
        await press(pilot, "enter")
        recipients = app.screen.query_one(RecipientList)
        await wait_for(pilot, lambda: recipients.count > 0 and recipients.cursor_row is not None)
        assert lines(recipients)[0].startswith(" queued    ")


async def test_the_pane_shows_the_campaign_a_question_is_about(world: World) -> None:  # noqa: F811
    """``#3 Big run`` open, the list's cursor moved to ``#2 Draft only``, D: the question
    named #2 while the pane showed #3. The pane follows the row asked about."""
    db, account_id = world.context.db, world.account.id
    campaigns.save_draft(db, account_id, CampaignSpec("First", "hi"), created_by="me")
    draft = campaigns.save_draft(db, account_id, CampaignSpec("Draft only", "hi"),
                                 created_by="me")
    campaigns.create(db, account_id, CampaignSpec("Big run", "hi"), created_by="me", now=NOW)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _list(pilot, 3)
        screen = app.screen
        summary = screen.query_one("#campaign-summary", Static)
        await press(pilot, "enter")
        assert lines(summary)[0].startswith(f"#{listing.cursor_row.id} ")
        await press(pilot, "tab")
        opened = screen.opened.id
        await press(pilot, "j" if listing.cursor_row.id > draft else "k")  # the newest first
        assert listing.cursor_row.id == draft != opened
        assert await _question(pilot, "D") == ["Keep the campaign",
                                               "Delete Draft only: it goes for good"]
        assert screen.opened.id == draft
        assert lines(summary)[0].startswith(f"#{draft} Draft only — draft")


async def test_a_campaigns_results_keep_a_margin_on_the_right(world: World) -> None:  # noqa: F811
    """``#1 done QA blast … revenue $50.00│`` ran into the right border at 80x24."""
    db, account_id = world.context.db, world.account.id
    media = tuple(item.id for item in inbox.vault_media(db, account_id)[:1])
    campaigns.create(db, account_id, CampaignSpec(
        "QA blast with a name longer than the row " * 2, "hi", price_cents=500,
        media_ids=media), created_by="me", now=NOW)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        listing = await _list(pilot, 1)
        first = lines(listing)[0]
        assert first.startswith(" #1 ") and first.endswith("revenue $0.00 "), first
