"""A conversation marked unread here stays unread through the polls (the platform has
no unread mark, and counts the chat read) until it is read here."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.core import inbox
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan
from tests.support.accounts import add_simulated_account


def _unread(db: Database, conversation_id: int) -> int:
    with db.read() as session:
        return session.scalar(
            select(Conversation.unread_count).where(Conversation.id == conversation_id))


@pytest.fixture
def newest(db: Database, simulator, monkeypatch):  # noqa: ANN001, ANN201
    """(simulator, client, account id, the platform's newest chat's fan and conversation
    id), fully synced, the chat read on the platform."""
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    client = PlatformClient(base_url, sim.config.token)
    with sim.lock:
        fan = sim.world.recent_chats()[0]
        sim.world.mark_read(fan)
    InboundSync(db, account.id, client).full()
    with db.read() as session:
        conversation_id = session.scalar(
            select(Conversation.id).join(Fan, Fan.id == Conversation.fan_id)
            .where(Fan.account_id == account.id, Fan.platform_user_id == fan))
    yield sim, client, account.id, fan, conversation_id
    client.close()


def test_marked_unread_stays_unread_through_polls_until_read_here(
    db: Database, newest  # noqa: ANN001
) -> None:
    sim, client, account_id, fan, conversation_id = newest
    poll = InboundSync(db, account_id, client).poll
    assert _unread(db, conversation_id) == 0  # read on the platform

    inbox.mark_unread_locally(db, account_id, conversation_id)
    poll()  # the platform says 0 for its newest chat
    assert _unread(db, conversation_id) == 1
    with sim.lock:  # a reply sent elsewhere: a new message, still read there
        sim.world.add_message(fan, outbound=True, html="on my way")
    poll()
    assert _unread(db, conversation_id) == 1
    sim.add_inbound_message(fan, "one")
    sim.add_inbound_message(fan, "two")
    poll()
    assert _unread(db, conversation_id) == 2  # the platform's own count, above the mark
    with sim.lock:
        sim.world.mark_read(fan)
    poll()
    assert _unread(db, conversation_id) == 1  # read there, still marked here

    inbox.mark_read_locally(db, account_id, conversation_id)
    poll()
    assert _unread(db, conversation_id) == 0  # read here: the mark is gone
    sim.add_inbound_message(fan, "three")
    poll()
    assert _unread(db, conversation_id) == 1
    with sim.lock:
        sim.world.mark_read(fan)
    poll()
    assert _unread(db, conversation_id) == 0
