"""An account on each gateway, added, synced and polled end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ofcrm_tui import secrets
from ofcrm_tui.core.accounts import AccountError, add_account, list_accounts
from ofcrm_tui.core import sync
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.clients import client_for
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan, Message, Transaction
from tests.gateways.conftest import ACCOUNT_ID, SKINS, TOKEN, make_sim


@pytest.mark.parametrize("skin", SKINS)
def test_add_sync_and_poll_through_the_gateway(db: Database, skin: str, monkeypatch) -> None:  # noqa: ANN001
    sim = make_sim(skin)
    monkeypatch.setenv(secrets.env_var_name("mia"), TOKEN)
    monkeypatch.setattr(sync, "TRANSACTIONS_EVERY", timedelta(0))  # every poll reads them
    with sim.serve() as base_url:
        account = add_account(
            db, "mia", base_url, TOKEN, send_limit_per_minute=10, timeout_seconds=5,
            gateway=skin, gateway_account=ACCOUNT_ID[skin],
        )
        assert (account.gateway, account.gateway_account) == (skin, ACCOUNT_ID[skin])
        assert list_accounts(db)[0].gateway == skin
        with client_for(account, TOKEN, timeout=5) as client:
            report = InboundSync(db, account.id, client).full()
            world = sim.world
            with db.read() as session:
                assert session.scalar(select(func.count(Fan.id))) == len(world.fans) == report.fans
                amounts = session.scalar(select(func.sum(Transaction.amount_cents)))
                assert amounts == sum(t.amount for t in world.transactions)
                ids = set(session.scalars(select(Transaction.platform_transaction_id)))
            assert len(ids) == len(world.transactions)
            fan_id = sim.active_fan_ids()[0]
            sim.add_inbound_message(fan_id, "a tip <3 & more", tip_cents=1234)
            polled = InboundSync(db, account.id, client).poll()
            assert polled.transactions == 1 and polled.messages >= 1
            with db.read() as session:
                texts = set(session.scalars(select(Message.text)))
                newest = session.scalar(
                    select(Transaction).order_by(Transaction.created_at.desc(), Transaction.id.desc())
                )
            assert "a tip <3 & more" in texts
            assert newest.amount_cents == 1234 and newest.type == "tip"
            again = InboundSync(db, account.id, client).poll()
            assert again.transactions == 0


@pytest.mark.parametrize("skin", ["ofauth", "onlyfansapi"])
def test_adding_with_a_wrong_key_says_what_failed(db: Database, skin: str) -> None:
    sim = make_sim(skin)
    with sim.serve() as base_url, pytest.raises(AccountError) as caught:
        add_account(
            db, "mia", base_url, "wrong", send_limit_per_minute=10, timeout_seconds=5,
            gateway=skin, gateway_account=ACCOUNT_ID[skin],
        )
    assert "refused" in str(caught.value) and skin in str(caught.value)
    assert list_accounts(db) == []


def test_a_gateway_needs_its_account_id(db: Database) -> None:
    with pytest.raises(AccountError, match="connection id"):
        add_account(
            db, "mia", "http://127.0.0.1:9", TOKEN, send_limit_per_minute=10, timeout_seconds=1,
            gateway="ofauth",
        )
