"""Scheduled campaigns: stored, started when due by whoever drains, exactly once even with
workers racing; done when nothing is left; a due campaign that cannot start goes back
to draft with the reason."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.core.campaigns.placeholders import NICKNAME_REFUSED
from ofcrm_tui.core.campaigns.schedule import finish
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundState
from ofcrm_tui.store.models import Account, Campaign, OutboundMessage, Tag
from tests.campaigns.conftest import DAY, NOW, World

AT = NOW + timedelta(hours=2)


def _rows(world: World) -> int:
    with world.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def test_a_scheduled_campaign_waits_then_starts_once(world: World) -> None:
    created = campaigns.create(world.db, world.account, CampaignSpec("Later", "hi", at=AT),
                               created_by="me", now=NOW)
    assert (created.status, created.recipients) == (CampaignStatus.SCHEDULED, 4)
    assert _rows(world) == 0
    tended = campaigns.start_due_campaigns(world.db, world.account, now=AT - timedelta(seconds=1))
    assert tended.started == {} and _rows(world) == 0
    tended = campaigns.start_due_campaigns(world.db, world.account, now=AT)
    assert tended.started == {created.campaign_id: 4}
    assert campaigns.start_due_campaigns(world.db, world.account, now=AT).started == {}
    shown = campaigns.campaign(world.db, world.account, created.campaign_id)
    assert (shown.status, shown.started_at, shown.scheduled_at, shown.recipients) == (
        "running", AT, AT, 4)
    assert _rows(world) == 4


def test_two_workers_racing_start_it_exactly_once(world: World, database_url: str) -> None:
    created = [
        campaigns.create(world.db, world.account, CampaignSpec(f"c{i}", "hi {name|you}", at=AT),
                         created_by="me", now=NOW).campaign_id
        for i in range(3)
    ]
    workers = [Database(database_url) for _ in range(4)]
    results: list[dict[int, int]] = []
    gate = threading.Barrier(len(workers))

    def run(db: Database) -> None:
        gate.wait()
        results.append(campaigns.start_due_campaigns(db, world.account, now=AT).started)

    threads = [threading.Thread(target=run, args=(db,)) for db in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in workers:
        db.dispose()
    started = [campaign for result in results for campaign in result]
    assert sorted(started) == sorted(created)  # each by exactly one worker
    assert _rows(world) == 12
    with world.db.read() as session:
        pairs = session.execute(select(OutboundMessage.campaign_id, OutboundMessage.fan_id)).all()
    assert len(set(pairs)) == 12


def test_a_due_campaign_that_cannot_start_goes_back_to_draft(world: World) -> None:
    created = campaigns.create(world.db, world.account,
                               CampaignSpec("Tagged", "hi", Segment(tags_in=("new",)), at=AT),
                               created_by="me", now=NOW)
    with world.db.write() as session:  # the tag goes away before the campaign is due
        session.delete(session.scalar(select(Tag).where(Tag.name == "new",
                                                        Tag.account_id == world.account)))
    tended = campaigns.start_due_campaigns(world.db, world.account, now=AT)
    assert "unknown tag 'new'" in tended.refused[created.campaign_id]
    shown = campaigns.campaign(world.db, world.account, created.campaign_id)
    assert shown.status == "draft" and "unknown tag" in (shown.launch_error or "")
    assert _rows(world) == 0


def test_a_campaign_is_done_when_nothing_is_left(world: World) -> None:
    created = campaigns.create(world.db, world.account, CampaignSpec("Now", "hi"),
                               created_by="me", now=NOW)
    assert finish(world.db, world.account) == 0
    with world.db.write() as session:
        for row in session.scalars(select(OutboundMessage)):
            row.state = OutboundState.SENT
    assert finish(world.db, world.account) == 1
    with world.db.read() as session:
        assert session.get(Campaign, created.campaign_id).status == CampaignStatus.DONE


def test_a_campaign_saved_with_the_private_nickname_is_refused_when_due(world: World) -> None:
    """A campaign scheduled before {nickname} was refused: nothing goes out, the reason
    is kept (no fan is sent the team's label, nor a silently changed text)."""
    created = campaigns.create(world.db, world.account, CampaignSpec("Old", "Hey {name|babe}", at=AT),
                               created_by="me", now=NOW)
    with world.db.write() as session:  # as an older version stored it
        session.execute(update(Campaign).where(Campaign.id == created.campaign_id)
                        .values(text="Hey {nickname|babe}"))
    tended = campaigns.start_due_campaigns(world.db, world.account, now=AT)
    assert tended.refused == {created.campaign_id: NICKNAME_REFUSED}
    shown = campaigns.campaign(world.db, world.account, created.campaign_id)
    assert shown.status == "draft" and shown.launch_error == NICKNAME_REFUSED
    assert _rows(world) == 0


def test_a_scheduled_campaigns_send_time_counts_what_is_queued_at_its_start(
    world: World,
) -> None:
    """A campaign starting later waits behind what is still queued then: the running
    campaign's rows drain meanwhile (here 1 campaign send a minute: 4 a minute, 3 kept
    for replies), and a campaign scheduled before it joins the queue as it starts. It
    counted today's queue (22 queued ahead of a start hours away)."""
    with world.db.write() as session:
        session.execute(update(Account).where(Account.id == world.account)
                        .values(send_limit_per_minute=4))
    running = campaigns.create(world.db, world.account, CampaignSpec("Now", "hi"),
                               created_by="me", now=NOW)
    queued = running.recipients
    assert queued == 4

    def send_time(after: timedelta | None, **kwargs: int) -> campaigns.SendTime:
        at = None if after is None else NOW + after
        return campaigns.send_time(world.db, world.account, 2, 3, at=at, now=NOW, **kwargs)

    now = send_time(None)  # launched now: behind all of them
    assert (now.ahead, now.takes, now.ahead_text()) == (
        queued, timedelta(minutes=6), "after 4 campaign messages queued ahead")
    later = send_time(timedelta(hours=2))  # they are out long before
    assert (later.ahead, later.takes, later.ahead_text()) == (0, timedelta(minutes=2), "")
    soon = send_time(timedelta(minutes=1, seconds=30))  # 1 of them is out by then
    assert (soon.ahead, soon.takes) == (queued - 1, timedelta(minutes=5))
    assert soon.ahead_text() == "after ~3 campaign messages still queued at its start"

    other = campaigns.create(world.db, world.account,
                             CampaignSpec("Other", "hi", at=AT), created_by="me", now=NOW)
    assert other.recipients == 4
    assert send_time(AT - NOW - timedelta(minutes=1)).ahead == 0  # before it starts
    behind = send_time(AT - NOW + timedelta(minutes=1))  # 1 of its 4 out by then
    assert (behind.ahead, behind.takes) == (3, timedelta(minutes=5))
    itself = send_time(AT - NOW, campaign_id=other.campaign_id)  # not ahead of itself
    assert itself.ahead == 0


def test_the_campaigns_scheduled_before_a_start_are_counted_together_each_at_its_start(
    world: World,
) -> None:
    """The composer asks for the send time at each change of its start time: each
    campaign scheduled before it was counted in a unit of work of its own (a statement
    or two each). Their segments are counted in one statement, each as at its own start
    (nothing is frozen before a start); one that no longer reads queues nobody."""
    week = NOW + 7 * DAY
    quiet = Segment(not_messaged_days=7)
    wanted = [quiet, Segment(tags_in=("vip",), status="all"), Segment(), Segment()]
    ids = [campaigns.create(world.db, world.account, CampaignSpec(f"c{i}", "hi", segment, at=week),
                            created_by="me", now=NOW).campaign_id
           for i, segment in enumerate(wanted)]
    with world.db.write() as session:  # as an older version stored it: no segment now
        session.execute(update(Campaign).where(Campaign.id == ids[-1])
                        .values(segment={"status": "gone"}))
    each = [campaigns.count(world.db, world.account, segment, week).recipients
            for segment in wanted[:-1]]
    assert each[0] > campaigns.count(world.db, world.account, quiet, NOW).recipients
    with diagnostics.captured_sql(world.db) as statements:
        eta = campaigns.send_time(world.db, world.account, 2, 3, at=week, now=NOW)
    assert eta.ahead == sum(each)  # all start with it: none sent before
    # The limit, the running campaigns' rows, the scheduled ones, their counts.
    assert len(statements) == 4, [s for s, _ in statements]
    itself = campaigns.send_time(world.db, world.account, 2, 3, at=week, now=NOW,
                                 campaign_id=ids[0])
    assert itself.ahead == sum(each[1:])
