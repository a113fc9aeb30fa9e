"""A campaign's failed rows are the campaign right's: a chatter without it who retries or
discards one is refused in one line (as pausing the campaign is), spends none of the
account's manual retries, and still retries and discards its own failed replies; and a
row the UPDATE did not change is never said to be queued again or discarded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import outbox
from ofcrm_tui.core.access import AccessDenied
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import Campaign, Fan, OutboundMessage
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.screens.campaigns import CampaignsScreen
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.widgets.failed_list import FailedList
from tests.security.conftest import NOW, Team
from tests.tui.pilot import press, settle, show, wait_for


@pytest.fixture(scope="module")
def roles(team: Team) -> dict[str, str]:
    """On mia and zoe: ben may run campaigns, eve may not."""
    return {"ben": team.chatter("rowben", "mia", "zoe", campaign=True),
            "eve": team.chatter("roweve", "mia", "zoe")}


def _campaign(team: Team, account: str, name: str) -> int:
    with team.owner.write() as session:
        row = Campaign(account_id=team.accounts[account], name=name, text="hi",
                       created_by="owner", status="running")
        session.add(row)
        session.flush()
        return row.id


def _failed(team: Team, account: str, *, by: str, at: datetime, campaign_id: int | None = None,
            body: str = "hi", nth: int = 0) -> int:
    """A failed message to the ``nth`` active fan of ``account`` (a campaign's with
    ``campaign_id``: one per fan)."""
    with team.owner.write() as session:
        fan = session.scalars(
            select(Fan.id).where(Fan.account_id == team.accounts[account],
                                 Fan.subscription_status == SubscriptionStatus.ACTIVE,
                                 Fan.platform_user_id.is_not(None))
            .order_by(Fan.id).offset(nth)).first()
        row = OutboundMessage(
            account_id=team.accounts[account], fan_id=fan, campaign_id=campaign_id,
            kind="campaign" if campaign_id else "reply", priority=2 if campaign_id else 0,
            text=body, created_by=by, state="failed", attempts=5, tries=5,
            last_error="HTTP 500", created_at=at, updated_at=at)
        session.add(row)
        session.flush()
        return row.id


def _states(team: Team, *ids: int) -> list[str]:
    with team.owner.read() as session:
        return [session.get(OutboundMessage, i).state for i in ids]


def _left(team: Team, account: str, now: datetime) -> int:
    return outbox.manual_retries(team.owner, team.accounts[account], now=now).left


def _refusal(role: str, account: str) -> str:
    return f"refused by the database: {role} may not run campaigns on account '{account}'"


def test_retry_and_discard_of_campaign_rows_need_the_right(
    team: Team, roles: dict[str, str]
) -> None:
    now = NOW + timedelta(hours=1)  # a budget window of this test's own
    mia, campaign = team.accounts["mia"], _campaign(team, "mia", "retries")
    eve, ben = team.connect(roles["eve"]), team.connect(roles["ben"])
    sent = [_failed(team, "mia", by="owner", at=now - timedelta(minutes=5), campaign_id=campaign,
                    nth=nth) for nth in range(3)]
    reply, other_reply = (_failed(team, "mia", by=roles["eve"], at=now - timedelta(minutes=4))
                          for _ in range(2))

    for act in (lambda: outbox.retry_detailed(eve, mia, [sent[0]], by="eve", now=now),
                lambda: outbox.retry(eve, mia, sent, by="eve", now=now),
                lambda: outbox.discard_detailed(eve, mia, [sent[0]], now=now),
                lambda: outbox.discard(eve, mia, sent[:2], now=now)):
        with pytest.raises(AccessDenied) as refused:
            act()
        assert str(refused.value) == _refusal(roles["eve"], "mia")
    assert _states(team, *sent) == ["failed"] * 3
    assert _left(team, "mia", now) == outbox.MANUAL_RETRIES_PER_MINUTE  # nothing spent

    # Retry all: the campaign rows are left out, counted; the chatter's reply goes.
    result = outbox.retry_detailed(eve, mia, None, by="eve", now=now)
    assert reply in result.retried and other_reply in result.retried
    assert not set(sent) & set(result.retried) and set(sent) <= set(result.needs_right)
    assert _states(team, *sent, reply) == ["failed"] * 3 + ["queued"]
    assert _left(team, "mia", now) == outbox.MANUAL_RETRIES_PER_MINUTE - len(result.retried)

    # Discarding a campaign row and the chatter's own: its own goes, the other stays.
    _failed(team, "mia", by=roles["eve"], at=now)  # another failed reply, not asked about
    mine = _failed(team, "mia", by=roles["eve"], at=now)
    discarded = outbox.discard_detailed(eve, mia, [mine, sent[2]], now=now)
    assert (discarded.discarded, discarded.needs_right) == ([mine], [sent[2]])
    assert _states(team, mine, sent[2]) == ["cancelled", "failed"]

    # With the right, the same rows go.
    left = _left(team, "mia", now)
    assert outbox.retry_detailed(ben, mia, sent[:2], by="ben", now=now).retried == sent[:2]
    assert _states(team, *sent[:2]) == ["queued", "queued"]
    assert _left(team, "mia", now) == left - 2
    assert outbox.discard(ben, mia, [sent[2]], now=now) == 1


@pytest.fixture
def skipped(team: Team) -> Iterator[str]:
    """Rows whose text is the one yielded: every UPDATE of them changes nothing."""
    with team.owner.write() as session:
        session.execute(text(
            "CREATE FUNCTION test_skip_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF OLD.text = 'left as it is' THEN RETURN NULL; END IF; RETURN NEW; END $$"))
        session.execute(text(
            "CREATE TRIGGER test_skip_update BEFORE UPDATE ON outbound_messages "
            "FOR EACH ROW EXECUTE FUNCTION test_skip_update()"))
    try:
        yield "left as it is"
    finally:
        with team.owner.write() as session:
            session.execute(text("DROP TRIGGER test_skip_update ON outbound_messages"))
            session.execute(text("DROP FUNCTION test_skip_update()"))


def test_rows_the_update_did_not_change_are_neither_retried_nor_discarded(
    team: Team, skipped: str
) -> None:
    now = NOW + timedelta(hours=2)
    mia = team.accounts["mia"]
    stuck = _failed(team, "mia", by="owner", at=now - timedelta(minutes=1), body=skipped)
    moving = _failed(team, "mia", by="owner", at=now - timedelta(minutes=1))
    result = outbox.retry_detailed(team.owner, mia, [stuck, moving], by="owner", now=now)
    assert (result.retried, result.unchanged) == ([moving], [stuck])
    assert _left(team, "mia", now) == outbox.MANUAL_RETRIES_PER_MINUTE - 1
    discarded = outbox.discard_detailed(team.owner, mia, [stuck], now=now)
    assert (discarded.discarded, discarded.unchanged) == ([], [stuck])
    assert _states(team, stuck, moving) == ["failed", "queued"]


def test_the_command_line_refuses_in_one_line_and_retries_the_chatters_own(
    team: Team, roles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    at = NOW + timedelta(hours=3)
    campaign = _campaign(team, "mia", "cli")
    sent = _failed(team, "mia", by="owner", at=at, campaign_id=campaign)
    url = team.url_of(roles["eve"])
    for action in ("retry", "discard"):
        assert main(["--db", url, "failed", action, str(sent), "--account", "mia"]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err == f"ofcrm: error: {_refusal(roles['eve'], 'mia')}\n"
    assert _states(team, sent) == ["failed"]
    reply = _failed(team, "mia", by=roles["eve"], at=at)
    code = main(["--db", url, "failed", "retry", str(reply), str(sent), "--account", "mia"])
    out = capsys.readouterr().out
    assert code == 0 and f"queued again 1 of 2 failed messages: #{reply}\n" in out
    assert f"still failed: #{sent}: 1 campaign message needs the campaign right" in out
    assert _states(team, reply, sent) == ["queued", "failed"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_app_refuses_a_campaign_row_and_a_cancel_before_asking(
    team: Team, roles: dict[str, str]
) -> None:
    now = NOW + timedelta(days=2)
    campaign = _campaign(team, "zoe", "zoe's")
    reply = _failed(team, "zoe", by=roles["eve"], at=now - timedelta(minutes=2))
    sent = _failed(team, "zoe", by="owner", at=now - timedelta(minutes=1), campaign_id=campaign)
    refusal = _refusal(roles["eve"], "zoe")
    app = team.app(roles["eve"], "zoe", now=now)
    notes = lambda: [str(n.message) for n in app._notifications]  # noqa: E731, SLF001
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            screen = await show(pilot, "2", FailedScreen)
            table = screen.query_one(FailedList)
            await wait_for(pilot, lambda: table.cursor_row is not None)
            assert table.cursor_row.id == sent  # the newest
            await press(pilot, "R")
            await wait_for(pilot, lambda: bool(notes()))
            assert notes()[-1] == f"Not retried: {refusal}"
            await press(pilot, "d", "down", "enter")
            await wait_for(pilot, lambda: notes()[-1].startswith("Not discarded"))
            assert notes()[-1] == f"Not discarded: {refusal}"
            assert _states(team, sent) == ["failed"]
            assert _left(team, "zoe", now) == outbox.MANUAL_RETRIES_PER_MINUTE

            await press(pilot, "ctrl+r", "down", "enter")  # retry all: its own reply goes
            await wait_for(pilot, lambda: notes()[-1].startswith("Queued again"))
            assert notes()[-1] == ("Queued again: 1 message; 1 campaign message needs the "
                                   "campaign right, left failed")
            assert _states(team, reply) == ["queued"]

            campaigns = await show(pilot, "4", CampaignsScreen)
            await wait_for(pilot, lambda: campaigns._current() is not None)  # noqa: SLF001
            await press(pilot, "x")
            # The refusal itself (a count would miss it: earlier notices may expire meanwhile).
            await wait_for(pilot, lambda: bool(notes()) and notes()[-1] == refusal)
            assert not isinstance(app.screen, ChoiceDialog)  # refused before asking
    finally:
        app.context.close()
    assert _states(team, sent) == ["failed"]
    with team.owner.read() as session:
        assert session.get(Campaign, campaign).status == "running"
