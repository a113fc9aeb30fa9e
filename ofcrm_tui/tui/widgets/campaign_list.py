"""The campaigns list and a campaign's recipients: windows onto SQL (``PagedList``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.message import Message

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignRow, RecipientRow
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, short_time, stamp
from ofcrm_tui.tui.widgets.page_reads import RowT
from ofcrm_tui.tui.widgets.paged_list import PagedList

NOT_STARTED = "—"  # a campaign's progress and results before it started
# The list's width from which a campaign takes one line; narrower (80 columns) it takes
# two, so that none of it is cut: its results go beside its name, its progress under.
ONE_LINE = 120
NAME_WIDTH = 32  # on one line
MARGIN = " "  # before each row, as the other lists have (fans, failed messages)


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
        return campaigns.campaign_position(self.db, self.account_id, key)

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


def when_text(row: CampaignRow, now: datetime) -> str | None:
    """When the last one should be sent (``ETA 14:05``), or a scheduled one starts, to
    the minute (``starts 1 Dec 18:00``, local)."""
    if row.eta is not None:
        return f"ETA {short_time(row.eta, now)}"
    if row.scheduled_at is not None and row.status == "scheduled":
        return f"starts {stamp(row.scheduled_at, now)}"
    return None


def progress_text(row: CampaignRow, now: datetime) -> str:
    """Progress, results and ETA of a campaign, in one line; "—" where none can exist yet
    (a draft), when a scheduled one starts."""
    return _joined(campaigns.progress_parts(row), when_text(row, now))


def _joined(parts: list[str], when: str | None) -> str:
    return " · ".join(parts + ([when] if when else [])) or NOT_STARTED


class FollowedList(PagedList[RowT]):
    """A list whose screen follows its cursor's row (the campaigns footer's keys, a
    recipient's whole reason): it says when that row may be another."""

    class Highlighted(Message):
        """The cursor's row may be another: moved, or its page read."""

    def moved(self) -> None:
        self.post_message(self.Highlighted())

    def on_paged_list_page_loaded(self) -> None:
        # Handled before ``PagedList``'s own handler (the subclass's first): the message
        # posted is read once the page is held.
        self.post_message(self.Highlighted())


class CampaignList(FollowedList[CampaignRow]):
    COMPONENT_PREFIX = "campaign-list"
    COMPONENT_CLASSES = {"campaign-list--cursor", "campaign-list--placeholder",
                         "campaign-list--status"}

    class Opened(PagedList.Opened):
        """A campaign was opened."""

    class Listed(PagedList.Listed):
        pass

    class Counted(PagedList.Counted):
        pass

    class Highlighted(FollowedList.Highlighted):
        """The screen's footer offers the keys that apply to the cursor's campaign."""

    ROW_HEIGHT = 2  # one where the list is ONE_LINE wide (``on_resize``)

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def on_resize(self) -> None:
        """The row height for the width (before ``PagedList.on_resize``, which sizes the
        list by it); the row on top stays there."""
        height = 1 if self._width() >= ONE_LINE else 2
        if height != self.ROW_HEIGHT:
            top = self._top_row()
            self.ROW_HEIGHT = height
            self._size_to_count()
            self.scroll_to(y=top * height, animate=False, immediate=True, force=True)

    def render_row(self, row: CampaignRow, part: int, width: int) -> Text:
        """On one line: id, status, name, progress, results, ETA. On two: id, status,
        name and the results on the right; under them, the progress and ETA."""
        head, now = f"{MARGIN}#{row.id:<4} ", self.clock()
        name = clean(row.name, single_line=True)
        if part == 1:
            return Text(" " * len(head) + _joined(campaigns.delivery_parts(row),
                                                  when_text(row, now)))
        text = Text(head)
        text.append(f"{row.status.value:<9} ", style=self._style("status"))
        if self.ROW_HEIGHT == 1:
            text.append(f"{name[:NAME_WIDTH]:<{NAME_WIDTH + 1}}")
            text.append(progress_text(row, now))
            return text
        results = " · ".join(campaigns.result_parts(row))
        # A margin on the right as on the left: the revenue ran into the border at 80x24.
        room = width - text.cell_len - (len(results) + 2 if results else 0) - len(MARGIN)
        shown = Text(name)
        shown.truncate(max(1, room), overflow="ellipsis", pad=bool(results))
        text.append_text(shown)
        if results:
            text.append("  " + results)
        return text

    def no_rows_text(self) -> str:
        return "No campaigns yet: press n to compose one"


class RecipientList(FollowedList[RecipientRow]):
    COMPONENT_PREFIX = "recipient-list"
    COMPONENT_CLASSES = {"recipient-list--cursor", "recipient-list--placeholder",
                         "recipient-list--failed"}

    class Opened(PagedList.Opened):
        pass

    class Listed(PagedList.Listed):
        pass

    class Counted(PagedList.Counted):
        pass

    class Highlighted(FollowedList.Highlighted):
        """The screen shows the cursor's failed row's whole reason under the list."""

    def render_row(self, row: RecipientRow, part: int, width: int) -> Text:
        text = Text(MARGIN)
        text.append(f"{row.shown_state:<10}",
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
