"""A fan deleted in ofcrm stays deleted: the sync's fans refresh, transactions and chats
leave them out until they write again (a message newer than the deletion), when they
come back as a new fan with it; adding them again (by hand, by import) lets the sync
bring them. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from ofcrm_tui.core.accounts import AccountInfo
from ofcrm_tui.core.fans import csv_import, deleted, edits
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.simulator import Simulator
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, DeletedFan, Fan, Message, Transaction
from tests.core.test_sync import CountingClient
from tests.support.accounts import add_simulated_account

World = tuple[Simulator, AccountInfo, CountingClient]


@pytest.fixture
def world(db: Database, simulator, monkeypatch) -> Iterator[World]:  # noqa: ANN001
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    client = CountingClient(base_url, sim.config.token)
    InboundSync(db, account.id, client).full()
    yield sim, account, client
    client.close()


def _fan(db: Database, account_id: int, user_id: int) -> Fan | None:
    with db.read() as session:
        return session.scalar(select(Fan).where(
            Fan.account_id == account_id, Fan.platform_user_id == user_id))


def _delete(db: Database, sim: Simulator, account_id: int, user_id: int) -> datetime:
    """Delete the fan as the app does; the deletion is dated a minute after everything
    the simulator holds (whatever the clock), and that time returned."""
    fan = _fan(db, account_id, user_id)
    assert fan is not None
    edits.delete_fan(db, account_id, fan.id)
    with sim.lock:
        latest = max(m.created for chat in sim.world.chats.values() for m in chat.messages)
    at = datetime.fromtimestamp(latest, UTC) + timedelta(minutes=1)
    with db.write() as session:
        session.execute(update(DeletedFan).where(DeletedFan.platform_user_id == user_id)
                        .values(deleted_at=at))
    return at


def _message(sim: Simulator, user_id: int, text: str, at: datetime, *, outbound: bool) -> None:
    """A message in the fan's chat at ``at``."""
    with sim.lock:
        message = sim.world.add_message(user_id, outbound=outbound, html=text)
        message.created = at.timestamp()


def _is_deleted(db: Database, account_id: int, user_id: int) -> bool:
    with db.read() as session:
        return user_id in deleted.when_deleted(session, account_id, [user_id])


def test_the_sync_does_not_make_a_fan_deleted_here_again(db: Database, world: World) -> None:
    """Neither a poll nor a full sync (fans refresh, transactions, chats) brings them; a
    payment of theirs is kept, unlinked; their chat, older than the deletion, is not read."""
    sim, account, client = world
    user = sim.world.recent_chats()[0]  # the newest chat: every poll walks past it
    _delete(db, sim, account.id, user)
    with sim.lock:
        sim.world.add_transaction(user, "tip", 500)
    fans = len(sim.fan_ids()) - 1
    client.requests.clear()
    InboundSync(db, account.id, client).poll()
    InboundSync(db, account.id, client).full()
    assert _fan(db, account.id, user) is None
    assert not any(f"/chats/{user}/" in path for path in client.requests)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Fan)) == fans
        theirs = session.execute(select(Transaction.amount_cents, Transaction.fan_id).where(
            Transaction.platform_user_id == user)).all()
    assert (500, None) in theirs and {fan for _, fan in theirs} == {None}
    assert _is_deleted(db, account.id, user)


def test_a_deleted_fan_who_writes_again_comes_back_with_that_message(
    db: Database, world: World
) -> None:
    """The creator writing to them on the platform does not bring them back; their own
    message does: a new fan, the messages since the deletion, the record gone."""
    sim, account, client = world
    user = sim.world.recent_chats()[1]
    at = _delete(db, sim, account.id, user)
    _message(sim, user, "still there?", at + timedelta(seconds=30), outbound=True)
    InboundSync(db, account.id, client).poll()
    assert _fan(db, account.id, user) is None

    _message(sim, user, "I'm back", at + timedelta(seconds=60), outbound=False)
    report = InboundSync(db, account.id, client).poll()
    fan = _fan(db, account.id, user)
    assert fan is not None
    assert [m.text for m in report.new_inbound] == ["I'm back"]
    with db.read() as session:
        texts = session.scalars(select(Message.text).where(Message.fan_id == fan.id)
                                .order_by(Message.platform_message_id)).all()
    assert texts == ["still there?", "I'm back"]
    assert not _is_deleted(db, account.id, user)
    InboundSync(db, account.id, client).full()  # and stays, once
    again = _fan(db, account.id, user)
    assert again is not None and again.id == fan.id


def test_adding_a_deleted_fan_again_lets_the_sync_bring_them(
    db: Database, world: World, tmp_path: Path
) -> None:
    """By hand (a username, any case, as the app adds one) or by import (a user id): the
    record goes and the next sync links them, chat and all."""
    sim, account, client = world
    by_hand, imported = sim.world.recent_chats()[2:4]
    for user in (by_hand, imported):
        _delete(db, sim, account.id, user)
    username = sim.world.fans[by_hand].username
    hand_id = edits.create_fan(db, account.id, username=username.upper())
    path = tmp_path / "fans.csv"
    path.write_text(f"user_id,username\n{imported},{sim.world.fans[imported].username}\n",
                    encoding="utf-8")
    assert csv_import.import_fans(db, account.id, path, author="sam").created == 1
    assert not _is_deleted(db, account.id, by_hand) and not _is_deleted(db, account.id, imported)

    InboundSync(db, account.id, client).full()
    linked = _fan(db, account.id, by_hand)
    assert linked is not None and linked.id == hand_id
    with db.read() as session:
        chats = session.scalars(select(Conversation.fan_id).join(Fan).where(
            Fan.platform_user_id.in_([by_hand, imported]))).all()
    assert len(chats) == 2
