"""Cancelling says what it stops (counted by state before asking, and after), and a
draft (or a campaign cancelled before it started) can be deleted; nothing else can."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignError, CampaignSpec, Segment, Unsent
from ofcrm_tui.store.models import Campaign, OutboundMessage
from tests.campaigns.conftest import NOW, World

BY = "chatter"


def _running(world: World) -> int:
    return campaigns.create(world.db, world.account, CampaignSpec("Run", "hi", Segment()),
                            created_by=BY, now=NOW).campaign_id


def _set_states(world: World, campaign_id: int, *states: str) -> None:
    """The campaign's first rows put in ``states``, in queue order."""
    with world.db.write() as session:
        ids = session.scalars(select(OutboundMessage.id).where(
            OutboundMessage.campaign_id == campaign_id).order_by(OutboundMessage.id)).all()
        for row_id, state in zip(ids, states, strict=False):
            session.execute(update(OutboundMessage).where(OutboundMessage.id == row_id)
                            .values(state=state))


def test_the_cancel_says_how_many_waiting_and_failed_messages_it_stops(world: World) -> None:
    """A running campaign with a failed row: the question named no count and the failed
    row went with the cancel; now both are counted, before and after."""
    campaign_id = _running(world)
    _set_states(world, campaign_id, "failed", "sending", "paused")  # the fourth is queued
    before = campaigns.unsent(world.db, world.account, campaign_id)
    assert before == Unsent(started=True, waiting=2, failed=1, going=1)
    assert before.words() == ("2 waiting messages and 1 failed message will never be sent; "
                              "1 message being sent may still go")
    after = campaigns.cancel(world.db, world.account, campaign_id, now=NOW)
    assert after == Unsent(started=True, waiting=2, failed=1)
    assert after.words() == "2 waiting messages and 1 failed message will never be sent"


def test_only_the_parts_not_zero_are_said(world: World) -> None:
    assert Unsent(started=True, failed=1).words() == "1 failed message will never be sent"
    assert Unsent(started=True, waiting=1).words() == "1 waiting message will never be sent"
    assert Unsent(started=True, going=2).words() == (
        "no message is left waiting; 2 messages being sent may still go")


def test_a_campaign_not_started_has_sent_nothing(world: World) -> None:
    draft = campaigns.save_draft(world.db, world.account, CampaignSpec("D", "hi"), created_by=BY)
    later = campaigns.create(world.db, world.account,
                             CampaignSpec("L", "hi", at=NOW + timedelta(days=1)),
                             created_by=BY, now=NOW).campaign_id
    for campaign_id in (draft, later):
        assert campaigns.unsent(world.db, world.account, campaign_id).words() == (
            "nothing has been sent")
        assert campaigns.cancel(world.db, world.account, campaign_id, now=NOW).words() == (
            "nothing has been sent")


def test_what_the_cancel_would_refuse_is_refused_before_asking(world: World) -> None:
    done = _running(world)
    _set_states(world, done, *["sent"] * 4)
    with world.db.write() as session:
        session.execute(update(Campaign).where(Campaign.id == done).values(status="done"))
    with pytest.raises(CampaignError, match="is done and has no message left to cancel"):
        campaigns.unsent(world.db, world.account, done)
    stopped = campaigns.save_draft(world.db, world.account, CampaignSpec("S", "hi"),
                                   created_by=BY)
    campaigns.cancel(world.db, world.account, stopped, now=NOW)
    with pytest.raises(CampaignError, match="is cancelled: it cannot be cancelled"):
        campaigns.unsent(world.db, world.account, stopped)
    with pytest.raises(CampaignError, match=f"no campaign #{done} in this account"):
        campaigns.unsent(world.db, world.other, done)


def _campaign_ids(world: World) -> list[int]:
    with world.db.read() as session:
        return list(session.scalars(select(Campaign.id).order_by(Campaign.id)))


def test_a_draft_and_a_campaign_cancelled_before_it_started_can_be_deleted(
    world: World,
) -> None:
    draft = campaigns.save_draft(world.db, world.account, CampaignSpec("Draft", "hi"),
                                 created_by=BY)
    cancelled = campaigns.save_draft(world.db, world.account, CampaignSpec("Gone", "hi"),
                                     created_by=BY)
    campaigns.cancel(world.db, world.account, cancelled, now=NOW)
    for campaign_id, name in ((draft, "Draft"), (cancelled, "Gone")):
        assert campaigns.deletable(world.db, world.account, campaign_id) == name
        with pytest.raises(CampaignError, match=f"no campaign #{campaign_id} in this account"):
            campaigns.delete(world.db, world.other, campaign_id)  # another account's: kept
        assert campaign_id in _campaign_ids(world)
        assert campaigns.delete(world.db, world.account, campaign_id) == name
        assert campaign_id not in _campaign_ids(world)


def test_a_campaign_that_started_is_never_deleted(world: World) -> None:
    """Its rows would go with it (they cascade): what it sent stays."""
    running = _running(world)
    stopped = _running(world)
    campaigns.cancel(world.db, world.account, stopped, now=NOW)
    scheduled = campaigns.create(world.db, world.account,
                                 CampaignSpec("L", "hi", at=NOW + timedelta(days=1)),
                                 created_by=BY, now=NOW).campaign_id
    for campaign_id, was in ((running, "running"), (stopped, "cancelled after it started"),
                             (scheduled, "scheduled")):
        message = (f"campaign #{campaign_id} is {was}: only a draft, or a campaign cancelled "
                   "before it started, can be deleted")
        for check in (campaigns.deletable, campaigns.delete):
            with pytest.raises(CampaignError) as refused:
                check(world.db, world.account, campaign_id)
            assert str(refused.value) == message
    assert _campaign_ids(world) == [running, stopped, scheduled]
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboundMessage)) == 8


def test_a_deleted_campaign_s_id_is_never_given_again(world: World) -> None:
    """SQLite's rowid gave the newest campaign's id, deleted, to the next one (0039:
    AUTOINCREMENT), and a screen holding it wrote to the new campaign; PostgreSQL's
    sequence never did."""
    first = campaigns.save_draft(world.db, world.account, CampaignSpec("First", "hi"),
                                 created_by=BY)
    campaigns.delete(world.db, world.account, first)
    again = campaigns.save_draft(world.db, world.account, CampaignSpec("Again", "hi"),
                                 created_by=BY)
    assert again > first
    with pytest.raises(campaigns.DraftGone, match=f"^campaign #{first} was deleted$"):
        campaigns.save_draft(world.db, world.account, CampaignSpec("Held", "hi"),
                             created_by=BY, campaign_id=first)
    assert _campaign_ids(world)[-1] == again
