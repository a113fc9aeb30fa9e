"""Campaigns: a segment of fans, a personalised (and maybe priced) message, sent through
the outbound queue after replies, exactly once per fan, now or at a time.

- ``segment``: who (relative conditions compiled to the fan filter), count and sample;
- ``placeholders``: ``{name}``, ``{name|babe}`` … filled in Python and in SQL (never
  ``{nickname}``, the team's private label);
- ``spec``: a campaign before it starts and its checks; ``drafts``: drafts, create and
  delete;
- ``launch``: recipients frozen and queued in one ``INSERT … SELECT``;
- ``right``: the campaign right asked up front (``may_run``), in words naming its grant;
- ``control``: pause, resume, cancel (``unsent``: what it stops), retry; ``schedule``:
  due campaigns start, done ones end; ``applicable``: which of these (and edit, delete)
  a campaign's state allows;
- ``results``: progress, purchases, revenue, ETA and recipients;
- ``timing``: how long sending takes (ETAs, a new campaign's send time).
"""

from ofcrm_tui.core.campaigns.applicable import CHANGES, applicable
from ofcrm_tui.core.campaigns.control import Unsent, cancel, pause, resume, retry_failed, unsent
from ofcrm_tui.core.campaigns.drafts import (
    Created,
    DraftGone,
    create,
    deletable,
    delete,
    load,
    save_draft,
)
from ofcrm_tui.core.campaigns.errors import CampaignError
from ofcrm_tui.core.campaigns.launch import launch
from ofcrm_tui.core.campaigns.placeholders import parse, preview, render
from ofcrm_tui.core.campaigns.results import (
    CampaignRow,
    RecipientRow,
    campaign,
    campaign_position,
    campaigns,
    count_campaigns,
    count_recipients,
    delivery_parts,
    progress_parts,
    recipient_position,
    recipient_rows,
    result_parts,
)
from ofcrm_tui.core.campaigns.right import may_run
from ofcrm_tui.core.campaigns.schedule import start_due_campaigns
from ofcrm_tui.core.campaigns.segment import (
    Recipient,
    Segment,
    SegmentCount,
    count,
    recipient,
    sample,
    whole_number,
)
from ofcrm_tui.core.campaigns.spec import CampaignSpec, check
from ofcrm_tui.core.campaigns.timing import SendTime, duration_text, send_duration, send_time

__all__ = [
    "CHANGES", "CampaignError", "CampaignRow", "applicable", "CampaignSpec", "Created", "DraftGone", "Recipient", "RecipientRow",
    "Segment", "SegmentCount", "campaign", "campaign_position", "campaigns", "cancel", "check",
    "count", "count_campaigns", "count_recipients", "create", "deletable", "delete",
    "delivery_parts", "duration_text",
    "launch", "load", "may_run", "parse", "pause", "preview", "progress_parts",
    "recipient", "recipient_position", "recipient_rows", "render", "result_parts", "resume",
    "retry_failed", "sample", "save_draft", "whole_number", "send_duration", "send_time", "SendTime", "start_due_campaigns",
    "Unsent", "unsent",
]
