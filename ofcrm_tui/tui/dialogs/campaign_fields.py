"""The campaign composer's form: its fields as a draft has them (the name, the message,
price and media, the start, the recipients), read back as a ``Form``, and its sections,
which ``ctrl+down`` / ``ctrl+up`` go through (Tab goes field by field in the same order)."""

from __future__ import annotations

from datetime import tzinfo

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, TextArea

from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.dialogs.campaign_form import NUMBERS, TIME_FORMAT, Form
from ofcrm_tui.tui.widgets.composer import Offer
from ofcrm_tui.tui.widgets.fields import MultilineBox, TextBox

# The first field of each section, in order: the name, the message, price and media, the
# start, the recipients.
SECTIONS = ("campaign-name", "campaign-text", "campaign-offer", "campaign-at",
            "campaign-tags_in")


def field(key: str, label: str, value: object = None, hint: str = "") -> ComposeResult:
    with Horizontal(classes="campaign-field"):
        yield Label(label)
        yield TextBox("" if value is None else str(value), placeholder=hint,
                      id=f"campaign-{key}", compact=True)


def choice(key: str, label: str, options: list[tuple[str, str]], value: str) -> ComposeResult:
    with Horizontal(classes="campaign-field"):
        yield Label(label)
        yield Select(options, value=value, allow_blank=False, id=f"campaign-{key}",
                     compact=True)


def dollars(cents: int | None) -> str:
    return format_cents(cents)[1:] if cents else ""


class CampaignFields(VerticalScroll):
    """The fields, filled from ``draft`` (empty without one); the start time is shown
    and read on the clocks of ``zone``, as every time the app shows."""

    def __init__(self, draft: CampaignSpec | None, zone: tzinfo) -> None:
        super().__init__(id="campaign-form", can_focus=False)
        self.draft, self.zone = draft, zone
        self.border_title = "Campaign"
        self.border_subtitle = "tab: next field · ctrl+↓ ctrl+↑: sections"

    def compose(self) -> ComposeResult:
        d = self.draft
        seg = d.segment if d else Segment()
        yield from field("name", "Name", d.name if d else "", "e.g. Weekend drop")
        yield Label("Message: {name} {username}; a fallback: {name|babe}",
                    classes="campaign-heading")
        yield MultilineBox(d.text if d else "", id="campaign-text", compact=True)
        with Horizontal(classes="campaign-field"):
            yield Label("Price and media (^o)")
            yield Button("", id="campaign-offer", compact=True)
        # The hint fits 80 columns.
        at = d.at.astimezone(self.zone).strftime(TIME_FORMAT) if d and d.at else ""
        yield from field("at", "Start (blank: now)", at, "YYYY-MM-DD HH:MM")
        yield Label("Recipients: every condition given", classes="campaign-heading")
        yield from field("tags_in", "Tagged (any of)", " ".join(seg.tags_in), "vip whale")
        yield from field("tags_out", "Not tagged", " ".join(seg.tags_out))
        yield from choice("status", "Subscription", [
            ("active", "active"), ("all (expired left out)", "all"),
            ("expired", "expired")], seg.status)
        yield from field("min_spent", "Spent at least $", dollars(seg.min_spent_cents))
        yield from field("max_spent", "Spent at most $", dollars(seg.max_spent_cents))
        for key, label in NUMBERS:
            yield from field(key, label, getattr(seg, key))
        yield from choice("bought_ppv", "Bought a PPV",
                          [("any", "any"), ("yes", "yes"), ("never", "no")],
                          {True: "yes", False: "no"}.get(seg.bought_ppv, "any"))
        yield from field("exclude", "Leave out fans", "", "usernames")

    def form(self, offer: Offer) -> Form:
        """The form as it stands, with ``offer`` (chosen in its own dialog)."""
        values = {w.id.removeprefix("campaign-"): w.value for w in self.query(Input) if w.id}
        for key in ("status", "bought_ppv"):
            values[key] = str(self.query_one(f"#campaign-{key}", Select).value)
        return Form(values, self.query_one("#campaign-text", TextArea).text, offer, self.zone)

    def section(self, focused: Widget | None, step: int) -> Widget | None:
        """The first field of the section after the one ``focused`` is in (``step`` 1), or
        of its own and then the previous one (-1); None past the last section or before
        the first: the focus stays (going round landed on the name, its text selected,
        and what was typed next for the recipients replaced it)."""
        order = [self.query_one(f"#{first}") for first in SECTIONS]
        fields = list(self.query("*").results())
        if focused not in fields:  # nothing focused: the first section, or the last one
            return order[0 if step > 0 else -1]
        index = fields.index(focused)
        at = sum(1 for first in order[1:] if fields.index(first) <= index)
        if step < 0 and focused is not order[at]:
            step = 0  # back to the start of this section first
        return order[at + step] if 0 <= at + step < len(order) else None
