"""The campaigns footer offers the keys that act on the highlighted campaign's state (a
draft: e and D, not p, r and R), as the cursor, the focus and the campaign's state
move; a key pressed anyway says why not, its line replacing the last refusal; a retry
says what it did as the Failed screen says it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.tui.app import OfcrmApp
from tests.campaigns.test_screen_edit import _list
from tests.tui import conftest as tui_fixtures
from tests.tui.conftest import NOW, World
from tests.tui.pilot import press, wait_for

world = tui_fixtures.world  # the app's fixture, for the tests here

pytestmark = pytest.mark.anyio

DRAFT = ["enter", "n", "e", "x", "D", "escape", "question_mark", "q"]
RUNNING = ["enter", "n", "p", "x", "escape", "question_mark", "q"]


def _keys(app: OfcrmApp) -> list[str]:
    """The keys the footer names, each drawn whole within the width (the palette's
    key, on the right where there is room, left out)."""
    keys = list(app.screen.query(FooterKey))
    width = app.screen.size.width
    assert all(0 < k.region.width and k.region.right <= width for k in keys), \
        [(k.key, k.region) for k in keys]
    return [key.key for key in keys if key.key != "ctrl+p"]


def _notes(app: OfcrmApp) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001


def _running(world: World, name: str = "Now") -> int:
    return campaigns.create(world.context.db, world.account.id, CampaignSpec(name, "hi"),
                            created_by="me", now=NOW).campaign_id


def _fail(world: World, campaign_id: int, count: int) -> None:
    with world.context.db.write() as session:
        ids = list(session.scalars(select(OutboundMessage.id)
                                   .where(OutboundMessage.campaign_id == campaign_id)
                                   .order_by(OutboundMessage.id).limit(count)))
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(ids))
                        .values(state="failed", last_error="refused"))


async def test_a_draft_offers_edit_and_delete_and_a_running_one_pause_at_80_columns(
    world: World,  # noqa: F811
) -> None:
    """At 80x24 a draft offered p Pause, r Resume and R Retry failed and hid D Delete
    draft, the one key besides e that acts on it; a done campaign with nothing failed
    offered p, r, x and R, none of which applies to it."""
    done = _running(world, "Done")
    with world.context.db.write() as session:
        session.execute(update(OutboundMessage).values(state="sent"))
        session.execute(update(Campaign).where(Campaign.id == done).values(status="done"))
    _running(world)
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Idea", "hi"),
                         created_by="me")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _list(pilot, 3)  # the newest first: the draft
        await wait_for(pilot, lambda: _keys(app) == DRAFT)
        await press(pilot, "j")  # the running one
        assert _keys(app) == RUNNING
        await press(pilot, "j")  # the done one: nothing but new
        assert _keys(app) == ["enter", "n", "escape", "question_mark", "q"]
        await press(pilot, "g")
        assert _keys(app) == DRAFT


async def test_the_footer_follows_the_campaigns_state_and_the_pane_in_focus(
    world: World,  # noqa: F811
) -> None:
    """Running with a failed message, a campaign offers p Pause and R Retry failed;
    paused, r Resume in their place (its failed ones are retried once it runs). The
    keys act on the open campaign once its recipients have the focus: the footer offers
    what applies to it, not to the list's row."""
    running = _running(world)
    _fail(world, running, 1)
    campaigns.save_draft(world.context.db, world.account.id, CampaignSpec("Idea", "hi"),
                         created_by="me")
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        listing = await _list(pilot, 2)
        await press(pilot, "j", "enter")  # open the running one: its recipients focused
        assert _keys(app) == ["enter", "n", "p", "x", "R", "escape", "question_mark", "q"]
        await press(pilot, "tab", "k")  # the list, on the draft
        assert listing.cursor_row.status == "draft"
        assert _keys(app) == DRAFT
        await press(pilot, "tab")  # the recipients: the open campaign again
        await press(pilot, "p")
        await wait_for(pilot, lambda: "r" in _keys(app))
        assert _keys(app) == ["enter", "n", "r", "x", "escape", "question_mark", "q"]
        # R pressed anyway says why not (it said only what may be retried).
        await press(pilot, "R")
        await wait_for(pilot, lambda: any("paused" in note for note in _notes(app)))
        assert _notes(app)[-1] == (
            f"1 belongs to paused campaign #{running}: resume it first")


async def test_keys_that_do_not_apply_say_why_in_one_line_not_three(
    world: World,  # noqa: F811
) -> None:
    """``r D e`` on a running campaign piled up three refusals; each still says why
    not, and replaces the one before it."""
    running = _running(world)
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await _list(pilot, 1)
        await press(pilot, "r")
        resumed = f"campaign #{running} is running: it cannot be resumed"
        await wait_for(pilot, lambda: _notes(app) == [resumed])
        await press(pilot, "D")
        await wait_for(pilot, lambda: _notes(app) != [resumed])
        assert len(_notes(app)) == 1 and "only a draft" in _notes(app)[0]
        await press(pilot, "e")
        assert _notes(app) == ["Only a draft or a scheduled campaign can be edited"]
        await press(pilot, "p")  # what a key did is not a refusal: it stays
        await wait_for(pilot, lambda: len(_notes(app)) == 2)
        assert _notes(app)[-1].startswith(f"Paused campaign #{running}")


async def test_a_campaigns_retry_is_worded_as_the_failed_screens(
    world: World,  # noqa: F811
) -> None:
    """Campaigns ``R`` said "Queued again: 2" where the Failed screen says "Queued
    again: 2 messages"."""
    running = _running(world)
    _fail(world, running, 2)
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await _list(pilot, 1)
        await press(pilot, "R")
        await wait_for(pilot, lambda: bool(_notes(app)))
        assert _notes(app) == ["Queued again: 2 messages"]


async def test_the_palettes_key_keeps_a_gap_at_80_columns(world: World) -> None:  # noqa: F811
    """A running campaign with failed messages at 80x24: ``… q Quit▏^p Commands``, the
    last key against the palette's border; a gap before it, or the palette's key left
    out (ctrl+p still opens it)."""
    running = _running(world)
    _fail(world, running, 1)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _list(pilot, 1)
        await wait_for(pilot, lambda: "R" in _keys(app))
        keys = [key for key in app.screen.query(FooterKey) if key.display]
        palette = [key for key in keys if key.key == "ctrl+p"]
        last = max((key for key in keys if key.key != "ctrl+p"), key=lambda k: k.region.right)
        assert last.key == "q"
        assert not palette or palette[0].region.x > last.region.right, (
            last.region, palette[0].region)
