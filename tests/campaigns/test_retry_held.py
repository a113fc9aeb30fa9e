"""A retry of failed messages (the Failed screen's R and Retry all, ``ofcrm failed retry``,
the campaigns' R) keeps to the campaign's state: a paused campaign's rows are not sent
while it is held, a cancelled one's never; a done campaign retried runs again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import campaigns, outbox
from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.core.outbox import OutboxError
from ofcrm_tui.store.enums import CampaignStatus, OutboundState
from ofcrm_tui.store.models import Campaign, OutboundMessage
from ofcrm_tui.tui.wording import retried_note
from tests.campaigns.conftest import NOW, World

BY = "chatter"


def _launched(world: World, name: str = "P") -> tuple[int, list[int]]:
    created = campaigns.create(world.db, world.account, CampaignSpec(name, "hi", Segment()),
                               created_by=BY, now=NOW)
    with world.db.read() as session:
        ids = list(session.scalars(
            select(OutboundMessage.id)
            .where(OutboundMessage.campaign_id == created.campaign_id)
            .order_by(OutboundMessage.id)))
    return created.campaign_id, ids


def _set(world: World, ids: list[int], state: OutboundState) -> None:
    with world.db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(ids))
                        .values(state=state, last_error="HTTP 422: nope"))


def _states(world: World, ids: list[int]) -> list[str]:
    with world.db.read() as session:
        found = {row.id: row.state for row in session.execute(
            select(OutboundMessage.id, OutboundMessage.state).where(OutboundMessage.id.in_(ids)))}
    return [found[i] for i in ids]


def _status(world: World, campaign_id: int) -> str:
    with world.db.read() as session:
        return session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))


def _paused_with_a_reply(world: World) -> tuple[int, list[int], int]:
    """A paused campaign whose first two rows failed, and a failed reply."""
    campaign, rows = _launched(world)
    _set(world, rows[:2], OutboundState.FAILED)
    reply = outbox.enqueue(world.db, world.account, world.fans["ann"], "hey", created_by=BY)
    _set(world, [reply], OutboundState.FAILED)
    campaigns.pause(world.db, world.account, campaign, now=NOW)
    return campaign, rows, reply


def test_a_paused_campaigns_failed_rows_are_not_queued_while_it_is_held(world: World) -> None:
    campaign, rows, reply = _paused_with_a_reply(world)
    reason = f"2 belong to paused campaign #{campaign}: resume it first"

    result = outbox.retry_detailed(world.db, world.account, None, by=BY, now=NOW)
    assert (result.retried, result.held, result.held_reason) == ([reply], rows[:2], reason)
    assert _states(world, rows[:2]) == ["failed", "failed"]
    assert retried_note(result) == (f"Queued again: 1 message; 2 messages left failed: {reason}",
                                    "warning")
    # Only they: refused, as the campaigns' R refuses them, nothing queued.
    with pytest.raises(OutboxError, match=f"^{reason}$"):
        outbox.retry_detailed(world.db, world.account, rows[:2], by=BY, now=NOW)
    with pytest.raises(OutboxError, match=f"^{reason}$"):
        campaigns.retry_failed(world.db, world.account, campaign, by=BY, now=NOW)
    assert _states(world, rows) == ["failed", "failed", "paused", "paused"]
    # Resumed, they go.
    campaigns.resume(world.db, world.account, campaign, now=NOW)
    assert outbox.retry_detailed(world.db, world.account, None, by=BY, now=NOW).retried == rows[:2]


def test_a_done_campaign_retried_runs_again_in_the_same_transaction(world: World) -> None:
    campaign, rows = _launched(world)
    _set(world, rows[:3], OutboundState.SENT)
    _set(world, rows[3:], OutboundState.FAILED)
    other, others = _launched(world, "Other")  # done too, with nothing retried
    _set(world, others[:3], OutboundState.SENT)
    _set(world, others[3:], OutboundState.FAILED)
    with world.db.write() as session:
        session.execute(update(Campaign).where(Campaign.id.in_([campaign, other]))
                        .values(status=CampaignStatus.DONE))

    result = outbox.retry_detailed(world.db, world.account, rows[3:], by=BY, now=NOW)
    assert result.retried == rows[3:]
    assert _states(world, rows[3:]) == ["queued"]
    assert (_status(world, campaign), _status(world, other)) == ("running", "done")
    assert campaigns.retry_failed(world.db, world.account, other, by=BY, now=NOW).retried == others[3:]
    assert _status(world, other) == "running"


def test_a_cancelled_campaigns_rows_failed_after_the_cancel_are_never_sent(world: World) -> None:
    """The cancel leaves a row being sent to finish; failed after it, it stays failed."""
    campaign, rows = _launched(world)
    _set(world, rows[:1], OutboundState.SENDING)
    campaigns.cancel(world.db, world.account, campaign, now=NOW)
    _set(world, rows[:1], OutboundState.FAILED)
    paused, paused_rows = _launched(world, "Held")
    _set(world, paused_rows[:2], OutboundState.FAILED)
    campaigns.pause(world.db, world.account, paused, now=NOW)
    reason = f"1 belongs to cancelled campaign #{campaign}: it sends nothing more"

    with pytest.raises(OutboxError, match=f"^{reason}$"):
        outbox.retry_detailed(world.db, world.account, rows[:1], by=BY, now=NOW)
    with pytest.raises(OutboxError, match=f"^{reason}$"):
        campaigns.retry_failed(world.db, world.account, campaign, by=BY, now=NOW)
    with pytest.raises(OutboxError) as both:
        outbox.retry_detailed(world.db, world.account, None, by=BY, now=NOW)
    assert str(both.value) == (f"2 belong to paused campaign #{paused}: resume it first, "
                               f"and {reason}")
    assert _states(world, [rows[0], *paused_rows[:2]]) == ["failed"] * 3
    assert _status(world, campaign) == "cancelled"


def test_ofcrm_failed_retry_says_which_campaign_holds_them(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign, rows, reply = _paused_with_a_reply(world)
    reason = f"2 belong to paused campaign #{campaign}: resume it first"

    failed = ["--db", database_url, "failed", "retry", "--account", "mia"]
    assert main([*failed, str(rows[0]), str(rows[1])]) == 1
    assert capsys.readouterr().err.strip().endswith(reason)
    assert main([*failed, "--all"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"queued again 1 of 3 failed messages: #{reply}",
        f"still failed: #{rows[0]} #{rows[1]}: {reason}",
    ]
    assert _states(world, rows[:2]) == ["failed", "failed"]
