"""Opt-in: the read-only part of the suite against the OFAuth sandbox.

Set OFCRM_LIVE_OFAUTH_KEY and OFCRM_LIVE_OFAUTH_CONNECTION (and optionally
OFCRM_LIVE_OFAUTH_BASE_URL) to run it; nothing is sent or marked read.
"""

from __future__ import annotations

import os

import pytest

from ofcrm_tui.platform.ofauth import DEFAULT_BASE_URL, OFAuthClient

KEY = os.environ.get("OFCRM_LIVE_OFAUTH_KEY")
CONNECTION = os.environ.get("OFCRM_LIVE_OFAUTH_CONNECTION")

pytestmark = pytest.mark.skipif(
    not (KEY and CONNECTION),
    reason="live OFAuth check: set OFCRM_LIVE_OFAUTH_KEY and OFCRM_LIVE_OFAUTH_CONNECTION "
    "(a sandbox key and connection) to run it",
)


def test_reads_through_the_sandbox() -> None:
    assert KEY and CONNECTION
    base_url = os.environ.get("OFCRM_LIVE_OFAUTH_BASE_URL", DEFAULT_BASE_URL)
    with OFAuthClient(base_url, KEY, gateway_account=CONNECTION, timeout=30) as client:
        me = client.me()
        assert me.id > 0 and me.username
        fans = client.subscribers_page(limit=10)
        assert all(user.id > 0 for user in fans.items)
        chats = client.chats_page(limit=10)
        for chat in chats.items[:2]:
            page = client.messages_page(chat.with_user.id, limit=5)
            assert all(message.id > 0 for message in page.items)
        transactions = client.transactions_page(limit=5)
        assert all(t.id and t.amount_cents >= 0 for t in transactions.items)
        client.media_page(limit=5)
