"""The inbox: conversation list on the left, the open thread and the composer on the right.

Its dialogs (tag, saved replies, price and media) are imported when first opened, so
start-up loads only what the first screen draws.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.worker import Worker, WorkerState

from ofcrm_tui.core import inbox, outbox
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.notices import InboundToasts, keep_on_clipboard, wanted
from ofcrm_tui.tui.screens.inbox_list import SearchBox
from ofcrm_tui.tui.screens.inbox_open import InboxOpen
from ofcrm_tui.tui.screens.inbox_team import TeamInbox, no_target
from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.composer import Composer, DraftTarget
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.paged_list import OPEN_AT_ONCE
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from ofcrm_tui.tui.widgets.thread_view import ThreadSource, ThreadView


class InboxScreen(InboxOpen):
    # Every key of the inbox is acted on as it is read (priority), in the order typed,
    # and what moves the focus moves it at once: keys that arrive in one burst (a laggy
    # link, a fast typist) reach the box they were typed for, not the list (where ``o``
    # would reorder it and ``a`` filter it). What a text box types still types there
    # (``widgets/fields.py``).
    BINDINGS = [
        Binding("tab", "pane(1)", "Next pane", id="inbox.next_pane", show=False, priority=True),
        Binding("shift+tab", "pane(-1)", "Previous pane", id="inbox.previous_pane",
                show=False, priority=True),
        Binding("slash", "search", "Search", id="inbox.search", priority=True),
        # The search box's Esc, shown and acted on while it has the focus (``check_action``);
        # it moves with the keymap's ``inbox.back`` (and is listed in help beside it).
        Binding("escape", "search_close", "Close search", id="inbox.back", priority=True),
        # Shown while the list shows a search's matches (``InboxList.shows_now``).
        Binding("n", "match(1)", "Next match", id="inbox.next_match", show=False, priority=True),
        Binding("N", "match(-1)", "Previous match", id="inbox.previous_match", show=False,
                priority=True),
        Binding("u", "next_unread", "Next unread", id="inbox.next_unread", priority=True),
        Binding("M", "mark_unread", "Mark unread", id="inbox.mark_unread", show=False,
                priority=True),
        # Opens at once, so an ``r`` right after finds it open.
        OPEN_AT_ONCE,
        Binding("r", "reply", "Reply", id="inbox.reply", priority=True),
        # The thread's R from the list: named while the open thread has a failed send.
        Binding("R", "retry_open", "Retry failed", id="inbox.retry", show=False, priority=True),
        Binding("escape", "back", "Back", id="inbox.back", show=False, priority=True),
        Binding("U", "toggle('unread_only')", "Unread only", id="inbox.filter_unread",
                show=False, priority=True),
        Binding("dollar_sign", "toggle('purchased_only')", "Has purchased",
                id="inbox.filter_purchased", show=False, priority=True),
        Binding("t", "pick_tag", "Filter by tag", id="inbox.filter_tag", show=False, priority=True),
        Binding("a", "cycle_status", "Active/expired", id="inbox.filter_status", show=False,
                priority=True),
        Binding("x", "clear_filters", "Clear filters", id="inbox.clear_filters", show=False,
                priority=True),
        Binding("o", "toggle_order", "Order", id="inbox.order", show=False, priority=True),
        Binding("i", "fan_detail", "Fan", id="inbox.fan_detail", show=False, priority=True),
        Binding("at", "assign", "Assign", id="inbox.assign", show=False, priority=True),
        Binding("m", "cycle_owner", "Mine/unassigned", id="inbox.filter_owner", show=False,
                priority=True),
    ]
    # At 80 columns a search's keys do not all fit: N (n's reverse) goes, not r Reply.
    FOOTER_MINOR = frozenset({"match(-1)"})

    class NextUnreadFound(Message):
        def __init__(self, found: tuple[int, ConversationRow] | None) -> None:
            super().__init__()
            self.found = found

    class InboundJudged(Message):
        """New fan messages in other conversations, with their conversations' rows."""

        def __init__(self, items: list[NewInbound], rows: list[ConversationRow]) -> None:
            super().__init__()
            self.items = items
            self.rows = {row.conversation_id: row for row in rows}

    class OpenRowRead(Message):
        """The open conversation's row read again (after an inbox or fans change);
        None: it is gone with its fan."""

        def __init__(self, conversation_id: int, row: ConversationRow | None) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.row = row

    class Retried(Message):
        def __init__(self, conversation_id: int, result: outbox.RetryResult) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.flt = InboxFilter()
        self.open_row: ConversationRow | None = None
        self._open_first = None
        # The next unread asked for (``u``), not opened yet; an open not shown yet.
        self._finding_unread = False
        self._showing = False
        self._toasts = InboundToasts(
            self.set_timer,
            lambda title, body: self.notify(body, title=title, markup=False),
        )

    def compose(self) -> ComposeResult:
        clock = self.ofcrm.clock
        yield ScreenHeader()
        with Horizontal(id="inbox-body"):
            with Vertical(id="list-pane"):
                yield SearchBox(placeholder="Search fans and messages…", id="search")
                yield ConversationList(clock=clock, me=self.me, id="conversations")
            with Vertical(id="thread-pane"):
                yield ThreadHeader(me=self.me, id="thread-header")
                yield ThreadView(clock=clock, id="thread")
                yield Composer(id="composer")
        yield StatusBar(clock=clock)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.follow_changes(self._on_changed)
        self.ofcrm.team.subscribe(self, self._on_team)
        if self.ofcrm.presence.view is not None:  # a beat that came back before this screen
            self._on_team(self.ofcrm.presence.view)
        self.flt = self._unfiltered()
        self.set_focus(self.conversations)
        # Notices top right over the thread pane (its oldest lines), off the reply box,
        # in a rack as high as that: measured, it cut a notice's last line where its
        # words broke ("… and 4 more" at 80 columns).
        composer = self.query_one(Composer)
        keep_toasts_over(self, self.query_one("#thread-pane"), lambda: composer.region, top=True)
        self._start()

    def _start(self) -> None:
        """Show the current account's inbox from the top, nothing open."""
        self._version = None  # the assignments' version of another account
        self._placing = None  # a conversation of the account before
        self._open(None)
        self._show_list()

    def holds_keys(self) -> bool:
        """A conversation is on its way (``u``'s lookup, the list that ``c`` or a search
        shows, the row Enter opens whose page is not in (``OfcrmScreen``), its thread
        page): the keys read now wait until it is shown (``KeysInOrder``). A reply typed
        behind ``u`` or ``c`` went to the conversation open before, and the ``u`` behind
        a ``u`` looked from the same row."""
        return (self._finding_unread or self._showing or self._open_first is not None
                or super().holds_keys())

    # -- next unread ---------------------------------------------------------------

    def action_next_unread(self) -> None:
        account, row = self.ofcrm.account, self.conversations.cursor_row
        if account is None:
            return
        open_id = self.open_row.conversation_id if self.open_row else None
        if row is not None and row.unread_count and row.conversation_id != open_id:
            # The highlighted conversation is unread and not the one open: that one
            # first (the lookup goes on from the row below it).
            self._open(row)
            return
        self._finding_unread = True
        self._find_unread(account.id, self.flt, row)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "next-unread" and event.state is WorkerState.ERROR:
            self._finding_unread = False  # nothing comes: the keys held go on

    @work(thread=True, exclusive=True, group="next-unread", exit_on_error=False)
    def _find_unread(
        self, account_id: int, flt: InboxFilter, after: ConversationRow | None
    ) -> None:
        self.post_message(self.NextUnreadFound(
            inbox.next_unread(self.ofcrm.context.db, account_id, flt, after)))

    def on_inbox_screen_next_unread_found(self, message: NextUnreadFound) -> None:
        self._finding_unread = False
        if message.found is None:  # (the status bar counts every unread: say why not here)
            self.notify("No unread conversations" + (" under this filter" if self.filtered else ""))
            return
        position, row = message.found
        self.conversations.move_to(position)
        self._open(row)

    # -- opening a conversation ----------------------------------------------------

    def on_conversation_list_opened(self, message: ConversationList.Opened) -> None:
        self._open(message.row)

    def action_open(self) -> None:
        self.conversations.open_cursor(self._open)

    def _open(self, row: ConversationRow | None, *, read: bool = True) -> None:
        account, db = self.ofcrm.account, self.ofcrm.context.db
        self.open_row = row
        self._keep_open(row)
        self._open_unread = None
        self._showing = True
        self.ofcrm.presence.viewing(row.conversation_id if row else None)
        thread = self.query_one(ThreadView)
        if row is None or account is None:
            thread.show(None, on_shown=partial(self._show_open, None, None))
            return
        # The list's open bar, the header and the composer change with the thread's
        # page (see ThreadView.show): one frame for all of it instead of two.
        reserve = self.ofcrm.context.settings.reply_reserve_per_minute
        thread.show(ThreadSource(db, account.id, row.conversation_id, row.display_name, reserve),
                    on_shown=partial(self._show_open, row, DraftTarget(db, account.id, row, self.me)))
        if row.unread_count and not read:
            self._open_unread = row.conversation_id
        elif row.unread_count:
            self._read_unshown.add(row.conversation_id)
            self._mark_read(account, row.conversation_id)

    def _show_open(self, row: ConversationRow | None, target: DraftTarget | None) -> None:
        """What opening ``row`` changes outside the thread view."""
        self._showing = False
        self.conversations.mark_open(row.conversation_id if row else None)
        self.query_one(ThreadHeader).show(row)
        self._people_on(row.conversation_id if row else None)
        self.query_one(Composer).attach(target)
        # Also those marked read by an open that a later one overtook.
        for conversation_id in self._read_unshown:
            self.conversations.mark_read(conversation_id)
        self._read_unshown.clear()

    # -- replying ------------------------------------------------------------------

    def action_reply(self) -> None:
        composer, row, account = self.query_one(Composer), self.open_row, self.ofcrm.account
        if row is None or account is None:
            self.notify(no_target(self), severity="warning")
            return
        if composer.target is None or composer.target.fan.conversation_id != row.conversation_id:
            # The thread is on its way (Enter and r read together): its draft comes now.
            composer.attach(DraftTarget(self.ofcrm.context.db, account.id, row, self.me))
        self.set_focus(composer)  # at once (``focus()`` waits a turn): keys may come fast

    def on_composer_draft_saved(self, message: Composer.DraftSaved) -> None:
        self.conversations.mark_draft(message.conversation_id, message.present)

    def on_team_inbox_enqueued(self, message: TeamInbox.Enqueued) -> None:
        self._sent_to[message.target.fan.conversation_id] = message.outbound_id
        self.ofcrm.presence.stopped_typing()
        self.query_one(Composer).sent(message.target)
        self.ofcrm.dialog_ready(self)  # the keys held behind the send go on (to an empty box)
        self.query_one(ThreadView).reload()
        self.ofcrm.queue_changed()

    def on_composer_offer_requested(self) -> None:
        from ofcrm_tui.tui.dialogs.offer import OfferDialog

        account, composer = self.ofcrm.account, self.query_one(Composer)
        if account is None:
            return
        db, clock = self.ofcrm.context.db, self.ofcrm.clock
        dialog = OfferDialog(db, account.id, composer.offer, clock=clock)
        self.app.push_screen(dialog, lambda offer: offer is not None and composer.set_offer(offer))

    def on_composer_replies_requested(self) -> None:
        from ofcrm_tui.tui.dialogs.saved_replies import SavedReplyPicker

        account, composer = self.ofcrm.account, self.query_one(Composer)
        if account is None or composer.target is None:
            return
        db, fan = self.ofcrm.context.db, composer.target.fan
        picker = SavedReplyPicker(db, account.id, fan, composer.text)
        self.app.push_screen(picker, lambda text: text is not None and composer.insert_reply(text))

    # -- retrying ------------------------------------------------------------------

    def on_thread_view_retry_requested(self, message: ThreadView.RetryRequested) -> None:
        account, row = self.ofcrm.account, self.open_row
        if account is not None and row is not None:  # (the thread shown is the open one's)
            self._retry(account.id, row.conversation_id, message.outbound_id)

    def action_retry_open(self) -> None:
        """``R`` on the list: the open thread's failed send, as the thread's ``R``."""
        thread = self.query_one(ThreadView)
        if self.open_row is None:
            self.notify(no_target(self), severity="warning")
        elif thread.check_action("retry", ()):
            thread.action_retry()
        else:
            self.notify("Nothing failed in this conversation", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The list's ``R``; in the thread, the thread's own."""
        if action == "retry_open":
            return isinstance(self.focused, ConversationList)
        return super().check_action(action, parameters)

    def shows_now(self, binding: Binding) -> bool:
        if binding.action == "retry_open":
            threads = self.query(ThreadView)
            return bool(threads and threads.first().check_action("retry", ()))
        return super().shows_now(binding)

    @work(thread=True, group="retry", exit_on_error=False)
    def _retry(self, account_id: int, conversation_id: int, outbound_id: int) -> None:
        try:
            result = outbox.retry_detailed(
                self.ofcrm.context.db, account_id, [outbound_id],
                by=self.ofcrm.context.settings.chatter_name,
            )
        except OfcrmError as exc:
            self.post_message(self.ActionFailed(f"not retried: {exc}"))
            return
        self.post_message(self.Retried(conversation_id, result))

    def on_inbox_screen_retried(self, message: Retried) -> None:
        if not message.result.retried:
            self.notify("That message is no longer failed", severity="warning")
        for outbound_id in message.result.retried:  # waiting again, as a reply just sent
            self._sent_to[message.conversation_id] = outbound_id
        self.query_one(ThreadView).reload()
        self.ofcrm.queue_changed()

    # -- navigation ----------------------------------------------------------------

    def action_pane(self, step: int) -> None:
        panes = [self.conversations, self.query_one(ThreadView), self.query_one(Composer)]
        panes = [pane for pane in panes if pane.focusable]
        current = next((i for i, pane in enumerate(panes) if pane is self.focused), -1)
        self.set_focus(panes[(current + step) % len(panes)])

    def action_back(self) -> None:
        if self.focused is not self.conversations:
            self.set_focus(self.conversations)
        elif self.flt.query:
            self._set_filter(replace(self.flt, query=None))

    # -- live data -----------------------------------------------------------------

    def _on_changed(self, change: DataChanged) -> None:
        if change.touches("access"):  # nothing of the account stays shown
            self._let_go_reply("is out of reach: access to the account was lost")
            self.set_focus(self.conversations)
        if change.touches("account", "access"):
            self.flt = self._unfiltered()
            self._start()
            return
        thread = self.query_one(ThreadView)
        open_id = self.open_row.conversation_id if self.open_row else None
        to_open = any(item.conversation_id == open_id for item in change.inbound)
        account = self.ofcrm.account
        looking = self.is_current and self.app.app_focus
        if (to_open and open_id is not None and account is not None and looking
                and open_id != self._open_unread):
            # The chatter is looking at it (the terminal has focus, where the terminal
            # reports focus; not a search match shown unread): it is read. The list
            # reloads after the mark.
            self._mark_read(account, open_id, refresh=True)
        elif self._sent_to and account is not None and (change.sent or change.touches("outbox")):
            # Which sends went (or failed) is not said: the replies waiting are looked up
            # (``_replies_gone``), and the list read after them if it changed.
            reread = change.touches("inbox") or bool(change.inbound)
            self._replies_gone(account.id, dict(self._sent_to), reread)
        elif change.touches("inbox") or change.inbound:
            self._refresh_list()
        if change.touches("outbox") or to_open:
            thread.reload()
        if (open_id is not None and account is not None
                and (change.touches("inbox", "fans") or change.inbound)):
            # The list's rows are read again: so is the open one, for its header (the
            # spend a tip or a purchase adds, the subscription, the tags, the name).
            self._read_open_row(account.id, open_id)
        self._toast_others(change)

    @work(thread=True, group="open-row", exclusive=True, exit_on_error=False)
    def _read_open_row(self, account_id: int, conversation_id: int) -> None:
        rows = inbox.conversation_rows(self.ofcrm.context.db, account_id, [conversation_id],
                                       me=self.me)
        self.post_message(self.OpenRowRead(conversation_id, rows[0] if rows else None))

    def on_inbox_screen_open_row_read(self, message: OpenRowRead) -> None:
        """The open conversation's row as it is now (a tip or a purchase changed its
        spend, an edit its nickname or tags): what shows or names the open fan (the
        header, the thread's labels, the composer's and ``@``'s titles) takes the new
        row; the thread's messages are not read again."""
        row, account = message.row, self.ofcrm.account
        if self.open_row is None or self.open_row.conversation_id != message.conversation_id:
            return  # another one was opened meanwhile
        if account is None:
            return
        if row is None:
            self._open_gone()
            return
        self.open_row = row
        self.query_one(ThreadHeader).show(row)
        self.query_one(ThreadView).rename(row.display_name)
        self.query_one(Composer).attach(DraftTarget(self.ofcrm.context.db, account.id, row, self.me))

    def _open_gone(self) -> None:
        """The open conversation was deleted with its fan: nothing of it stays shown,
        and once the list is read again the row that took its place is shown, read
        only once the chatter goes into it. A chatter typing the reply goes to the list
        with that row highlighted, not opened, under a notice that keeps the keys typed
        on (``ReplyGoneDialog``) until Enter or Esc: they were meant for the fan gone,
        and another fan's reply box took them (ctrl+s sent them to that fan), or the
        list (``u`` opened the next unread one, ``r`` its reply box)."""
        from ofcrm_tui.tui.dialogs.reply_gone import ReplyGoneDialog

        replying = self.focused is self.query_one(Composer) and self.is_current
        name, unsent = self._let_go_reply(None if replying else "was deleted meanwhile")
        if replying:
            self.set_focus(self.conversations)  # at once: the list's once the notice goes
            # In this turn: the keys read behind the let-go wait for it to mount.
            self.app.push_screen(ReplyGoneDialog(name, unsent))
        self._open(None)
        if not replying:
            self._open_first = partial(self._open, read=False)
        self._refresh_list()

    def _let_go_reply(self, gone: str | None) -> tuple[str, str]:
        """The open conversation's reply let go (it has no draft to save any more): the
        fan's name and the unsent text, kept on the clipboard and said so, with why
        (``gone``); None: the caller says it."""
        composer = self.query_one(Composer)
        name = composer.target.fan.display_name if composer.target else ""
        unsent = composer.let_go()
        if gone is not None and unsent.strip():
            keep_on_clipboard(self.app, name, unsent, "unsent reply", gone)
        return name, unsent

    def missed(self, change: DataChanged) -> DataChanged:
        """On another screen, new messages of other fans are toasted at once; the list
        and the open thread are read when the inbox is shown again."""
        self._toast_others(change)
        open_id = self.open_row.conversation_id if self.open_row else None
        return replace(change, inbound=tuple(
            item for item in change.inbound if item.conversation_id == open_id))

    def _toast_others(self, change: DataChanged) -> None:
        account = self.ofcrm.account
        open_id = self.open_row.conversation_id if self.open_row else None
        others = [item for item in change.inbound if item.conversation_id != open_id]
        if others and account is not None and self.ofcrm.context.settings.notify_inbound != "none":
            self._judge_inbound(account.id, others)

    @work(thread=True, group="inbound-toasts", exit_on_error=False)
    def _judge_inbound(self, account_id: int, items: list[NewInbound]) -> None:
        ids = {item.conversation_id for item in items}
        rows = inbox.conversation_rows(self.ofcrm.context.db, account_id, sorted(ids))
        self.post_message(self.InboundJudged(items, rows))

    def on_inbox_screen_inbound_judged(self, message: InboundJudged) -> None:
        settings = self.ofcrm.context.settings
        open_id = self.open_row.conversation_id if self.open_row else None
        self._toasts.add([
            item for item in message.items
            if item.conversation_id != open_id
            and wanted(item, message.rows.get(item.conversation_id), settings)
        ])

    async def flush(self) -> None:
        """Save the draft being typed (before the app exits)."""
        worker = self.query_one(Composer).save_draft()
        if worker is not None:
            await worker.wait()
