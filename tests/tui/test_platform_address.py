"""The app's own platform calls follow the account's address as the database has it: one
changed elsewhere while the app runs (the jobs already followed it) is used from the
next call, without a restart."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ofcrm_tui.core.accounts import AccountError, account_ref
from ofcrm_tui.simulator import Simulator
from ofcrm_tui.store.models import Account
from tests.tui.conftest import World
from tests.tui.pilot import inbox, press, settle

pytestmark = pytest.mark.anyio


def _unread(sim: Simulator, user_id: int) -> int:
    with sim.lock:
        return sim.world.chats[user_id].unread


async def test_a_chat_read_after_the_address_moved_is_marked_read_at_the_new_one(
    world: World,
) -> None:
    moved = Simulator(world.sim.config)  # the same platform, served at another address
    app = world.app()
    with moved.serve() as new_url:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "u")  # opened: marked read at the address the app started on
            first = inbox(pilot).open_row
            assert first is not None and first.platform_user_id is not None
            assert _unread(world.sim, first.platform_user_id) == 0
            assert _unread(moved, first.platform_user_id) > 0

            with world.context.db.write() as session:
                session.execute(update(Account).where(Account.id == world.account.id)
                                .values(base_url=new_url))
            await press(pilot, "u")
            second = inbox(pilot).open_row
            assert second is not None and second.platform_user_id is not None
            assert second.conversation_id != first.conversation_id
            assert _unread(moved, second.platform_user_id) == 0
            assert _unread(world.sim, second.platform_user_id) > 0  # not the old address
            said = [n.message for n in app._notifications]
    assert not any("platform" in line for line in said), said


def test_the_address_is_the_databases_and_a_removed_account_is_said(world: World) -> None:
    db, account = world.context.db, world.account
    with db.write() as session:
        session.execute(update(Account).where(Account.id == account.id)
                        .values(base_url="http://127.0.0.1:9", gateway_account="x"))
    ref = account_ref(db, account.id)
    assert (ref.id, ref.name, ref.base_url, ref.gateway, ref.gateway_account) == (
        account.id, account.name, "http://127.0.0.1:9", account.gateway, "x")
    with pytest.raises(AccountError, match="the account was removed"):
        account_ref(db, account.id + 1)
