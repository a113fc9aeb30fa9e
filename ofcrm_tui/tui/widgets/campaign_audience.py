"""The campaign composer's side panel: the live count of the segment (with how long the
send takes), a sample of its fans, and the message as a chosen one of them would read it.

``evaluate`` hands the form to a thread worker that counts the segment, reads a sample and
renders the preview, and posts them back tagged with a generation: ``stale`` (every change
to the form) moves it on, so an answer older than the newest change is never shown.
Nothing here waits on the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import Recipient
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui import wording
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock

if TYPE_CHECKING:
    from ofcrm_tui.tui.dialogs.campaign_form import Form


class CampaignAudience(Vertical):
    """Who a campaign goes to, counted again on each ``evaluate``."""

    class Evaluated(Message):
        """``refused``: the line that says why the form is refused (the count's, the
        preview's), None when neither is."""

        def __init__(self, generation: int, count: str, sample: list[Recipient],
                     preview: Text, refused: str | None = None) -> None:
            super().__init__()
            self.generation, self.count, self.sample, self.preview = (
                generation, count, sample, preview)
            self.refused = refused

    def __init__(self, db: Database, account_id: int, *, clock: Clock,
                 reply_reserve: int) -> None:
        super().__init__(id="campaign-side")
        self.db, self.account_id, self.clock = db, account_id, clock
        self.reply_reserve = reply_reserve
        self.generation = 0
        self.preview_index = 0
        self.refused: str | None = None  # the id of the line showing a refusal

    def compose(self) -> ComposeResult:
        yield Static("Counting…", id="campaign-count")
        yield Static(id="campaign-sample")
        yield Static(id="campaign-preview")

    def stale(self) -> None:
        """The form changed: an answer for what it held before is not shown."""
        self.generation += 1

    def next_recipient(self) -> None:
        """The next evaluation previews the next fan of the sample (round)."""
        self.preview_index += 1

    def evaluate(self, form: Form, campaign_id: int | None) -> None:
        """Count, sample and preview ``form``, the campaign ``campaign_id`` once saved
        (a scheduled one being edited is not queued ahead of itself)."""
        self._evaluate(self.generation, form, self.preview_index, campaign_id)

    @work(thread=True, exclusive=True, group="campaign-count", exit_on_error=False)
    def _evaluate(self, generation: int, form: Form, index: int, campaign_id: int | None) -> None:
        now = self.clock()
        sample: list[Recipient] = []
        try:
            spec = form.spec(self.db, self.account_id, now)
            found = campaigns.count(self.db, self.account_id, spec.segment, now)
            count = wording.recipients(found.recipients)
            if found.left_out():
                count += f"\n{found.left_out()}"
            if found.recipients:
                eta = campaigns.send_time(self.db, self.account_id, found.recipients,
                                          self.reply_reserve, at=spec.at, now=now,
                                          campaign_id=campaign_id)
                count += f"\nabout {campaigns.duration_text(eta.takes)} to send"
                if eta.ahead:
                    count += f" ({eta.ahead_text()})"
            sample = campaigns.sample(self.db, self.account_id, spec.segment, now)
        except OfcrmError as exc:
            self.post_message(self.Evaluated(generation, str(exc), [], Text(""), "campaign-count"))
            return
        preview, refused = Text(""), None
        if sample:
            fan = sample[index % len(sample)]
            try:
                preview = Text(f"Preview for @{clean(fan.username, single_line=True)}:\n")
                preview.append(clean(campaigns.preview(form.text, fan.fields())))
            except OfcrmError as exc:
                preview, refused = Text(str(exc), style="red"), "campaign-preview"
        self.post_message(self.Evaluated(generation, count, sample, preview, refused))

    def on_campaign_audience_evaluated(self, message: Evaluated) -> None:
        if message.generation != self.generation:
            return
        self.query_one("#campaign-count", Static).update(Text(message.count))
        names = Text("Sample:\n" if message.sample else "")
        for index, fan in enumerate(message.sample):
            mark = "▸ " if index == self.preview_index % max(len(message.sample), 1) else "  "
            names.append(f"{mark}@{clean(fan.username, single_line=True)}\n")
        self.query_one("#campaign-sample", Static).update(names)
        self.query_one("#campaign-preview", Static).update(message.preview)
        self.refused = message.refused

    def refusal(self) -> Region | None:
        """Where the refusal shown is laid out (None: none is): notices keep off it."""
        if self.refused is None:
            return None
        region = self.query_one(f"#{self.refused}").region
        return region if region.area else None
