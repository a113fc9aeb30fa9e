"""What can be done to a campaign in its state, read from its row: the app offers these
keys for the campaign highlighted (a draft is edited or deleted, not paused). The
changes themselves check again in their unit of work and refuse, saying why, what no
longer applies (the row read a moment ago)."""

from __future__ import annotations

from ofcrm_tui.core.campaigns.control import CANCELLABLE
from ofcrm_tui.core.campaigns.drafts import EDITABLE
from ofcrm_tui.core.campaigns.results import CampaignRow
from ofcrm_tui.store.enums import CampaignStatus

CHANGES = ("edit", "pause", "resume", "cancel", "retry", "delete")


def applicable(row: CampaignRow) -> frozenset[str]:
    """Which of ``CHANGES`` apply to the campaign ``row``: edit a draft or a scheduled
    one; pause a running one, resume a paused one; cancel one not over (a done one only
    while it holds failed messages); retry the failed messages of a running or done one
    (a paused one's would be sent while it is held: ``R`` says so);
    delete a draft, or one cancelled before it started."""
    status, failed = row.status, row.failed > 0
    found = {
        "edit": status in EDITABLE,
        "pause": status == CampaignStatus.RUNNING,
        "resume": status == CampaignStatus.PAUSED,
        "cancel": status in CANCELLABLE and (status != CampaignStatus.DONE or failed),
        "retry": status in (CampaignStatus.RUNNING, CampaignStatus.DONE) and failed,
        "delete": status == CampaignStatus.DRAFT
        or (status == CampaignStatus.CANCELLED and not row.started),
    }
    return frozenset(change for change, applies in found.items() if applies)
