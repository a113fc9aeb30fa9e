"""What the quit question says of the campaigns still to go out: an account's campaigns
share its campaign rate, the one started first going first, so each is done behind the
rows of those started before it; accounts (each at its own limit) send side by side."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox.views import CampaignWaiting
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import CampaignStatus, OutboundKind
from ofcrm_tui.store.models import Account, Campaign, Fan, OutboundMessage

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


def _account(db: Database, name: str, limit: int) -> int:
    with db.write() as session:
        account = Account(name=name, base_url=f"http://{name}.invalid", send_limit_per_minute=limit)
        session.add(account)
        session.flush()
        return account.id


def _campaign(db: Database, account_id: int, name: str, rows: int, started: datetime) -> None:
    with db.write() as session:
        campaign = Campaign(account_id=account_id, name=name, text="hi", created_by="ana",
                            status=CampaignStatus.RUNNING, started_at=started)
        fans = [Fan(account_id=account_id, username=f"{name}{i}") for i in range(rows)]
        session.add_all([campaign, *fans])
        session.flush()
        session.add_all(OutboundMessage(account_id=account_id, fan_id=fan.id, campaign_id=campaign.id,
                                        kind=OutboundKind.CAMPAIGN, priority=2, text="hi",
                                        created_by="ana", next_attempt_at=started)
                        for fan in fans)


def test_each_campaign_is_done_behind_those_started_before_it(db: Database) -> None:
    mia, zoe = _account(db, "mia", 10), _account(db, "zoe", 20)
    # Made first, started last: it goes behind "early" whatever its id.
    _campaign(db, mia, "late", 50, T0 + timedelta(hours=1))
    _campaign(db, mia, "early", 30, T0)
    _campaign(db, zoe, "other", 100, T0)
    waiting = outbox.waiting(db, [mia, zoe], reply_reserve_per_minute=3, now=T0)
    assert waiting.campaigns == (CampaignWaiting("early", 30, 10, mia, ahead=0),
                                 CampaignWaiting("late", 50, 10, mia, ahead=30),
                                 CampaignWaiting("other", 100, 20, zoe, ahead=0))
    # 7 a minute at mia (10 less 3 for replies): early's 30 in 5 min, late's behind
    # them, 80 in 12 (not its own 50 in 8); zoe's 100 at 17 a minute in 6, beside them.
    done = [campaign.done_in(3) for campaign in waiting.campaigns]
    assert done == [timedelta(minutes=5), timedelta(minutes=12), timedelta(minutes=6)]
    assert waiting.campaigns_take() == timedelta(minutes=12)
