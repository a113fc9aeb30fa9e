"""Creating and launching campaigns: bulk enqueue, exactly once per fan (the database
says so), pause / resume / cancel, drafts, and bad input refused with nothing queued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ofcrm_tui.core import campaigns, health, outbox
from ofcrm_tui.core.campaigns import CampaignError, CampaignSpec, Segment, Unsent
from ofcrm_tui.core.fans.edits import delete_fan
from ofcrm_tui.core.outbox import discard, enqueue_many
from ofcrm_tui.core.outbox.rules import PRIORITY
from ofcrm_tui.core.outbox.views import CampaignWaiting
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind, OutboundState
from ofcrm_tui.store.models import Account, Campaign, OutboundMessage
from tests.campaigns.conftest import NOW, World

BY = "chatter"


def rows(world: World, campaign_id: int) -> list[OutboundMessage]:
    with world.db.read() as session:
        return list(session.scalars(
            select(OutboundMessage).where(OutboundMessage.campaign_id == campaign_id)
            .order_by(OutboundMessage.id)
        ))


def queued_total(world: World) -> int:
    with world.db.read() as session:
        return session.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def test_launch_freezes_recipients_and_fills_texts(world: World) -> None:
    spec = CampaignSpec("Weekend", "Hi {name|{username|babe}}", Segment(tags_in=("vip",)))
    with pytest.raises(CampaignError, match="a lone '{'"):  # fallbacks do not nest
        campaigns.create(world.db, world.account, spec, created_by=BY, now=NOW)
    spec = CampaignSpec("Weekend", "Hi {name|babe}, @{username}", Segment(tags_in=("vip",)),
                        price_cents=999, media_ids=(501,))
    created = campaigns.create(world.db, world.account, spec, created_by=BY, now=NOW)
    assert (created.status, created.recipients) == (CampaignStatus.RUNNING, 2)
    got = {row.fan_id: row for row in rows(world, created.campaign_id)}
    assert set(got) == world.ids("ann", "bob")
    assert got[world.fans["ann"]].text == "Hi Ann, @ann"
    assert got[world.fans["bob"]].text == "Hi babe, @bob"  # never the team's "Bobby"
    for row in got.values():
        assert (row.kind, row.priority, row.state) == (
            OutboundKind.CAMPAIGN, PRIORITY[OutboundKind.CAMPAIGN], OutboundState.QUEUED)
        assert (row.price_cents, row.media_ids, row.created_by) == (999, [501], BY)
        assert row.next_attempt_at == NOW
    shown = campaigns.campaign(world.db, world.account, created.campaign_id, now=NOW)
    assert (shown.status, shown.recipients, shown.waiting, shown.sent) == ("running", 2, 2, 0)
    assert shown.eta == NOW + timedelta(minutes=1)


def test_a_campaign_is_sent_and_shown_without_the_blank_lines_around_it(world: World) -> None:
    spec = CampaignSpec("Trim", "\n \nHi {name|babe},\n\nmiss you\n\n ", Segment(tags_in=("vip",)))
    created = campaigns.create(world.db, world.account, spec, created_by=BY, now=NOW)
    got = {row.fan_id: row.text for row in rows(world, created.campaign_id)}
    assert got[world.fans["ann"]] == "Hi Ann,\n\nmiss you"
    shown = campaigns.campaign(world.db, world.account, created.campaign_id, now=NOW)
    assert shown.text == "Hi {name|babe},\n\nmiss you"


def test_a_fan_never_gets_a_campaign_twice(world: World) -> None:
    spec = CampaignSpec("Once", "hello {name|you}", Segment())
    created = campaigns.create(world.db, world.account, spec, created_by=BY, now=NOW)
    assert created.recipients == 4
    # A second launch of the same campaign is refused...
    with pytest.raises(CampaignError, match="is running: it cannot be started"):
        campaigns.launch(world.db, world.account, created.campaign_id, now=NOW)
    # ...and whoever bypasses the service hits the database's unique index.
    with pytest.raises(IntegrityError):
        enqueue_many(world.db, world.account, [world.fans["ann"]], "again", created_by=BY,
                     campaign_id=created.campaign_id)
    with pytest.raises(IntegrityError), world.db.write() as session:
        session.execute(insert(OutboundMessage), [{
            "account_id": world.account, "fan_id": world.fans["cat"],
            "campaign_id": created.campaign_id, "kind": "campaign", "priority": 30,
            "text": "dup", "created_by": BY,
        }])
    # Pause, resume and the relaunch of the rows leave one row per fan.
    campaigns.pause(world.db, world.account, created.campaign_id, now=NOW)
    campaigns.resume(world.db, world.account, created.campaign_id, now=NOW)
    from ofcrm_tui.core.campaigns.launch import enqueue_recipients, spec_of  # the raw insert
    from ofcrm_tui.core.campaigns.spec import check

    with world.db.read() as session:
        campaign = session.get(Campaign, created.campaign_id)
    checked = check(world.db, world.account, spec_of(campaign), created_by=BY, now=NOW)
    with world.db.write() as session:
        again = enqueue_recipients(session, world.db, created.campaign_id, checked.parts,
                                   checked.message, Segment(), now=NOW)
    assert again == 0
    fans = [row.fan_id for row in rows(world, created.campaign_id)]
    assert sorted(fans) == sorted(world.ids("ann", "bob", "cat", "eve"))


def test_pause_keeps_places_resume_restores_cancel_stops(world: World) -> None:
    created = campaigns.create(
        world.db, world.account, CampaignSpec("P", "hi", Segment()), created_by=BY, now=NOW)
    before = [(r.id, r.next_attempt_at) for r in rows(world, created.campaign_id)]
    with world.db.write() as session:  # one row is being sent when the pause comes
        session.get(OutboundMessage, before[0][0]).state = OutboundState.SENDING
    waiting = outbox.waiting(world.db, [world.account], reply_reserve_per_minute=2, now=NOW)
    with world.db.read() as session:
        limit = session.get(Account, world.account).send_limit_per_minute
    assert (waiting.count, waiting.campaigns, waiting.reply_reserve) == (
        4, (CampaignWaiting("P", 4, limit, world.account),), 2)  # what the quit question names
    assert campaigns.pause(world.db, world.account, created.campaign_id, now=NOW) == 3
    assert outbox.waiting(world.db, [world.account], now=NOW).campaigns == (
        CampaignWaiting("P", 1, limit, world.account),)  # the one being sent
    states = [r.state for r in rows(world, created.campaign_id)]
    assert states == ["sending", "paused", "paused", "paused"]
    with pytest.raises(CampaignError, match="is paused: it cannot be paused"):
        campaigns.pause(world.db, world.account, created.campaign_id)
    assert campaigns.resume(world.db, world.account, created.campaign_id, now=NOW) == 3
    assert [(r.id, r.next_attempt_at) for r in rows(world, created.campaign_id)] == before
    assert campaigns.cancel(world.db, world.account, created.campaign_id, now=NOW) == Unsent(
        started=True, waiting=3)
    assert [r.state for r in rows(world, created.campaign_id)] == [
        "sending", "cancelled", "cancelled", "cancelled"]
    with pytest.raises(CampaignError, match="is cancelled: it cannot be resumed"):
        campaigns.resume(world.db, world.account, created.campaign_id)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (CampaignSpec("x", "hi", Segment(tags_in=("nobody",))), "unknown tag 'nobody'"),
        (CampaignSpec("x", "hi", Segment(tags_in=("late",), tags_out=("vip",))),
         "no recipients: no fan"),
        (CampaignSpec("x", "hi", Segment(status="expired")), "have expired subscriptions"),
        (CampaignSpec("x", "hi", price_cents=250, media_ids=(501,)), "between \\$3.00"),
        (CampaignSpec("x", "hi", price_cents=20_001, media_ids=(501,)), "between"),
        (CampaignSpec("x", "hi", price_cents=999), "needs at least one media"),
        (CampaignSpec("x", "hi", media_ids=(777,)), "not in this account's vault"),
        (CampaignSpec("x", "hi {firstname}"), "unknown placeholder"),
        (CampaignSpec("x", "   "), "the message is empty"),
        (CampaignSpec(" ", "hi"), "needs a name"),
        (CampaignSpec("x", "hi", at=NOW - timedelta(minutes=1)), "is in the past"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_queued(world: World, spec: CampaignSpec, message: str) -> None:
    with pytest.raises(CampaignError, match=message):
        campaigns.create(world.db, world.account, spec, created_by=BY, now=NOW)
    assert queued_total(world) == 0
    assert campaigns.count_campaigns(world.db, world.account) == 0


def test_drafts_are_kept_unfinished_and_launched_later(world: World) -> None:
    draft = campaigns.save_draft(world.db, world.account,
                                 CampaignSpec("Later", "", Segment(tags_in=("vip",))),
                                 created_by=BY)
    spec, status = campaigns.load(world.db, world.account, draft)
    assert (status, spec.segment.tags_in, spec.text) == ("draft", ("vip",), "")
    with pytest.raises(CampaignError, match=f"^campaign #{draft} is a draft: it cannot be paused$"):
        campaigns.pause(world.db, world.account, draft)
    with pytest.raises(CampaignError, match=f"^campaign #{draft} is a draft: only a running"):
        campaigns.retry_failed(world.db, world.account, draft, by=BY)
    with pytest.raises(CampaignError, match="empty"):
        campaigns.launch(world.db, world.account, draft, now=NOW)
    campaigns.save_draft(world.db, world.account,
                         CampaignSpec("Later", "hey {name|you}", spec.segment),
                         created_by=BY, campaign_id=draft)
    assert campaigns.launch(world.db, world.account, draft, now=NOW) == 2
    with pytest.raises(campaigns.DraftGone,
                       match=f"^campaign #{draft} is running now, no longer a draft$"):
        campaigns.save_draft(world.db, world.account, spec, created_by=BY, campaign_id=draft)


def test_a_draft_deleted_meanwhile_is_said_gone(world: World) -> None:
    """Saved over by an app that still had it open: DraftGone (the app keeps what was
    typed as a new draft), nothing written."""
    draft = campaigns.save_draft(world.db, world.account, CampaignSpec("Idea", "hi"),
                                 created_by=BY)
    campaigns.delete(world.db, world.account, draft)
    with pytest.raises(campaigns.DraftGone, match=f"^campaign #{draft} was deleted$"):
        campaigns.save_draft(world.db, world.account, CampaignSpec("Idea", "hi again"),
                             created_by=BY, campaign_id=draft)
    assert campaigns.count_campaigns(world.db, world.account) == 0


def test_campaigns_of_another_account_are_out_of_reach(world: World) -> None:
    created = campaigns.create(
        world.db, world.account, CampaignSpec("P", "hi", Segment()), created_by=BY, now=NOW)
    for action in (campaigns.pause, campaigns.cancel):
        with pytest.raises(CampaignError, match="no campaign"):
            action(world.db, world.other, created.campaign_id)
    with pytest.raises(CampaignError, match="no campaign"):
        campaigns.launch(world.db, world.other, created.campaign_id)


def test_progress_accounts_for_every_recipient(world: World) -> None:
    """Sent, discarded (Failed messages' d), deleted with their fan, failed and waiting add
    up to the recipients; cancelling the campaign calls the unsent ones cancelled."""
    created = campaigns.create(
        world.db, world.account, CampaignSpec("P", "hi", Segment()), created_by=BY, now=NOW)
    row_of = {r.fan_id: r.id for r in rows(world, created.campaign_id)}
    ann, bob = (row_of[world.fans[name]] for name in ("ann", "bob"))
    with world.db.write() as session:
        session.get(OutboundMessage, ann).state = OutboundState.SENT
        session.get(OutboundMessage, bob).state = OutboundState.FAILED
    assert discard(world.db, world.account, [bob]) == 1
    delete_fan(world.db, world.account, world.fans["cat"])

    def progress() -> list[str]:
        shown = campaigns.campaign(world.db, world.account, created.campaign_id, now=NOW)
        return campaigns.progress_parts(shown)

    def recipients() -> list[str]:  # the recipients' states in the same words
        return [r.shown_state for r in campaigns.recipient_rows(
            world.db, world.account, created.campaign_id)]

    assert progress() == [
        "sent 1 of 4", "discarded 1", "fans deleted 1", "failed 0", "waiting 1"]
    assert sorted(recipients()) == ["discarded", "queued", "sent"]
    campaigns.cancel(world.db, world.account, created.campaign_id, now=NOW)
    assert progress() == [
        "sent 1 of 4", "cancelled 2", "fans deleted 1", "failed 0", "waiting 0"]
    assert sorted(recipients()) == ["cancelled", "cancelled", "sent"]


def test_the_queue_says_discarded_for_a_person_and_cancelled_for_a_campaign(
    world: World,
) -> None:
    """Monitoring, ``ofcrm health`` and ``ofcrm queue`` call a message a person
    discarded ``discarded``, as the campaign list does, and only the rows that went with
    their cancelled campaign ``cancelled`` (all were ``cancelled``)."""
    kept = campaigns.create(world.db, world.account,
                            CampaignSpec("K", "hi", Segment(tags_in=("vip",))), created_by=BY,
                            now=NOW)
    stopped = campaigns.create(world.db, world.account, CampaignSpec("S", "yo", Segment()),
                               created_by=BY, now=NOW)
    assert discard(world.db, world.account, [rows(world, kept.campaign_id)[0].id], now=NOW) == 1
    assert campaigns.cancel(world.db, world.account, stopped.campaign_id,
                            now=NOW).stopped == 4
    single = outbox.enqueue(world.db, world.account, world.fans["eve"], "hey", created_by=BY,
                            now=NOW)
    assert discard(world.db, world.account, [single], now=NOW) == 1
    shown = outbox.queue_counts(world.db, world.account)
    assert (shown["discarded"], shown["cancelled"], shown["queued"]) == (2, 4, 1)
    assert list(shown) == ["queued", "sending", "sent", "unknown", "failed", "paused",
                           "discarded", "cancelled"]
    report = health.check(world.db, failed_threshold=10, keyless=True, now=NOW)
    (account,) = (a for a in report.accounts if a.queue["queued"])
    assert account.queue == shown


def test_a_page_of_recipients_reads_its_campaign_once(world: World) -> None:
    """The recipients list joined the campaign's status to each of its rows: it is read
    once for the page. Another account's id reads no rows."""
    created = campaigns.create(world.db, world.account, CampaignSpec("P", "hi", Segment()),
                               created_by=BY, now=NOW)
    campaigns.cancel(world.db, world.account, created.campaign_id, now=NOW)
    with diagnostics.captured_sql(world.db) as statements:
        page = campaigns.recipient_rows(world.db, world.account, created.campaign_id, limit=3)
    assert [r.shown_state for r in page] == ["cancelled"] * 3
    shown = [s for s, _ in statements]
    assert sum("FROM campaigns" in s for s in shown) == 1, shown
    assert not any("JOIN campaigns" in s for s in shown), shown
    assert campaigns.recipient_rows(world.db, world.other, created.campaign_id) == []
