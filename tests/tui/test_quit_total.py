"""The quit question's campaigns, each done behind those of its account queued ahead of
it, end with their total: how many and how long they all take, at each account's limit
(an account's campaigns share its rate; accounts send side by side)."""

from __future__ import annotations

from ofcrm_tui.core.outbox import Waiting
from ofcrm_tui.core.outbox.views import CampaignWaiting
from ofcrm_tui.tui.dialogs.quit import whose


def test_one_accounts_campaigns_share_its_rate() -> None:
    # 10/min less 3 kept for replies: 7 a minute. A's 220 take 32 min; B's 176 go behind
    # them, done in 57 (said as 26, as if B sent alone); the 396 together 57 (not 32 + 26).
    waiting = Waiting(396, None, campaigns=(CampaignWaiting("A", 220, 10, 1),
                                            CampaignWaiting("B", 176, 10, 1, ahead=220)),
                      reply_reserve=3)
    assert whose(waiting) == (
        ' (220 of campaign "A": about 32 min at 10/min; 176 of campaign "B": about 57 min '
        "at 10/min, after 220 queued ahead; 396 campaign messages in all: about 57 min, "
        "3 kept for replies)")


def test_accounts_send_side_by_side() -> None:
    waiting = Waiting(1_400, None, campaigns=(CampaignWaiting("A", 700, 10, 1),
                                              CampaignWaiting("B", 224, 10, 2),
                                              CampaignWaiting("C", 476, 10, 2, ahead=224)),
                      reply_reserve=3)
    assert whose(waiting).endswith("; 1,400 campaign messages in all: about 1 h 40 min, "
                                   "3 kept for replies)")  # 700 / 7 a minute either account


def test_one_campaign_says_no_total() -> None:
    waiting = Waiting(224, None, campaigns=(CampaignWaiting("A", 224, 10, 1),), reply_reserve=3)
    assert whose(waiting) == ' (campaign "A": about 32 min at 10/min, 3 kept for replies)'
