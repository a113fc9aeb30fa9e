"""A chatter's app in team mode (no jobs) follows what the workers write, on SQLite and
PostgreSQL: fan messages and tips, sends, other chatters' queued messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from textual.notifications import Notification, Notify

from ofcrm_tui.store.models import Conversation, Message, OutboundMessage, Transaction
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.sanitize import clean
from tests.team.conftest import NOW, Team
from tests.tui.pilot import conversations, inbox, press, settle, thread, wait_for

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
EVERY = 0.2
WAIT = 10 * EVERY + 3
BIG = 10**17  # above the generated platform ids


def _fan_writes(crew: Team, conversation_id: int, platform_id: int, text: str, *,
                tip_cents: int = 0, seconds: int) -> None:
    """What a worker's poll writes for a fan's message (and its tip)."""
    at = NOW + timedelta(seconds=seconds)
    fan_id = crew.fans[conversation_id]
    with crew.db.write() as session:
        session.add(Message(
            account_id=crew.account.id, conversation_id=conversation_id, fan_id=fan_id,
            platform_message_id=platform_id, direction="in", text=text, is_tip=tip_cents > 0,
            tip_cents=tip_cents, created_at=at))
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(
            last_message_at=at, last_fan_message_at=at, last_message_preview=text,
            last_message_direction="in", last_platform_message_id=platform_id,
            unread_count=Conversation.unread_count + 1))
        if tip_cents:
            session.add(Transaction(
                account_id=crew.account.id, platform_transaction_id=f"t{platform_id}",
                fan_id=fan_id, type="tip", amount_cents=tip_cents, net_cents=tip_cents,
                fee_cents=0, created_at=at))


def _worker_sends(crew: Team, platform_id: int, *, seconds: int) -> None:
    """What a worker's drain writes for the one queued message."""
    at = NOW + timedelta(seconds=seconds)
    with crew.db.write() as session:
        row = session.scalars(select(OutboundMessage)).one()
        row.state, row.platform_message_id, row.sent_at = "sent", platform_id, at
        session.add(Message(
            account_id=crew.account.id,
            conversation_id=next(c for c, f in crew.fans.items() if f == row.fan_id),
            fan_id=row.fan_id, platform_message_id=platform_id, direction="out", text=row.text,
            sent_by=row.created_by, created_at=at))


async def test_a_team_app_shows_what_the_workers_write_without_a_key(
    crew: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", EVERY)
    ana = crew.app("ana", team_mode=True, notify_inbound="all")
    # Every notice given, also those gone by the end (a loaded machine's run outlasted
    # the fan's notice, and the app's list of notices no longer had it).
    told: list[Notification] = []

    def hook(message: object) -> None:
        if isinstance(message, Notify):
            told.append(message.notification)

    async with ana.run_test(size=SIZE, message_hook=hook) as a:
        await press(a, "enter")  # the first conversation is open
        assert ana.keyless and ana.jobs is None
        rows = conversations(a)
        opened, other = crew.conversations[0], crew.conversations[3]
        name = clean(rows.row_at(3).display_name, single_line=True)
        _fan_writes(crew, opened, BIG + 1, "still there?", seconds=60)
        _fan_writes(crew, other, BIG + 2, "for you", tip_cents=1500, seconds=61)
        await wait_for(a, lambda: thread(a).stored[-1].text == "still there?", WAIT)
        await wait_for(a, lambda: rows.row_at(0).conversation_id == other, WAIT)
        await wait_for(a, lambda: any(n.title == name for n in told), WAIT)
        assert [n.message for n in told if n.title == name] == ["Tip $15.00 · for you"]

        await press(a, "r")
        await a.press(*"coming")
        await press(a, "ctrl+s")
        assert [m.state for m in thread(a).pending] == ["queued"]
        _worker_sends(crew, BIG + 3, seconds=62)
        await wait_for(a, lambda: thread(a).pending == [], WAIT)
        assert (thread(a).stored[-1].text, thread(a).stored[-1].state) == ("coming", "sent")
        assert inbox(a).open_row.conversation_id == opened

        await settle(a)
        assert [n.title for n in told].count(name) == 1
