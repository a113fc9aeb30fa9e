"""The campaigns list and a campaign's recipients: windows onto SQL (``PagedList``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignRow, RecipientRow
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, short_time
from ofcrm_tui.tui.widgets.paged_list import PagedList

NOT_STARTED = "—"  # a campaign's progress and results before it started


@dataclass(frozen=True)
class CampaignSource:
    db: Database
    account_id: int
    reply_reserve: int
    now: datetime

    def window(self, offset: int, limit: int, anchor: CampaignRow | None) -> list[CampaignRow]:
        return campaigns.campaigns(self.db, self.account_id, offset=offset, limit=limit,
                                   reply_reserve=self.reply_reserve, now=self.now)

    def count(self) -> int:
        return campaigns.count_campaigns(self.db, self.account_id)

    def position(self, key: int) -> int | None:
        return None  # the list is short: it opens at the top

    def key(self, row: CampaignRow) -> int:
        return row.id


@dataclass(frozen=True)
class RecipientSource:
    db: Database
    account_id: int
    campaign_id: int

    def window(self, offset: int, limit: int, anchor: RecipientRow | None) -> list[RecipientRow]:
        after = anchor.outbound_id if anchor is not None else None
        return campaigns.recipient_rows(self.db, self.account_id, self.campaign_id,
                                        after_id=after, offset=offset, limit=limit)

    def count(self) -> int:
        return campaigns.count_recipients(self.db, self.account_id, self.campaign_id)

    def position(self, key: int) -> int | None:
        return campaigns.recipient_position(self.db, self.account_id, self.campaign_id, key)

    def key(self, row: RecipientRow) -> int:
        return row.outbound_id


def progress_text(row: CampaignRow, now: datetime) -> str:
    """Progress, results and ETA of a campaign, in one line; "—" where none can exist yet
    (a draft), when a scheduled one starts."""
    parts = campaigns.progress_parts(row)
    if row.eta is not None:
        parts.append(f"ETA {short_time(row.eta, now)}")
    elif row.scheduled_at is not None and row.status == "scheduled":
        parts.append(f"starts {short_time(row.scheduled_at, now)}")
    return " · ".join(parts) or NOT_STARTED


class CampaignList(PagedList[CampaignRow]):
    COMPONENT_PREFIX = "campaign-list"
    COMPONENT_CLASSES = {"campaign-list--cursor", "campaign-list--placeholder",
                         "campaign-list--status"}

    class Opened(PagedList.Opened):
        """A campaign was opened."""

    class Listed(PagedList.Listed):
        pass

    class Counted(PagedList.Counted):
        pass

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def render_row(self, row: CampaignRow, part: int, width: int) -> Text:
        text = Text(f"#{row.id:<4} ")
        text.append(f"{row.status.value:<9} ", style=self._style("status"))
        name = clean(row.name, single_line=True)[:32]
        text.append(f"{name:<33}")
        text.append(progress_text(row, self.clock()))
        return text

    def no_rows_text(self) -> str:
        return "No campaigns yet: press n to compose one"


class RecipientList(PagedList[RecipientRow]):
    COMPONENT_PREFIX = "recipient-list"
    COMPONENT_CLASSES = {"recipient-list--cursor", "recipient-list--placeholder",
                         "recipient-list--failed"}

    class Opened(PagedList.Opened):
        pass

    class Listed(PagedList.Listed):
        pass

    class Counted(PagedList.Counted):
        pass

    def render_row(self, row: RecipientRow, part: int, width: int) -> Text:
        text = Text(f"{row.state.value:<10}",
                    style=self._style("failed") if row.state == "failed" else "")
        text.append(clean(row.display_name, single_line=True)[:24].ljust(25))
        text.append("@" + clean(row.username, single_line=True)[:20], style="dim")
        if row.bought:
            text.append("  bought", style="bold")
        if row.last_error and row.state == "failed":
            text.append("  " + clean(row.last_error, single_line=True), style="dim")
        return text

    def no_rows_text(self) -> str:
        return "No recipients: the campaign has not started"
