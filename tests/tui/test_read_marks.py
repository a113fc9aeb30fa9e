"""Read marks: a chat read while the platform is unreachable says so in one short line,
and a conversation marked unread again (``M``, here only) stays unread while shown,
until the chatter opens it again or goes into it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxError
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.platform.errors import Unreachable
from ofcrm_tui.store.models import Conversation
from ofcrm_tui.tui.messages import DataChanged
from tests.support.log_records import LogRecords, records_fixture  # noqa: F401 - the fixture
from tests.tui.conftest import World
from tests.tui.pilot import conversations, press, settle
from tests.tui.pilot import inbox as inbox_screen

pytestmark = pytest.mark.anyio


def _unread(world: World, conversation_id: int) -> int:
    with world.context.db.read() as session:
        return int(session.scalar(select(Conversation.unread_count)
                                  .where(Conversation.id == conversation_id)) or 0)


def test_marked_unread_here_keeps_a_count_and_refuses_another_accounts(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    first = inbox.conversations_window(db, account_id, inbox.InboxFilter(), 0, 1)[0]
    inbox.mark_read_locally(db, account_id, first.conversation_id)
    assert inbox.mark_unread_locally(db, account_id, first.conversation_id) == 1
    assert _unread(world, first.conversation_id) == 1
    with db.write() as session:
        session.execute(Conversation.__table__.update()
                        .where(Conversation.id == first.conversation_id).values(unread_count=3))
    assert inbox.mark_unread_locally(db, account_id, first.conversation_id) == 3
    assert _unread(world, first.conversation_id) == 3  # its unread messages, kept
    with pytest.raises(InboxError, match="no conversation"):
        inbox.mark_unread_locally(db, account_id + 1, first.conversation_id)


async def test_M_marks_the_open_conversation_unread_until_it_is_gone_into(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox_screen(pilot)
        await press(pilot, "enter", "tab")  # opened and gone into: read
        opened = screen.open_row
        assert opened is not None and _unread(world, opened.conversation_id) == 0

        await press(pilot, "M")
        assert _unread(world, opened.conversation_id) == 1
        assert conversations(pilot).cursor_row.unread_count == 1  # shown unread
        assert screen.open_row.conversation_id == opened.conversation_id  # still shown
        assert screen.focused is conversations(pilot)
        # A new message while it is shown: not read for being open.
        app.changes.publish(DataChanged.of(
            "inbox", inbound=(NewInbound(opened.conversation_id, "Fan", "hi?", 0, 0),)))
        await settle(pilot)
        assert _unread(world, opened.conversation_id) == 1

        await press(pilot, "tab")  # into its thread: read again
        assert _unread(world, opened.conversation_id) == 0
        await press(pilot, "escape", "M")
        assert _unread(world, opened.conversation_id) == 1
        await press(pilot, "enter")  # opened again: read
        assert _unread(world, opened.conversation_id) == 0


async def test_M_with_nothing_open_marks_the_highlighted_row(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        second = conversations(pilot).cursor_row
        inbox.mark_read_locally(world.context.db, world.account.id, second.conversation_id)
        await press(pilot, "M")
        assert inbox_screen(pilot).open_row is None
        assert _unread(world, second.conversation_id) == 1
        assert conversations(pilot).row_at(1).unread_count == 1


async def test_a_chat_read_while_the_platform_is_unreachable_says_it_in_one_short_line(
    world: World, monkeypatch: pytest.MonkeyPatch, records: LogRecords
) -> None:
    """The toast was the whole error (endpoint, address, errno) though the status bar
    says the platform is unreachable: now one plain line, the details in the log."""
    def refused(self: PlatformClient, user_id: int) -> None:
        raise Unreachable("POST /chats/{userId}/mark-as-read", "http://127.0.0.1:9",
                          "[Errno 111] Connection refused")

    monkeypatch.setattr(PlatformClient, "mark_as_read", refused)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        opened = inbox_screen(pilot).open_row
        assert opened is not None and _unread(world, opened.conversation_id) == 0
        said = [n.message for n in app._notifications]
    assert said == ["Read here only: the platform is unreachable"]
    (logged,) = [line for line in records.at(logging.WARNING) if "mark-as-read" in line]
    assert "Errno 111" in logged and "127.0.0.1:9" in logged
