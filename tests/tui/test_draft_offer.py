"""A PPV draft keeps its whole offer, free previews included, across switches and restarts."""

from __future__ import annotations

import pytest

from ofcrm_tui.core.inbox import drafts
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from tests.tui.conftest import World
from tests.tui.pilot import composer, conversations, press, settle

pytestmark = pytest.mark.anyio


async def test_a_ppv_draft_keeps_its_preview_across_switches_and_restarts(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        first = conversations(pilot).cursor_row
        await pilot.press(*"a peek for you")
        await press(pilot, "ctrl+o")
        assert isinstance(app.screen, OfferDialog)
        await pilot.press(*"25")
        # The first vault item as the media, and the same item as its free preview.
        await press(pilot, "tab", "space", "tab", "space", "ctrl+s")
        offer = composer(pilot).offer
        assert offer.price_cents == 2500
        assert len(offer.media_ids) == 1 and offer.preview_ids == offer.media_ids
        assert "1 preview" in str(composer(pilot).border_subtitle)

        await press(pilot, "escape", "j", "enter")
        assert composer(pilot).target.fan.conversation_id != first.conversation_id
        assert composer(pilot).offer.preview_ids == ()
        saved = drafts.load_draft(world.context.db, world.account.id, first.conversation_id,
                                  "tester")
        assert saved == drafts.Draft(
            "a peek for you", 2500, offer.media_ids, offer.preview_ids
        )

        await press(pilot, "k", "enter")
        assert composer(pilot).target.fan.conversation_id == first.conversation_id
        assert composer(pilot).text == "a peek for you"
        assert composer(pilot).offer == offer
        assert "1 preview" in str(composer(pilot).border_subtitle)
        await press(pilot, "escape", "q")

    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert conversations(pilot).cursor_row.conversation_id == first.conversation_id
        assert composer(pilot).offer == offer
