"""The conversation list's preview names who sent the last message."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.store.models import Conversation
from tests.tui.conftest import World
from tests.tui.pilot import conversations, lines, settle

pytestmark = pytest.mark.anyio


async def test_another_chatters_last_message_is_theirs_by_name(world: World) -> None:
    """The chatter ("tester") sees "You:" for their own last message and one sent outside
    ofcrm, another chatter's name for theirs, nothing for the fan's."""
    db, account_id = world.context.db, world.account.id
    top = inbox.conversations_window(db, account_id, InboxFilter(), 0, 4, anchor=None)
    summaries = [("out", "sam", "race sam"), ("out", "tester", "race mine"),
                 ("out", None, "race web"), ("in", None, "race fan")]
    with db.write() as session:
        for row, (direction, by, text) in zip(top, summaries, strict=True):
            session.execute(update(Conversation).where(Conversation.id == row.conversation_id)
                            .values(last_message_direction=direction, last_message_sent_by=by,
                                    last_message_preview=text))
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = "\n".join(lines(conversations(pilot)))
        assert "sam: race sam" in shown and "You: race mine" in shown, shown
        assert "You: race web" in shown and "You: race sam" not in shown
        assert "race fan" in shown and ": race fan" not in shown
