"""Campaigns: the list with progress, ETA and results; a campaign's offer, recipients and
their states; pause, resume, cancel, retry its failed rows, delete a draft; the composer
for a new one or a draft."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Static

from ofcrm_tui.core import access, campaigns
from ofcrm_tui.core.campaigns import CampaignRow
from ofcrm_tui.core.wording import counted
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.notices import OneNotice
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.widgets.campaign_list import (
    NOT_STARTED,
    CampaignList,
    CampaignSource,
    RecipientList,
    RecipientSource,
    progress_text,
)
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import OPEN_AT_ONCE
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from ofcrm_tui.tui.wording import retried_note

REFRESH_SECONDS = 2.0


class CampaignsScreen(OfcrmScreen):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "campaigns.tcss"
    # As in the inbox: every key is acted on as it is read (priority), in the order
    # typed, Enter opens the campaign at once and the focus moves at once: "enter esc"
    # opens and closes a campaign (Esc went back to the inbox).
    BINDINGS = [
        OPEN_AT_ONCE,
        Binding("n", "compose", "New", id="campaigns.new", priority=True),
        Binding("e", "edit", "Edit draft", id="campaigns.edit", priority=True),
        Binding("p", "act('pause')", "Pause", id="campaigns.pause", priority=True),
        Binding("r", "act('resume')", "Resume", id="campaigns.resume", priority=True),
        Binding("x", "ask('cancel')", "Cancel", id="campaigns.cancel", priority=True),
        Binding("R", "act('retry')", "Retry failed", id="campaigns.retry", priority=True),
        Binding("D", "ask('delete')", "Delete draft", id="campaigns.delete", priority=True),
        Binding("tab", "switch_pane", "Pane", id="campaigns.pane", show=False, priority=True),
        Binding("escape", "back", "Back", id="campaigns.back", priority=True),
    ]
    ROW_ACTIONS = frozenset({"edit", "act", "ask"})
    ROW_LIST = CampaignList

    class Acted(Message):
        def __init__(self, note: str, severity: SeverityLevel) -> None:
            super().__init__()
            self.note, self.severity = note, severity

    def __init__(self) -> None:
        super().__init__()
        self.opened: CampaignRow | None = None
        self.offered: frozenset[str] = frozenset()  # what applies to ``_current()``
        self._refusal: OneNotice | None = None  # the one refusal up (``_refused``)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        with Vertical(id="campaigns-body"):
            yield CampaignList(self.ofcrm.clock, id="campaign-list")
            with Vertical(id="campaign-detail"):
                yield Static(id="campaign-summary")
                yield RecipientList(id="recipient-list")
                # The cursor's failed row's whole reason: its row cuts it at 80 columns.
                yield Static(id="recipient-reason")
        yield StatusBar(clock=self.ofcrm.clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Campaigns"
        self.query_one("#campaign-list").border_title = "Campaigns"
        self.query_one("#campaign-detail").display = False
        self.follow_changes(self._on_changed)
        self.set_interval(REFRESH_SECONDS, self._refresh)
        self._show()
        self.set_focus(self.query_one(CampaignList))

    # -- data ----------------------------------------------------------------------

    @property
    def _reserve(self) -> int:
        return self.ofcrm.context.settings.reply_reserve_per_minute

    def _show(self, keep_id: int | None = None) -> None:
        account = self.ofcrm.account
        if account is None:
            return
        self.query_one(CampaignList).show(
            CampaignSource(self.ofcrm.context.db, account.id, self._reserve, self.ofcrm.now_utc()),
            keep_id=keep_id)

    def _refresh(self) -> None:
        """Progress moves while the screen is open: reload the windows in view."""
        account = self.ofcrm.account
        if account is None:
            return
        listing = self.query_one(CampaignList)
        listing.source = CampaignSource(self.ofcrm.context.db, account.id, self._reserve,
                                        self.ofcrm.now_utc())
        listing.refresh_rows()
        if self.opened is not None:
            self.query_one(RecipientList).refresh_rows()
            self._load_summary(account.id, self.opened.id)

    def _on_changed(self, change: DataChanged) -> None:
        if change.touches("account"):
            if self.opened is not None:  # (else Esc's back goes to the inbox)
                self.action_back()
            self._show()
        elif change.touches("outbox"):
            self._refresh()

    def let_go(self) -> None:
        super().let_go()
        if self.opened is not None:  # its summary closes with it
            self.action_back()

    def action_open(self) -> None:
        self.query_one(CampaignList).open_cursor(self._open)

    def on_campaign_list_opened(self, message: CampaignList.Opened) -> None:
        self._open(message.row)

    def _open(self, row: CampaignRow, *, focus: bool = True) -> None:
        account = self.ofcrm.account
        if account is None:
            return
        self.opened = row
        self.query_one("#campaign-detail").display = True
        self._summary(row)
        recipients = self.query_one(RecipientList)
        recipients.show(RecipientSource(self.ofcrm.context.db, account.id, row.id))
        if focus:
            self.set_focus(recipients)

    class Summary(Message):
        def __init__(self, row: CampaignRow) -> None:
            super().__init__()
            self.row = row

    @work(thread=True, exclusive=True, group="campaign-summary", exit_on_error=False)
    def _load_summary(self, account_id: int, campaign_id: int) -> None:
        row = campaigns.campaign(self.ofcrm.context.db, account_id, campaign_id,
                                 reply_reserve=self._reserve, now=self.ofcrm.now_utc())
        self.post_message(self.Summary(row))

    def on_campaigns_screen_summary(self, message: Summary) -> None:
        if self.opened is not None and message.row.id == self.opened.id:
            self.opened = message.row
            self._summary(message.row)
            self._offer()

    def _summary(self, row: CampaignRow) -> None:
        text = Text(f"#{row.id} {clean(row.name, single_line=True)} — {row.status.value}",
                    style="bold")
        text.append("".join(f" · {part}" for part in row.offer) + "\n")
        text.append(clean(row.text, single_line=True)[:200] + "\n")
        progress = progress_text(row, self.ofcrm.clock())
        if not row.started:
            when = "" if progress == NOT_STARTED else f" · {progress}"
            progress = f"Not started yet: no recipients, no results{when}"
        text.append(progress)
        if row.launch_error:
            text.append(f"\nNot started: {clean(row.launch_error, single_line=True)}", style="red")
        self.query_one("#campaign-summary", Static).update(text)

    # -- actions -------------------------------------------------------------------

    def shows_now(self, binding: Binding) -> bool:
        """The keys that change a campaign are named only while they apply to the one
        they act on (``applicable``): a draft offers e and D, not p, r and R. Pressed
        anyway, each still says why not."""
        change = (binding.id or "").removeprefix("campaigns.")
        if change in campaigns.CHANGES:
            return change in self.offered
        return super().shows_now(binding)

    def _offer(self) -> None:
        """The footer offers what applies to the campaign the keys act on now; kept
        while that row is read (a jump to a page not in yet), and drawn again only
        when it changes (not at every ``j``)."""
        row = self._current()
        if row is None:
            return
        offered = campaigns.applicable(row)
        if offered != self.offered:
            self.offered = offered
            self.refresh_bindings()

    def on_campaign_list_highlighted(self) -> None:
        self._offer()

    @on(RecipientList.Highlighted)
    @on(RecipientList.Listed)
    def _show_reason(self) -> None:
        row = self.query_one(RecipientList).cursor_row
        reason = self.query_one("#recipient-reason", Static)
        failed = row is not None and row.state == "failed" and bool(row.last_error)
        reason.display = failed
        if failed:
            reason.update(literal(row.last_error, "red", single_line=True))

    def on_campaign_list_listed(self) -> None:
        self._offer()  # read again: its state may have moved (paused, done)

    @on(events.DescendantFocus)
    def _focus_moved(self) -> None:
        self._offer()  # tab: the keys act on the open campaign, or the list's

    def _current(self) -> CampaignRow | None:
        """The campaign ``e``, ``p``, ``r``, ``x`` and ``R`` act on: the highlighted row
        while the list has the focus (what the eye is on, as in the inbox), else the
        open one. ``Screen.focused``, not ``has_focus``: the palette takes the focus."""
        listing = self.query_one(CampaignList)
        if self.focused is listing or self.opened is None:
            return listing.cursor_row
        return self.opened

    def action_back(self) -> None:
        if self.opened is None:
            self.app.switch_mode("inbox")
            return
        self.opened = None
        self.query_one("#campaign-detail").display = False
        self.set_focus(self.query_one(CampaignList))

    def action_switch_pane(self) -> None:
        if self.opened is not None:
            campaign_list, recipients = self.query_one(CampaignList), self.query_one(RecipientList)
            self.set_focus(recipients if self.focused is campaign_list else campaign_list)

    def action_act(self, action: str) -> None:
        row, account = self._current(), self.ofcrm.account
        if row is not None and account is not None:
            self._act(account.id, row.id, action)

    def action_ask(self, action: str) -> None:
        """``x`` (cancel) and ``D`` (delete): a question first."""
        row, account = self._current(), self.ofcrm.account
        if row is not None and account is not None:
            self.ofcrm.expect_dialog()  # the keys typed behind x or D are the question's
            self._may(account.id, row, action)

    @work(thread=True, group="campaigns-act", exit_on_error=False)
    def _may(self, account_id: int, row: CampaignRow, action: str) -> None:
        """Refuse at once, as ``p`` does, what the database would refuse (the campaign
        right; the status: cancelling a cancelled campaign, deleting one that started),
        before asking a question whose yes would be refused. A cancel's question says
        what it stops, counted now."""
        db = self.ofcrm.context.db
        try:
            if action == "cancel":
                access.check(db, access.Right.CAMPAIGN, account_id)
                what = campaigns.unsent(db, account_id, row.id).words()
            else:
                campaigns.deletable(db, account_id, row.id)  # the right and the privilege
                what = "it goes for good"
        except OfcrmError as exc:
            self.app.call_from_thread(self.ofcrm.dialog_ready, self)  # no question: keys go on
            self.post_message(self.Acted(str(exc), "error"))
            return
        self.app.call_from_thread(self._ask, account_id, row, action, what)

    def _ask(self, account_id: int, row: CampaignRow, action: str, what: str) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        if self.opened is not None and self.opened.id != row.id:
            # The pane shows the campaign asked about: it showed the one opened last while
            # the question named the list's row ("#2 Draft only" asked, "#3 Big run" shown).
            self._open(row, focus=False)
        name = clean(row.name, single_line=True)
        verb = action.capitalize()
        # Keeping first: an Enter typed by habit keeps the campaign.
        choices = [(Text("Keep the campaign"), False),
                   (Text(f"{verb} ") + Text(name, style="bold") + Text(f": {what}"), True)]

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(account_id, row.id, action)

        self.app.push_screen(ChoiceDialog(f"{verb} this campaign?", lambda: choices), answered)

    @work(thread=True, group="campaigns-act", exit_on_error=False)
    def _act(self, account_id: int, campaign_id: int, action: str) -> None:
        try:
            note, severity = self._change(account_id, campaign_id, action)
        except OfcrmError as exc:
            note, severity = str(exc), "error"
        self.post_message(self.Acted(note, severity))

    def _change(self, account_id: int, campaign_id: int,
                action: str) -> tuple[str, SeverityLevel]:
        """Make the change (in ``_act``'s thread); what it did, in one line."""
        db = self.ofcrm.context.db
        if action == "retry":
            # As the Failed screen says it: one wording, both screens.
            return retried_note(campaigns.retry_failed(
                db, account_id, campaign_id, by=self.ofcrm.context.settings.chatter_name))
        if action == "cancel":
            stopped = campaigns.cancel(db, account_id, campaign_id)
            return f"Cancelled campaign #{campaign_id}: {stopped.words()}", "information"
        if action == "delete":
            name = campaigns.delete(db, account_id, campaign_id)
            self.post_message(self.Deleted(campaign_id))
            return f"Deleted campaign #{campaign_id} {name}", "information"
        verb = {"pause": "Paused", "resume": "Resumed"}[action]
        moved = getattr(campaigns, action)(db, account_id, campaign_id)
        return f"{verb} campaign #{campaign_id} ({counted(moved, 'message')})", "information"

    class Deleted(Message):
        def __init__(self, campaign_id: int) -> None:
            super().__init__()
            self.campaign_id = campaign_id

    def on_campaigns_screen_deleted(self, message: Deleted) -> None:
        """The open campaign deleted: its panel closes (the list keeps the focus)."""
        if self.opened is not None and self.opened.id == message.campaign_id:
            self.action_back()

    def on_campaigns_screen_acted(self, message: Acted) -> None:
        note = clean(message.note, single_line=True)
        if message.severity == "error":
            self._refused(note)  # nothing changed: nothing to read again
            return
        self.notify(note, severity=message.severity, markup=False)
        self.ofcrm.queue_changed()
        self._refresh()

    def _refused(self, note: str) -> None:
        """A key that does not apply (``r D e`` on a running campaign): its one line
        replaces the last refusal still up, not stacked under it."""
        if self._refusal is None:
            self._refusal = OneNotice(self.app)
        self._refusal.show(note, "error")

    def action_compose(self) -> None:
        account = self.ofcrm.account
        if account is None:
            return
        if self.ofcrm.context.identity.kind is access.Kind.CHATTER:
            # A chatter's campaign right is the database's, read now (given or taken
            # since the app opened): no composer for a campaign it may not start. The
            # keys typed behind n wait for the composer.
            self.ofcrm.expect_dialog()
            self._may_compose(account.id)
            return
        self._open_composer(None, None)

    @work(thread=True, group="campaigns-act", exit_on_error=False)
    def _may_compose(self, account_id: int) -> None:
        try:
            campaigns.may_run(self.ofcrm.context.db, account_id)
        except OfcrmError as exc:
            self.app.call_from_thread(self.ofcrm.dialog_ready, self)  # no composer: keys go on
            self.post_message(self.Acted(str(exc), "error"))
            return
        self.app.call_from_thread(self._open_composer, None, None)

    async def flush(self) -> None:
        """Keep the campaign being composed as a draft (the app is quitting)."""
        from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

        for screen in self.app.screen_stack:
            if isinstance(screen, CampaignComposer):
                await screen.flush()

    def action_edit(self) -> None:
        row, account = self._current(), self.ofcrm.account
        if row is None or account is None:
            return
        if "edit" not in campaigns.applicable(row):
            self._refused("Only a draft or a scheduled campaign can be edited")
            return
        # The composer comes once the draft is read: the keys typed after ``e`` wait
        # for it (they acted on this list: ``x`` asked to cancel the campaign).
        self.ofcrm.expect_dialog()
        self._load_draft(account.id, row.id)

    class DraftLoaded(Message):
        def __init__(self, campaign_id: int, spec: campaigns.CampaignSpec,
                     scheduled: bool) -> None:
            super().__init__()
            self.campaign_id, self.spec, self.scheduled = campaign_id, spec, scheduled

    @work(thread=True, group="campaigns-act", exit_on_error=False)
    def _load_draft(self, account_id: int, campaign_id: int) -> None:
        spec, status = campaigns.load(self.ofcrm.context.db, account_id, campaign_id)
        self.post_message(self.DraftLoaded(campaign_id, spec, status == "scheduled"))

    def on_campaigns_screen_draft_loaded(self, message: DraftLoaded) -> None:
        self._open_composer(message.campaign_id, message.spec, scheduled=message.scheduled)

    def _open_composer(self, draft_id: int | None, draft: campaigns.CampaignSpec | None,
                       *, scheduled: bool = False) -> None:
        from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

        account = self.ofcrm.account
        if account is None:
            return
        composer = CampaignComposer(
            self.ofcrm.context.db, account.id,
            created_by=self.ofcrm.context.settings.chatter_name, clock=self.ofcrm.clock,
            reply_reserve=self._reserve,
            draft_id=draft_id, draft=draft, scheduled=scheduled,
        )

        def closed(campaign_id: int | None) -> None:
            if campaign_id is None:
                return
            # The campaign started, scheduled or kept is highlighted and the list has the
            # focus (the recipients of the one open before kept it: x cancelled that
            # one); an open panel shows it once the list is in.
            self.ofcrm.queue_changed()
            listing = self.query_one(CampaignList)
            self._show(keep_id=campaign_id)
            self.set_focus(listing)
            if self.opened is not None:
                listing.open_with(lambda row: self._open(row, focus=False))

        self.app.push_screen(composer, closed)
