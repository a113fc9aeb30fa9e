"""A campaign message is no reply: the chatter's figures after a campaign, and the
reply time of the chatter's real reply after it (from the fan's message it answers)."""

from __future__ import annotations

import csv
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import outbox, threads
from ofcrm_tui.core.analytics.chatters import ChatterStats, chatter_stats
from ofcrm_tui.core.analytics.period import last_days
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.text import text_to_html
from ofcrm_tui.store.models import Conversation, Message
from tests.outbox.conftest import World
from tests.outbox.test_reconcile import wire


def _ana(world: World) -> ChatterStats:
    with world.db.read() as session:
        _, stats = chatter_stats(session, world.account.id, last_days(2, tz=UTC))
    return next(s for s in stats if s.chatter == "ana")


def _message(world: World, outbound_id: int) -> Message:
    with world.db.read() as session:
        return session.scalars(select(Message).where(
            Message.platform_message_id == world.row(outbound_id).platform_message_id)).one()


def _summary(world: World, fan: int) -> tuple[str | None, str | None]:
    with world.db.read() as session:
        return tuple(session.execute(
            select(Conversation.last_message_direction, Conversation.last_message_sent_by)
            .where(Conversation.fan_id == fan)).one())


def test_a_campaign_is_no_reply_and_the_reply_after_it_waits_since_the_fan(
    world: World, tmp_path: Path
) -> None:
    fan = world.fans[0]
    sync = InboundSync(world.db, world.account.id, world.client)
    world.sim.add_inbound_message(world.platform_ids[fan], "are you there?")
    sync.poll()
    with world.db.read() as session:
        asked = session.scalars(select(Message).where(Message.fan_id == fan)
                                .order_by(Message.platform_message_id.desc())).first()
    assert asked.direction == "in"

    outbox.enqueue_many(world.db, world.account.id, [fan], "new set out now",
                        created_by="ana", campaign_id=None)
    [campaign] = world.sender().drain().sent
    sync.poll()  # the sync sees the campaign message too: still a campaign's
    sent = _message(world, campaign)
    assert (sent.is_campaign, sent.reply_seconds, sent.sent_by) == (True, None, "ana")
    assert (_ana(world).replies, _ana(world).p90_reply_seconds) == (0, None)
    assert _summary(world, fan) == ("out", "ana")

    reply = outbox.enqueue(world.db, world.account.id, fan, "yes, here", created_by="ana")
    assert world.sender().drain().sent == [reply]
    sync.poll()
    answer = _message(world, reply)
    waited = (answer.created_at - asked.created_at).total_seconds()
    assert not answer.is_campaign and abs(answer.reply_seconds - waited) < 0.01
    assert answer.created_at > sent.created_at > asked.created_at
    assert (_ana(world).replies, _ana(world).messages_sent) == (1, 2)

    target = tmp_path / "chatters.csv"
    assert main(["--db", world.db.url.render_as_string(hide_password=False), "export",
                 "analytics", str(target), "--account", world.account.name, "--days", "2",
                 "--tz", "UTC", "--chatters"]) == 0
    with target.open(newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["chatter"] == "ana")
    assert (row["messages_sent"], row["replies"]) == ("2", "1")
    assert abs(float(row["p90_reply_seconds"]) - waited) < 1


def test_a_campaign_message_the_sync_stored_first_is_made_a_campaigns(world: World) -> None:
    """Reconciliation stores a delivered message the sync may have stored already (not
    knowing who sent it, nor that a campaign did): its reply time goes, and the
    conversation's summary names its chatter."""
    fan, user = world.fans[1], world.platform_ids[world.fans[1]]
    sync = InboundSync(world.db, world.account.id, world.client)
    world.sim.add_inbound_message(user, "hello?")
    with world.sim.lock:  # delivered, its outbound row still unknown
        world.sim.world.add_message(user, outbound=True, html=text_to_html("new set"))
    sync.poll()
    with world.db.read() as session:
        stored = session.scalars(select(Message).where(Message.fan_id == fan)
                                .order_by(Message.platform_message_id.desc())).first()
    assert (stored.sent_by, stored.is_campaign) == (None, False)
    assert stored.reply_seconds is not None and _summary(world, fan) == ("out", None)
    with world.db.write() as session:
        threads.store_sent_message(
            session, world.account.id, fan,
            wire(stored.platform_message_id, stored.text, at=stored.created_at,
                 sender=world.account.creator_platform_id),
            sent_by="ana", is_campaign=True)
    with world.db.read() as session:
        again = session.get(Message, stored.id)
    assert (again.sent_by, again.is_campaign, again.reply_seconds) == ("ana", True, None)
    assert _summary(world, fan) == ("out", "ana")


def test_a_sync_that_looked_before_a_send_keeps_the_chatters_name(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync reads what it knows, then writes the chats it fetched: a message the
    sender stored in between is written again as the chat's last, still by its chatter."""
    fan, user = world.fans[2], world.platform_ids[world.fans[2]]
    sync = InboundSync(world.db, world.account.id, world.client)
    looked = sync._known_last_ids([user])[0][user]
    outbox.enqueue(world.db, world.account.id, fan, "hi from ana", created_by="ana")
    world.sender().drain()
    assert _summary(world, fan) == ("out", "ana")
    known = sync._known_last_ids

    def looked_before(ids: list[int]) -> tuple[dict[int, int | None], dict]:
        last_ids, gone = known(ids)
        return {**last_ids, user: looked}, gone

    monkeypatch.setattr(sync, "_known_last_ids", looked_before)
    sync.poll()
    assert _summary(world, fan) == ("out", "ana")
