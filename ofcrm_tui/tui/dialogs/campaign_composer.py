"""The campaign composer, all by keyboard: name, segment, live count and sample, text
with placeholders and a preview for a chosen recipient, price and media, now or at a
local time, a confirmation; ``ctrl+s`` keeps a draft.

Every change restarts a short timer; when it fires a thread worker counts the segment,
reads a sample and renders the preview, and posts them back (tagged with a generation,
so an older answer never overwrites a newer one). Nothing here waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec, Recipient, Segment
from ofcrm_tui.core.fans import resolve_fan
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.platform.money import MoneyError, format_cents, parse_dollars
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock
from ofcrm_tui.tui.widgets.composer import Offer

DEBOUNCE_SECONDS = 0.25
# (input id, label): the whole-number fields of the segment, in Segment's names.
NUMBERS = (
    ("inactive_days", "Not seen for N days"),
    ("active_days", "Seen within N days"),
    ("purchased_days", "Bought within N days"),
    ("no_purchase_days", "Bought nothing for N days"),
    ("subscribed_days", "Subscribed within N days"),
    ("expiring_days", "Expiring within N days"),
    ("not_messaged_days", "Not messaged for N days"),
    ("skip_live_minutes", "Skip chats live in the last N min"),
)
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _words(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.strip() for w in value.replace(",", " ").split() if w.strip()))


def _whole(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise OfcrmError(f"{label}: {value!r} is not a whole number")
    return int(value)


def _cents(value: str, label: str) -> int | None:
    value = value.strip().removeprefix("$")
    if not value:
        return None
    try:
        return parse_dollars(value)
    except MoneyError:
        raise OfcrmError(f"{label}: {value!r} is not an amount like 25 or 9.99") from None


def local_time(value: str, now: datetime) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` in local time (the zone of ``now``), as an aware time."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        raise OfcrmError(f"start time: {value!r} is not YYYY-MM-DD HH:MM") from None
    return moment.replace(tzinfo=now.tzinfo).astimezone()


@dataclass(frozen=True)
class Form:
    """What the composer's fields hold (read on the event loop, used in workers)."""

    values: dict[str, str]
    text: str
    offer: Offer

    def spec(self, db: Database, account_id: int, now: datetime) -> CampaignSpec:
        v = self.values
        excluded = tuple(resolve_fan(db, account_id, ref).id for ref in _words(v["exclude"]))
        numbers = {key: _whole(v[key], label) for key, label in NUMBERS}
        ppv = {"yes": True, "no": False}.get(v["bought_ppv"])
        segment = Segment(
            tags_in=_words(v["tags_in"]), tags_out=_words(v["tags_out"]),
            status=v["status"] or "active",  # type: ignore[arg-type]
            min_spent_cents=_cents(v["min_spent"], "min spent"),
            max_spent_cents=_cents(v["max_spent"], "max spent"),
            bought_ppv=ppv, exclude_fan_ids=excluded, **numbers,
        )
        return CampaignSpec(
            name=v["name"], text=self.text, segment=segment,
            price_cents=self.offer.price_cents, media_ids=self.offer.media_ids,
            preview_ids=self.offer.preview_ids, at=local_time(v["at"], now),
        )


class CampaignComposer(ModalScreen[int | None]):
    """Returns the id of the campaign started, scheduled or kept as a draft (None: closed)."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "campaigns.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="campaign_composer.close"),
        Binding("ctrl+s", "save_draft", "Save draft", id="campaign_composer.save"),
        Binding("ctrl+l", "launch", "Start…", id="campaign_composer.launch"),
        Binding("ctrl+o", "offer", "Price/media", id="campaign_composer.offer"),
        Binding("ctrl+n", "next_recipient", "Next preview", id="campaign_composer.next"),
    ]

    class Evaluated(Message):
        def __init__(self, generation: int, count: str, sample: list[Recipient],
                     preview: Text) -> None:
            super().__init__()
            self.generation, self.count, self.sample, self.preview = (
                generation, count, sample, preview)

    class Done(Message):
        """A worker finished an action: a note, and the campaign id when it closes."""

        def __init__(self, note: str, error: bool, campaign_id: int | None, close: bool) -> None:
            super().__init__()
            self.note, self.error, self.campaign_id, self.close = note, error, campaign_id, close

    class Unsaved(Message):
        """Closing a draft that cannot be saved as it stands: why."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Confirm(Message):
        def __init__(self, form: Form, lines: list[str]) -> None:
            super().__init__()
            self.form, self.lines = form, lines

    def __init__(self, db: Database, account_id: int, *, created_by: str, clock: Clock,
                 limit: int, reply_reserve: int, draft_id: int | None = None,
                 draft: CampaignSpec | None = None) -> None:
        super().__init__()
        self.db, self.account_id, self.created_by, self.clock = db, account_id, created_by, clock
        self.limit, self.reply_reserve = limit, reply_reserve
        self.draft_id, self.draft = draft_id, draft
        self.offer = Offer(draft.price_cents, draft.media_ids, draft.preview_ids) if draft else Offer()
        self.generation = 0
        self.preview_index = 0
        self.sample: list[Recipient] = []
        self._timer: Timer | None = None

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        d = self.draft
        seg = d.segment if d else Segment()

        def field(key: str, label: str, value: object = None, hint: str = "") -> ComposeResult:
            with Horizontal(classes="campaign-field"):
                yield Label(label)
                yield Input("" if value is None else str(value), placeholder=hint,
                            id=f"campaign-{key}")

        with Horizontal(id="campaign-composer", classes="dialog"):
            with VerticalScroll(id="campaign-form") as form:
                form.border_title = "Campaign"
                yield from field("name", "Name", d.name if d else "", "e.g. Weekend drop")
                yield from field("tags_in", "Tags (any of)", " ".join(seg.tags_in))
                yield from field("tags_out", "Not tagged", " ".join(seg.tags_out))
                with Horizontal(classes="campaign-field"):
                    yield Label("Subscription")
                    yield Select([("active", "active"), ("all (expired left out)", "all"),
                                  ("expired", "expired")], value=seg.status, allow_blank=False,
                                 id="campaign-status")
                yield from field("min_spent", "Spent at least $",
                                 format_cents(seg.min_spent_cents)[1:] if seg.min_spent_cents else "")
                yield from field("max_spent", "Spent at most $",
                                 format_cents(seg.max_spent_cents)[1:] if seg.max_spent_cents else "")
                for key, label in NUMBERS:
                    yield from field(key, label, getattr(seg, key))
                with Horizontal(classes="campaign-field"):
                    yield Label("Bought a PPV")
                    yield Select([("any", "any"), ("yes", "yes"), ("never", "no")],
                                 value={True: "yes", False: "no"}.get(seg.bought_ppv, "any"),
                                 allow_blank=False, id="campaign-bought_ppv")
                yield from field("exclude", "Leave out fans", "", "usernames")
                yield Label("Message: {name} {nickname} {username}, fallback {nickname|babe}")
                yield TextArea(d.text if d else "", id="campaign-text")
                yield Static(id="campaign-offer")
                yield from field("at", "Start at (local)",
                                 d.at.astimezone().strftime(TIME_FORMAT) if d and d.at else "",
                                 "now, or YYYY-MM-DD HH:MM")
            with Vertical(id="campaign-side"):
                yield Static("Counting…", id="campaign-count")
                yield Static(id="campaign-sample")
                yield Static(id="campaign-preview")
        yield Footer()

    def on_mount(self) -> None:
        self._show_offer()
        self.query_one("#campaign-name", Input).focus()
        self._evaluate_soon()

    # -- live count, sample and preview --------------------------------------------

    def _form(self) -> Form:
        values = {w.id.removeprefix("campaign-"): w.value for w in self.query(Input) if w.id}
        for key in ("status", "bought_ppv"):
            values[key] = str(self.query_one(f"#campaign-{key}", Select).value)
        return Form(values, self.query_one("#campaign-text", TextArea).text, self.offer)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _evaluate_soon(self) -> None:
        self.generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._evaluate_now)

    def _evaluate_now(self) -> None:
        self._evaluate(self.generation, self._form(), self.preview_index)

    @work(thread=True, exclusive=True, group="campaign-count", exit_on_error=False)
    def _evaluate(self, generation: int, form: Form, index: int) -> None:
        now = self.clock()
        sample: list[Recipient] = []
        try:
            spec = form.spec(self.db, self.account_id, now)
            found = campaigns.count(self.db, self.account_id, spec.segment, now)
            count = f"{found.recipients:,} recipients"
            if found.expired:
                count += f" ({found.expired:,} expired left out)"
            takes = campaigns.send_duration(found.recipients, self.limit, self.reply_reserve)
            count += f"\nabout {campaigns.duration_text(takes)} to send"
            sample = campaigns.sample(self.db, self.account_id, spec.segment, now)
        except OfcrmError as exc:
            self.post_message(self.Evaluated(generation, str(exc), [], Text("")))
            return
        preview = Text("")
        if sample:
            fan = sample[index % len(sample)]
            try:
                preview = Text(f"Preview for @{clean(fan.username, single_line=True)}:\n")
                preview.append(clean(campaigns.preview(form.text, fan.fields())))
            except OfcrmError as exc:
                preview = Text(str(exc), style="red")
        self.post_message(self.Evaluated(generation, count, sample, preview))

    def on_campaign_composer_evaluated(self, message: Evaluated) -> None:
        if message.generation != self.generation:
            return
        self.sample = message.sample
        self.query_one("#campaign-count", Static).update(Text(message.count))
        names = Text("Sample:\n" if message.sample else "")
        for index, fan in enumerate(message.sample):
            mark = "▸ " if index == self.preview_index % max(len(message.sample), 1) else "  "
            names.append(f"{mark}@{clean(fan.username, single_line=True)}\n")
        self.query_one("#campaign-sample", Static).update(names)
        self.query_one("#campaign-preview", Static).update(message.preview)

    def action_next_recipient(self) -> None:
        self.preview_index += 1
        self._evaluate_soon()

    # -- offer ---------------------------------------------------------------------

    def _show_offer(self) -> None:
        text = f"{self.offer.describe() or 'Free, no media'}  (ctrl+o: price and media)"
        self.query_one("#campaign-offer", Static).update(Text(text))

    def action_offer(self) -> None:
        def chosen(offer: Offer | None) -> None:
            if offer is not None:
                self.offer = offer
                self._show_offer()
                self._evaluate_soon()

        self.app.push_screen(OfferDialog(self.db, self.account_id, self.offer, clock=self.clock),
                             chosen)

    # -- save, launch, close -------------------------------------------------------

    def action_save_draft(self) -> None:
        self._save(self._form(), close=False)

    def action_close(self) -> None:
        form = self._form()
        if form.values["name"].strip():
            self._save(form, close=True)  # kept as a draft
        else:
            self.dismiss(None)

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _save(self, form: Form, close: bool) -> None:
        try:
            spec = form.spec(self.db, self.account_id, self.clock())
            self.draft_id = campaigns.save_draft(self.db, self.account_id, spec,
                                                 created_by=self.created_by,
                                                 campaign_id=self.draft_id)
        except OfcrmError as exc:
            if close:  # leaving: ask instead of a notice per try
                self.post_message(self.Unsaved(str(exc)))
            else:
                self.post_message(self.Done(f"Draft not saved: {exc}", True, None, False))
            return
        self.post_message(self.Done("Draft saved", False, self.draft_id, close))

    def action_launch(self) -> None:
        self._check(self._form())

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _check(self, form: Form) -> None:
        now = self.clock()
        try:
            spec = form.spec(self.db, self.account_id, now)
            checked = campaigns.check(self.db, self.account_id, spec, created_by=self.created_by,
                                      now=now)
        except OfcrmError as exc:
            self.post_message(self.Done(f"Not started: {exc}", True, None, False))
            return
        takes = campaigns.send_duration(checked.recipients, self.limit, self.reply_reserve)
        when = "now" if spec.at is None else f"at {spec.at.astimezone():%a %d %b %H:%M}"
        self.post_message(self.Confirm(form, [
            f"{checked.recipients:,} recipients · {spec.describe_offer()} · starts {when}",
            f"about {campaigns.duration_text(takes)} at {self.limit}/min "
            f"({self.reply_reserve} kept for replies)",
        ]))

    def on_campaign_composer_confirm(self, message: Confirm) -> None:
        summary = Text("\n".join(message.lines))
        choices = [(Text("Start: ") + summary, True), (Text("Not now"), False)]

        def answered(go: bool | None) -> None:
            if go:
                self._create(message.form)

        self.app.push_screen(ChoiceDialog("Start this campaign?", lambda: choices), answered)

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _create(self, form: Form) -> None:
        now = self.clock()
        try:
            spec = form.spec(self.db, self.account_id, now)
            created = campaigns.create(self.db, self.account_id, spec, created_by=self.created_by,
                                       now=now, draft_id=self.draft_id)
        except OfcrmError as exc:
            self.post_message(self.Done(f"Not started: {exc}", True, None, False))
            return
        verb = "scheduled" if created.status == "scheduled" else "started"
        self.post_message(self.Done(f"Campaign {verb}: {created.recipients:,} recipients",
                                    False, created.campaign_id, True))

    def on_campaign_composer_unsaved(self, message: Unsaved) -> None:
        """Keep editing (the default) or leave without the draft."""
        reason = clean(message.reason, single_line=True)
        choices = [(Text("Keep editing"), False),
                   (Text("Close without saving this draft"), True)]

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        self.app.push_screen(
            ChoiceDialog(f"This draft cannot be saved: {reason}", lambda: choices), answered
        )

    def on_campaign_composer_done(self, message: Done) -> None:
        self.notify(clean(message.note, single_line=True),
                    severity="error" if message.error else "information", markup=False)
        if message.close:
            self.dismiss(message.campaign_id)
