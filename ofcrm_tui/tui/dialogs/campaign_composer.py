"""The campaign composer, all by keyboard: name, message text with placeholders, price and
media, now or at a local time, then the segment; the live count, a sample and a preview
for a chosen recipient beside them; a confirmation; ``ctrl+s`` keeps a draft.

Tab goes field by field in that order; ``ctrl+down`` / ``ctrl+up`` go by section. Esc
closes: with nothing changed it writes nothing (a scheduled campaign stays scheduled);
otherwise it keeps the draft (as a new one, saying so, when another app deleted or
started it meanwhile), asks first when the changes would unschedule a scheduled
campaign, and asks (saying why) when the draft cannot be saved as it stands. Keys typed
right after it go to the screen below.

Every change restarts a short timer; when it fires the side panel (``CampaignAudience``)
counts again from the form as it stands. The fans change under the open form too (a
poll's purchases and spend, fans edited or imported, messages sent): the app's
``DataChanged`` of those topics counts again the same way. Nothing here waits on the
database.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Select, TextArea

from ofcrm_tui.core import campaigns
from ofcrm_tui.core.access import AccessDenied
from ofcrm_tui.core.campaigns import CampaignSpec
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui import wording
from ofcrm_tui.tui.dialogs.campaign_fields import CampaignFields
from ofcrm_tui.tui.dialogs.campaign_form import Form
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.dialogs.offer import OfferDialog
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import AppScreen
from ofcrm_tui.tui.timefmt import Clock, user_zone
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.campaign_audience import CampaignAudience
from ofcrm_tui.tui.widgets.composer import Offer
from ofcrm_tui.tui.widgets.footer import KeyFooter

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.25


class CampaignComposer(Dialog[int | None], AppScreen[int | None]):
    """Returns the id of the campaign started, scheduled or kept as a draft (None: closed).

    Keys typed while it closes (after Esc, as its draft is saved) are handed on to the
    screen below once it is gone, in order: "Esc q" closes, then quits."""

    CSS_PATH = Path(__file__).parent.parent / "styles" / "campaigns.tcss"

    BINDINGS = [
        # A priority binding: Esc is acted on in the order keys came, before a key typed
        # after it reaches the field that had the focus.
        Binding("escape", "close", "Close", id="campaign_composer.close", priority=True),
        # Tab too: the text typed right after it goes to the next field.
        Binding("tab", "app.focus_next", "Next field", id="campaign_composer.next_field",
                show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field",
                id="campaign_composer.previous_field", show=False, priority=True),
        # Not priority bindings: they are acted on once the focused field has typed what
        # was read before them (a fast ctrl+s saved a message cut short), and the keys
        # read behind them wait for what they do (``Dialog``: the save's worker, the
        # focus moved to another section).
        Binding("ctrl+s", "save_draft", "Save", id="campaign_composer.save"),
        # Named for what it does (``names_now``): with a start time typed it schedules.
        Binding("ctrl+l", "launch", "Start…", id="campaign_composer.launch"),
        Binding("ctrl+down", "section(1)", "Next section", id="campaign_composer.next_section"),
        Binding("ctrl+up", "section(-1)", "Previous section",
                id="campaign_composer.previous_section", show=False),
        Binding("ctrl+o", "offer", "Price/media", id="campaign_composer.offer"),
        Binding("ctrl+n", "next_recipient", "Preview next", id="campaign_composer.next"),
    ]

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
        """The question before it starts (``scheduled``: before it is scheduled)."""

        def __init__(self, form: Form, scheduled: bool, lines: list[str]) -> None:
            super().__init__()
            self.form, self.scheduled, self.lines = form, scheduled, lines

    def __init__(self, db: Database, account_id: int, *, created_by: str, clock: Clock,
                 reply_reserve: int, draft_id: int | None = None,
                 draft: CampaignSpec | None = None, scheduled: bool = False) -> None:
        super().__init__()
        self.db, self.account_id, self.created_by, self.clock = db, account_id, created_by, clock
        self.reply_reserve = reply_reserve  # the send time reads the account's limit itself
        self.zone = user_zone(clock)  # the start time is shown and read on its clocks
        self.draft_id, self.draft = draft_id, draft
        # Editing a scheduled campaign: saving it makes it a draft (it starts no more),
        # which leaving never does without asking.
        self.scheduled_at = draft.at if scheduled and draft is not None else None
        self._saved: Form | None = None  # the form as last kept (as opened, as saved)
        self.offer = Offer(draft.price_cents, draft.media_ids, draft.preview_ids) if draft else Offer()
        self.audience = CampaignAudience(db, account_id, clock=clock,
                                         reply_reserve=reply_reserve)
        self._timer: Timer | None = None
        self._later = bool(draft and draft.at)  # a start time is typed: ctrl+l schedules
        self._leaving = False  # Esc was pressed: the draft is being kept, keys wait
        self._typed_ahead: list[events.Key] = []
        self._focus_before: Widget | None = None

    # -- layout --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="campaign-composer", classes="dialog"):
            yield CampaignFields(self.draft, self.zone)
            yield self.audience
        yield KeyFooter()

    def on_mount(self) -> None:
        self._saved = self._form()
        self._show_offer()
        # At once (``focus()`` waits a turn): a Tab typed right behind the key that
        # opened the composer found no field focused yet and went nowhere.
        self.set_focus(self.query_one("#campaign-name", Input))
        self.ofcrm.changes.subscribe(self, self._data_changed)
        # Notices over the side panel, at its bottom, off a refusal it shows (at 80x24
        # they covered the end of the preview's): the form is what is being typed.
        keep_toasts_over(self, self.audience, self.audience.refusal, top=False)
        self._evaluate_soon()

    # -- keys ----------------------------------------------------------------------

    def action_section(self, step: int) -> None:
        """Focus the first field of the next section (``step`` 1), or of this one and
        then the previous one (-1); at the last section (or the first) it stays."""
        target = self.query_one(CampaignFields).section(self.focused, step)
        if target is not None:
            self.set_focus(target)  # at once (``focus()`` waits a turn): keys may come fast

    @on(Input.Submitted)
    def _next_field(self) -> None:
        """Enter in a one-line field goes on to the next one."""
        self.focus_next()

    def on_key(self, event: events.Key) -> None:
        """Keys typed while closing come here (the focus is let go): handed on, in
        order, once closed."""
        if self._leaving:
            event.stop()
            event.prevent_default()
            # A fresh event: one is dispatched once.
            self._typed_ahead.append(events.Key(event.key, event.character))

    def _leave(self, campaign_id: int | None) -> None:
        """Close, then hand the keys typed meanwhile to what is below."""
        keys, self._typed_ahead = self._typed_ahead, []
        self.dismiss(campaign_id)
        for key in keys:
            self.app.post_message(key)

    # -- live count, sample and preview --------------------------------------------

    def _form(self) -> Form:
        return self.query_one(CampaignFields).form(self.offer)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _evaluate_soon(self) -> None:
        self.audience.stale()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._evaluate_now)

    def _data_changed(self, change: DataChanged) -> None:
        """Who the segment holds moved: spend, purchases and last seen come with a poll
        ("inbox"), tags and fans with an edit or an import ("fans"), the last message
        sent with a send ("outbox")."""
        if change.touches("inbox", "fans", "outbox"):
            self._evaluate_soon()

    @on(Input.Changed, "#campaign-at")
    def _start_changed(self, event: Input.Changed) -> None:
        later = bool(event.value.strip())
        if later != self._later:
            self._later = later
            self.refresh_bindings()  # the footer: ctrl+l "Schedule…" or "Start…"

    def names_now(self, binding: Binding) -> str:
        """ctrl+l is offered as what it will do: "Schedule…" with a start time typed,
        "Start…" without (as the question it asks)."""
        if binding.id == "campaign_composer.launch" and self._later:
            return "Schedule…"
        return super().names_now(binding)

    def _evaluate_now(self) -> None:
        self.audience.evaluate(self._form(), self.draft_id)

    def action_next_recipient(self) -> None:
        self.audience.next_recipient()
        self._evaluate_soon()

    # -- offer ---------------------------------------------------------------------

    def _show_offer(self) -> None:
        text = self.offer.describe() or "Free, no media"
        self.query_one("#campaign-offer", Button).label = Text(text)

    @on(Button.Pressed, "#campaign-offer")
    def _offer_pressed(self) -> None:
        self.action_offer()

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
        if any(select.expanded for select in self.query(Select)):
            raise SkipAction()  # Esc closes the open list of choices first
        if self._leaving:
            return
        # Esc is acted on as read, before the fields have typed the keys read ahead of
        # it (``n``, a name, Tab, a message and Esc in one burst looked unchanged and
        # closed: the draft was lost). It decides once every field has, each in its own
        # queue; the keys read behind it wait until the composer has closed (the draft
        # kept: ``on_campaign_composer_done``) or asks.
        self.ofcrm.expect_dialog()
        self._once_typed([*self.query(Input), self.query_one("#campaign-text")])

    def _once_typed(self, fields: list[Widget]) -> None:
        """Close once each of ``fields`` has acted on the keys queued for it before."""
        if fields:
            fields[0].call_later(self._once_typed, fields[1:])
        else:
            self._close()

    def _close(self) -> None:
        if self._leaving:
            return
        form = self._form()
        if form == self._saved:
            self._leave(None)  # nothing to keep, or kept already: nothing is written
            return
        form = self._named(form)
        if self.scheduled_at is not None:
            self._ask_unschedule(form, self.scheduled_at)
            return
        self._save_and_leave(form)

    def _save_and_leave(self, form: Form) -> None:
        self._leaving = True  # until the draft is kept (or cannot be): keys wait
        self._focus_before = self.focused
        self.set_focus(None)
        self._save(form, close=True)

    def _ask_unschedule(self, form: Form, at: datetime) -> None:
        """Esc on a changed scheduled campaign: keep editing (the default), leave it
        scheduled as it was, or keep the changes as a draft that does not start."""
        when = f"{at.astimezone(self.zone):%a %d %b %H:%M}"
        choices = [(Text("Keep editing"), None),
                   (Text(f"Leave without saving: it stays scheduled for {when}"), "leave"),
                   (Text("Save the changes as a draft: it will not start"), "draft")]

        def answered(choice: str | None) -> None:
            if choice == "leave":
                self._leave(None)
            elif choice == "draft":
                self._save_and_leave(form)

        self.app.push_screen(ChoiceDialog(f"Scheduled for {when}: the changes are not saved",
                                          lambda: choices), answered)

    async def flush(self) -> None:
        """Keep what is typed as a draft, as Esc would (the app is quitting); a changed
        scheduled campaign stays scheduled as it was (there is no one left to ask)."""
        form = self._form()
        if form != self._saved and self.scheduled_at is None and not self._leaving:
            await self._save(self._named(form), close=False).wait()

    def _named(self, form: Form) -> Form:
        """What was typed without a name is kept under one made of the time (Esc left
        the text behind without a word)."""
        if form.values["name"].strip():
            return form
        return replace(form, values={**form.values, "name": f"Untitled {self.clock():%d %b %H:%M}"})

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _save(self, form: Form, close: bool) -> None:
        note = "Draft saved" + (": it is no longer scheduled" if self.scheduled_at else "")
        try:
            spec = form.spec(self.db, self.account_id, self.clock())
            try:
                self.draft_id = campaigns.save_draft(self.db, self.account_id, spec,
                                                     created_by=self.created_by,
                                                     campaign_id=self.draft_id)
            except campaigns.DraftGone as gone:  # another app deleted or started it
                self.draft_id = campaigns.save_draft(self.db, self.account_id, spec,
                                                     created_by=self.created_by)
                note = f"Saved as a new draft, #{self.draft_id}: {gone}"
        except Exception as exc:  # noqa: BLE001 - leaving must answer, whatever broke
            if not isinstance(exc, OfcrmError):
                log.exception("campaign draft not saved")
            reason = str(exc) if isinstance(exc, OfcrmError) else f"{type(exc).__name__}: {exc}"
            if close:  # leaving: ask instead of a notice per try
                self.post_message(self.Unsaved(reason))
            else:
                self.post_message(self.Done(f"Draft not saved: {reason}", True, None, False))
            return
        self._saved, self.scheduled_at = form, None
        self.post_message(self.Done(note, False, self.draft_id, close))

    def action_launch(self) -> None:
        """Decided by the form as read now (a start time typed in the burst of ctrl+l is
        in it before the field's Changed message renames the footer's key)."""
        self._check(self._form())

    def _refused(self, exc: OfcrmError, scheduled: bool) -> None:
        """Why the campaign was not started, or not scheduled (a start time typed)."""
        verb = "scheduled" if scheduled else "started"
        self.post_message(self.Done(f"Not {verb}: {exc}", True, None, False))

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _check(self, form: Form) -> None:
        now = self.clock()
        try:  # the right first: a chatter without it is not shown a plan it cannot start
            campaigns.may_run(self.db, self.account_id)
        except AccessDenied as denied:
            self.post_message(self.Done(str(denied), True, None, False))
            return
        try:
            spec = form.spec(self.db, self.account_id, now)
            checked = campaigns.check(self.db, self.account_id, spec, created_by=self.created_by,
                                      now=now)
            eta = campaigns.send_time(self.db, self.account_id, checked.recipients,
                                      self.reply_reserve, at=spec.at, now=now,
                                      campaign_id=self.draft_id)
        except OfcrmError as exc:
            self._refused(exc, scheduled=bool(form.values["at"].strip()))
            return
        ahead = f", {eta.ahead_text()}" if eta.ahead else ""
        when = "now" if spec.at is None else f"at {spec.at.astimezone(self.zone):%a %d %b %H:%M}"
        self.post_message(self.Confirm(form, spec.at is not None, [
            f"{wording.recipients(checked.recipients)} · {spec.describe_offer()} · starts {when}",
            f"to {spec.segment.describe()}",
            *filter(None, [checked.found.left_out()]),
            f"about {campaigns.duration_text(eta.takes)} at {eta.limit}/min "
            f"({self.reply_reserve} kept for replies{ahead})",
        ]))

    def on_campaign_composer_confirm(self, message: Confirm) -> None:
        summary = Text("\n".join(message.lines))
        # Not starting first (as for every question whose yes cannot be undone): an
        # Enter typed by habit does not send to every recipient.
        verb = "Schedule" if message.scheduled else "Start"
        choices = [(Text("Not now"), False), (Text(f"{verb}: ") + summary, True)]

        def answered(go: bool | None) -> None:
            if go:
                self._create(message.form, message.scheduled)

        self.app.push_screen(ChoiceDialog(f"{verb} this campaign?", lambda: choices), answered)

    @work(thread=True, group="campaign-act", exit_on_error=False)
    def _create(self, form: Form, scheduled: bool) -> None:
        now = self.clock()
        try:
            spec = form.spec(self.db, self.account_id, now)
            created = campaigns.create(self.db, self.account_id, spec, created_by=self.created_by,
                                       now=now, draft_id=self.draft_id)
        except OfcrmError as exc:
            self._refused(exc, scheduled)
            return
        verb = "scheduled" if created.status == "scheduled" else "started"
        self.post_message(self.Done(f"Campaign {verb}: {wording.recipients(created.recipients)}",
                                    False, created.campaign_id, True))

    def on_campaign_composer_unsaved(self, message: Unsaved) -> None:
        """Keep editing (the default) or leave without the draft."""
        self._leaving = False
        self._typed_ahead.clear()
        if self._focus_before is not None:
            self._focus_before.focus()
        reason = clean(message.reason, single_line=True)
        choices = [(Text("Keep editing"), False),
                   (Text("Close without saving this draft"), True)]

        def answered(leave: bool | None) -> None:
            if leave:
                self._leave(None)

        # The reason in the body, wrapped whole (the title cut it at the border).
        self.app.push_screen(
            ChoiceDialog("This draft cannot be saved", lambda: choices, body=reason), answered
        )

    def on_campaign_composer_done(self, message: Done) -> None:
        self.ofcrm.dialog_ready(self)
        self.notify(clean(message.note, single_line=True),
                    severity="error" if message.error else "information", markup=False)
        if message.close:
            self._leave(message.campaign_id)
