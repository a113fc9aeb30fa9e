"""Messages that could not be sent, with the reason: the last 7 days, or any period;
select several and retry them (or all), discard, open the conversation.

Manual retries are limited to ``MANUAL_RETRIES_PER_MINUTE`` a minute per account: a line
says how many are left while some are used, and when the next frees up.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Static

from ofcrm_tui.core import outbox
from ofcrm_tui.core.analytics import period
from ofcrm_tui.core.analytics.period import Period
from ofcrm_tui.core.wording import counted
from ofcrm_tui.core.outbox import FailedSpan, OutboundView
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.pieces import Pieces
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.timefmt import user_zone
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.failed_list import FailedList, FailedSource, tries
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import OPEN_AT_ONCE
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from ofcrm_tui.tui.wording import discarded_note, messages, retried_note

DAYS_SHOWN = 7
SELECTION_MINOR = frozenset({"open", "retry_all", "period"})


def retry_all_question(spread: outbox.FailedSpread, shown: str) -> tuple[str, str]:
    """Retry all's question, counting every failed message of the account, and a line
    under it on those of them the list does not show (``shown``: what it shows)."""
    total = spread.total
    title = "Retry the failed message?" if total == 1 else f"Retry all {total:,} failed messages?"
    outside = spread.older + spread.newer
    if not outside:
        return title, ""
    them = "It is" if total == 1 else f"{outside:,} of them {'is' if outside == 1 else 'are'}"
    if spread.older and spread.newer:
        return title, f"{them} outside {shown}: {spread.older:,} older, {spread.newer:,} newer."
    return title, f"{them} {'older' if spread.older else 'newer'} than {shown}."


class FailedScreen(OfcrmScreen):
    CSS_PATH = "../styles/failed.tcss"
    # As in the inbox: every key is acted on as it is read (priority), in the order
    # typed, and Enter opens the conversation at once: the keys typed after Enter or
    # Esc go to the inbox, not to this list (where R retried and d discarded).
    # R and d side by side, before the keys a narrow footer leaves out first: each names
    # the selection it acts on (``names_now``), and at 80 columns both still fit.
    BINDINGS = [
        OPEN_AT_ONCE,
        Binding("R", "retry", "Retry", id="failed.retry", priority=True),
        Binding("d", "discard", "Discard", id="failed.discard", priority=True),
        Binding("ctrl+r", "retry_all", "Retry all", id="failed.retry_all", priority=True),
        Binding("p", "period", "Period", id="failed.period", priority=True),
        Binding("escape", "app.switch_mode('inbox')", "Inbox", id="failed.inbox",
                priority=True),
    ]
    # Retry all too: offered while the list shows some (its question counts every failed
    # message of the account, those outside the period shown too).
    ROW_ACTIONS = frozenset({"retry", "retry_all", "discard"})
    ROW_LIST = FailedList

    class Acted(Message):
        def __init__(self, note: str, severity: SeverityLevel, done: list[int]) -> None:
            super().__init__()
            self.note = note
            self.severity = severity
            self.done = done

    class AllCounted(Message):
        """Every failed message of the account, counted for Retry all's question."""

        def __init__(self, account_id: int, spread: outbox.FailedSpread) -> None:
            super().__init__()
            self.account_id = account_id
            self.spread = spread

    class Budget(Message):
        def __init__(self, budget: outbox.ManualRetries) -> None:
            super().__init__()
            self.budget = budget

    def __init__(self) -> None:
        super().__init__()
        self.span_label = f"last {DAYS_SHOWN} days"
        self.chosen: Period | None = None  # None: the last DAYS_SHOWN days, rolling
        self.budget: outbox.ManualRetries | None = None
        self.retries_spent = False  # the manual retry limit reached, until one frees up

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield FailedList(clock=self.ofcrm.clock, id="failed-list")
        # The selected message's reason in full: a row's second line is cut at 80 columns.
        yield Static(id="failed-detail")
        yield Static(id="failed-limit")
        yield StatusBar(clock=self.ofcrm.clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Failed messages"
        self.follow_changes(self._on_changed)
        self.set_interval(1.0, self._draw_limit)
        self.set_focus(self.failed_list)
        # Notices over the list, off the cursor's row: clear of the reason and the retry
        # limit under it, and of the keys.
        listing = self.failed_list
        self._fit_toasts = keep_toasts_over(self, listing, listing.cursor_region)
        self.watch(listing, "scroll_y", self._fit_toasts, init=False)
        self._show()

    @property
    def failed_list(self) -> FailedList:
        return self.query_one(FailedList)

    # -- the list ------------------------------------------------------------------

    def _span(self) -> FailedSpan:
        if self.chosen is None:
            return FailedSpan.last_days(DAYS_SHOWN, self.ofcrm.now_utc())
        return FailedSpan(self.chosen.start, self.chosen.end)

    def _show(self) -> None:
        account = self.ofcrm.account
        if account is None:
            return
        self.failed_list.selected.clear()
        self.failed_list.show(FailedSource(self.ofcrm.context.db, account.id, self._span()))
        self._title(None)
        self._load_budget(account.id, self.ofcrm.now_utc())

    def _title(self, count: int | None) -> None:
        title = Text(f"Failed, {self.span_label}")
        if count is not None:
            title.append(f"  {count:,}")
        selected = len(self.failed_list.selected)
        self.failed_list.border_title = title
        self.failed_list.border_subtitle = Text(f"{selected} selected") if selected else None
        self.refresh_bindings()  # the footer's R and d name the selection

    def _selected(self) -> int:
        lists = self.query(FailedList)  # (none while the screen is composed or pruned)
        return len(lists.first().selected) if lists else 0

    def names_now(self, binding: Binding) -> str:
        """R and d act on the selection, when there is one, not on the cursor's row: the
        footer says so (``R Retry 2 selected``) before either is pressed."""
        selected = self._selected()
        if binding.action in ("retry", "discard") and selected:
            return f"{binding.description} {selected} selected"
        return super().names_now(binding)

    def minor_now(self) -> frozenset[str]:
        """While R and d name a selection (longer words), Period, Retry all and Enter's
        Open give way to them at 80 columns: Esc's Inbox, help and quit stay named."""
        return SELECTION_MINOR if self._selected() else super().minor_now()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """R and ctrl+r dimmed while the manual retry limit is reached (the line above
        says until when); pressed, they still say why nothing was retried."""
        bindings = super().active_bindings
        if self.retries_spent:
            for key, active in bindings.items():
                if active.binding.action in ("retry", "retry_all"):
                    bindings[key] = active._replace(enabled=False)
        return bindings

    def on_failed_list_counted(self, message: FailedList.Counted) -> None:
        self._title(message.count)
        self._show_detail()
        self._draw_limit()

    def on_failed_list_listed(self) -> None:
        self._show_detail()

    def on_failed_list_changed(self) -> None:
        self._title(self.failed_list.count if self.failed_list.counted else None)
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.failed_list.cursor_row
        detail = Text()
        if row is not None:
            detail.append(f"{tries(row).capitalize()}  ·  ", "dim")
            detail.append_text(literal(row.last_error or "no reason recorded", "red",
                                       single_line=True))
        self.query_one("#failed-detail", Static).update(detail)
        self._fit_toasts()  # the cursor's row may have moved

    def _on_changed(self, change: DataChanged) -> None:
        if change.touches("account"):
            self._show()
        elif change.touches("outbox"):
            self.failed_list.refresh_rows()
            if self.ofcrm.account is not None:
                self._load_budget(self.ofcrm.account.id, self.ofcrm.now_utc())

    def action_period(self) -> None:
        from ofcrm_tui.tui.dialogs.period import PeriodDialog

        now = self.ofcrm.now_utc()
        zone = user_zone(self.ofcrm.clock)
        current = self.chosen or period.last_days(DAYS_SHOWN, tz=zone, now=now)
        self.app.push_screen(
            PeriodDialog(current, zone, now=now, title="Failed messages: period"),
            self._period_chosen)

    def _period_chosen(self, chosen: Period | None) -> None:
        if chosen is not None:
            self.chosen, self.span_label = chosen, chosen.label
            self._show()

    # -- the manual retry limit ----------------------------------------------------

    @work(thread=True, exclusive=True, group="failed-budget", exit_on_error=False)
    def _load_budget(self, account_id: int, now: datetime) -> None:
        self.post_message(self.Budget(outbox.manual_retries(self.ofcrm.context.db, account_id,
                                                            now=now)))

    def on_failed_screen_budget(self, message: Budget) -> None:
        self.budget = message.budget
        self._draw_limit()

    def _draw_limit(self) -> None:
        """The manual retry budget, counting down to when the next retry frees up; none
        when nothing is used, or nothing is listed to retry."""
        budget = self.budget
        pieces: list[Text] = []
        listing = self.failed_list
        if listing.counted and listing.count == 0:
            budget = None
        limit = outbox.MANUAL_RETRIES_PER_MINUTE
        now = self.ofcrm.now_utc()
        if budget is not None and budget.frees_at is not None:
            wait = max(0, round((budget.frees_at - now).total_seconds()))
            when = budget.frees_at.astimezone(self.ofcrm.clock().tzinfo)
            # One line at 80 columns; narrower, it breaks between the two halves only.
            pieces = [
                Text(f"Manual retry limit reached ({limit} a minute):", "bold")
                if budget.left == 0 else
                Text(f"{budget.left} of {limit} manual retries left this minute;"),
                Text(f"one frees up at {when:%H:%M:%S} (in {wait} s)")]
            if wait == 0 and self.ofcrm.account is not None:
                self._load_budget(self.ofcrm.account.id, now)
        limit_line = self.query_one("#failed-limit", Static)
        limit_line.update(Pieces(pieces, " "))
        limit_line.set_class(budget is not None and budget.left == 0, "-reached")
        limit_line.display = bool(pieces)
        spent = (budget is not None and budget.left == 0 and budget.frees_at is not None
                 and budget.frees_at > now)
        if spent != self.retries_spent:
            self.retries_spent = spent
            self.refresh_bindings()

    # -- actions -------------------------------------------------------------------

    def _targets(self) -> tuple[list[int], OutboundView | None]:
        """The selected messages' ids, else the cursor's (with its row, to name the fan)."""
        selected = self.failed_list.selected
        if selected:
            return sorted(selected), None
        row = self.failed_list.cursor_row
        return ([row.id], row) if row is not None else ([], None)

    def action_retry(self) -> None:
        account, (ids, row) = self.ofcrm.account, self._targets()
        if account is not None and ids:
            if row is not None:
                self.failed_list.follow_retried(row.id)
            self._act(account.id, "retry", ids, self.ofcrm.now_utc())

    def action_retry_all(self) -> None:
        """Every failed message of the account (oldest first), after a question that
        counts them, read first in a worker."""
        account = self.ofcrm.account
        if account is None:
            return
        self.ofcrm.expect_dialog()  # the keys typed behind ctrl+r are the question's
        self._count_all(account.id, self._span())

    @work(thread=True, group="failed-act", exit_on_error=False)
    def _count_all(self, account_id: int, span: FailedSpan) -> None:
        self.post_message(self.AllCounted(account_id, outbox.failed_spread(
            self.ofcrm.context.db, account_id, span)))

    def on_failed_screen_all_counted(self, message: AllCounted) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        spread, account = message.spread, self.ofcrm.account
        if not self.is_active or account is None or account.id != message.account_id:
            self.ofcrm.dialog_ready(self)  # no question: the keys held go on
            return
        if not spread.total:
            self.ofcrm.dialog_ready(self)
            self.notify("No failed messages to retry", severity="warning")
            return
        shown = f"the {DAYS_SHOWN} days shown" if self.chosen is None else "the period shown"
        title, body = retry_all_question(spread, shown)
        limit = outbox.MANUAL_RETRIES_PER_MINUTE
        # Keeping first (as for every question whose yes cannot be undone): an Enter
        # typed by habit sends nothing.
        one = spread.total == 1
        choices = [(Text("Keep it" if one else "Keep them"), False),
                   (Text(f"Retry {'it' if one else 'every failed message'} "
                         f"(at most {limit} a minute)"), True)]

        def answered(retry: bool | None) -> None:
            if retry:
                self._act(account.id, "retry", None, self.ofcrm.now_utc())

        self.app.push_screen(ChoiceDialog(title, lambda: choices, body=body), answered)

    def action_discard(self) -> None:
        """Ask first: a discarded message is never sent."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        account, (ids, row) = self.ofcrm.account, self._targets()
        if account is None or not ids:
            return
        if row is not None:
            name = clean(row.fan_display_name or row.fan_username, single_line=True)
            label = Text("Discard the message to ") + Text(name, style="bold")
            title = "Discard this failed message?"
        else:  # the selection, wherever the cursor is: the question counts it
            label = Text(f"Discard {messages(len(ids))}")
            title = f"Discard {counted(len(ids), 'selected message')}?"
        choices = [(Text("Keep it" if len(ids) == 1 else "Keep them"), False), (label, True)]

        def answered(discard: bool | None) -> None:
            if discard:
                self._act(account.id, "discard", ids, self.ofcrm.now_utc())

        self.app.push_screen(ChoiceDialog(title, lambda: choices), answered)

    @work(thread=True, group="failed-act", exit_on_error=False)
    def _act(self, account_id: int, action: str, ids: list[int] | None, now: datetime) -> None:
        db = self.ofcrm.context.db
        done: list[int] = []
        try:
            if action == "retry":
                result = outbox.retry_detailed(db, account_id, ids,
                                               by=self.ofcrm.context.settings.chatter_name, now=now)
                done = result.retried
                note, severity = retried_note(result)
            else:
                assert ids is not None
                note, severity, done = discarded_note(outbox.discard_detailed(db, account_id,
                                                                              ids, now=now))
        except OfcrmError as exc:
            verb = "retried" if action == "retry" else "discarded"
            note, severity = f"Not {verb}: {exc}", "error"
        self.post_message(self.Acted(note, severity, done))
        self.post_message(self.Budget(outbox.manual_retries(db, account_id, now=now)))

    def on_failed_screen_acted(self, message: Acted) -> None:
        self.notify(clean(message.note, single_line=True), severity=message.severity,
                    markup=False)
        listing = self.failed_list
        listing.selected.difference_update(message.done)
        self._title(listing.count if listing.counted else None)
        self.ofcrm.queue_changed()

    # -- the conversation ----------------------------------------------------------

    def action_open(self) -> None:
        self.failed_list.open_cursor(self._open)

    def on_failed_list_opened(self, message: FailedList.Opened) -> None:
        self._open(message.row)

    def _open(self, row: OutboundView) -> None:
        from ofcrm_tui.tui.screens.inbox import InboxScreen

        if row.conversation_id is None:
            self.notify("No conversation with this fan yet", severity="warning")
            return
        # The inbox is up (an account opens on it): the switch is made at once.
        self.app.switch_mode("inbox")
        if isinstance(self.app.screen, InboxScreen):
            self.app.screen.open_conversation(row.conversation_id)
