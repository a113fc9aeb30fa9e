"""The inbox's list half, a part of ``InboxScreen`` kept apart for size: what the
conversation list shows (the filters, the order, the search) and its title."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from ofcrm_tui.core import inbox, outbox
from ofcrm_tui.core.inbox import ConversationRow, InboxFilter
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.tui.keymap import key_named
from ofcrm_tui.tui.pieces import Pieces
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.inbox_team import TeamInbox
from ofcrm_tui.tui.widgets.conversation_list import ConversationList, InboxSource
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.row_view import BORDER_LABEL_CELLS

STATUS_CYCLE: tuple[inbox.Status | None, ...] = (None, "active", "expired")
# The list's subtitle names the order when it is not the one set in the settings;
# a narrow list, its filters and order in shorter words (``SHORT``).
ORDER_TITLES = {"fan": "by fan's last message", "activity": "by last activity"}
SHORT = {"purchased": "paid", "by fan's last message": "by fan's msg",
         "by last activity": "by activity"}


def fit_title(head: Text, filters: list[str], order: str | None,
              width: int | None) -> tuple[Text, Text | None]:
    """The list's title (``head`` and the filters that fit beside it) and subtitle (the
    filters that did not, then the order): in their long words when both lines fit
    ``width``, else in their short ones (``SHORT``); what still does not fit is cut at
    the subtitle's end."""
    for words in (lambda part: part, lambda part: SHORT.get(part, part)):
        lines = Pieces([head, *map(words, filters)]).text(width).split("\n")
        below = [*lines[1:], *([Text(words(ORDER_TITLES[order]))] if order else [])]
        subtitle = Text(" · ").join(below) if below else None
        if width is None or subtitle is None or subtitle.cell_len <= width:
            break
    return lines[0], subtitle


def narrowing(flt: InboxFilter) -> list[tuple[str, dict[str, Any]]]:
    """``flt``'s filters besides unread only, in the list title's words (``#vip``,
    ``“pizza”``), each with its fields: the title and the notice of filters cleared name
    them alike."""
    parts: list[tuple[str, dict[str, Any]]] = []
    if flt.purchased_only:
        parts.append(("purchased", {"purchased_only": True}))
    if flt.tag:
        parts.append((f"#{clean(flt.tag, single_line=True)}", {"tag": flt.tag}))
    if flt.status:
        parts.append((flt.status, {"status": flt.status}))
    if flt.query:
        parts.append((f"“{clean(flt.query, single_line=True)}”", {"query": flt.query}))
    if flt.assigned_to or flt.unassigned:
        parts.append(("mine" if flt.assigned_to else "unassigned",
                      {"assigned_to": flt.assigned_to, "unassigned": flt.unassigned}))
    return parts


class SearchBox(TextBox):
    """The inbox search, its Enter in the footer. The keys read behind Enter wait for the
    search (``_search``: then for its first match to open)."""

    BINDINGS = [Binding("enter", "submit", "Search", id="inbox.run_search")]
    WAIT_AFTER: ClassVar[frozenset[str]] = frozenset({"submit"})


class InboxList(TeamInbox):
    """The list half of ``InboxScreen`` (its only subclass, which opens rows)."""

    flt: InboxFilter
    # How to open the list's first row once it is in (None: leave it).
    _open_first: Callable[[ConversationRow], None] | None
    # ``InboxScreen._open``: open a conversation, and mark it read unless ``read=False``.
    _open: Callable[..., None]
    # The list's count as last titled.
    _count: int | None = None

    class RepliesGone(Message):
        """Of the replies waiting (conversation: its last reply's queue row), those no
        longer waiting: ``sent``, and ``dropped`` (failed, discarded: never to go unless
        retried); ``reread``: the list is to be read again."""

        def __init__(self, sent: dict[int, int], dropped: dict[int, int], reread: bool) -> None:
            super().__init__()
            self.sent = sent
            self.dropped = dropped
            self.reread = reread

    class UnreadCounted(Message):
        """The unread conversations of ``flt``'s list, without the one it keeps read."""

        def __init__(self, flt: InboxFilter, count: int) -> None:
            super().__init__()
            self.flt = flt
            self.count = count

    def __init__(self) -> None:
        super().__init__()
        # Replied to, the reply not sent yet (conversation: the reply's queue row): the
        # cursor on one of these keeps its place when its row moves up as the reply goes
        # out (``_refresh_list``).
        self._sent_to: dict[int, int] = {}

    # -- the list ------------------------------------------------------------------

    def _show_list(self, *, keep_id: int | None = None, refilter: bool = False) -> None:
        """Show the list as ``flt`` has it, around ``keep_id``; ``refilter``: a filter
        changed, around the row the cursor was on (``PagedList.refilter``: ``m m m``
        comes back to it), a conversation opened meanwhile kept instead."""
        account = self.ofcrm.account
        if account is None:
            return
        source = InboxSource(self.ofcrm.context.db, account.id, self.flt)
        rows = self.conversations
        rows.clear_key = key_named(self.app, type(self), "inbox.clear_filters")
        if refilter:
            opened = self.open_row.conversation_id if self.open_row else None
            rows.refilter(source, opened=opened)
        else:
            rows.show(source, keep_id=keep_id)
        self._title_list(None)
        self.refresh_bindings()  # n and N, with a search or without

    def _refresh_list(self, *, leaving: int | None = None) -> None:
        """Reload the list's rows: the cursor stays on its conversation, also one the
        chatter replied to while the reply waits (held by the send limit, refused).
        In the activity order the replied row moves up once the reply is sent: then
        the cursor keeps its place, on the row now above the next fan, so ``j`` goes on
        to that fan (whatever came in at the top meanwhile). ``leaving``: the
        conversation an unread-only list kept while open (``_keep_open``), read, that
        leaves it now: the cursor on it goes on to the one that was below it, not to
        the row that came to its screen line."""
        row = self.conversations.cursor_row
        replied = row is not None and row.conversation_id in self._sent_to
        self.conversations.refresh_rows(keep_place=row is not None and (
            (replied and self.flt.order == "activity") or row.conversation_id == leaving))

    def _keep_open(self, row: ConversationRow | None) -> None:
        """Unread only, the conversation opened stays listed, read, while it is open (as
        a mail client keeps the message being read); the one kept before, read, leaves
        the list now. A filter changed keeps it while the other filters list it
        (``_set_filter``)."""
        account = self.ofcrm.account
        keep = row.conversation_id if row else None
        if not self.flt.unread_only or self.flt.keep == keep or account is None:
            return
        leaving, self.flt = self.flt.keep, replace(self.flt, keep=keep)
        # The list reads through the new filter from now on (the refresh below, or the
        # next one: the row opened is unread, and listed, until it is marked read).
        self.conversations.source = InboxSource(self.ofcrm.context.db, account.id, self.flt)
        if leaving is not None:
            self._refresh_list(leaving=leaving)

    @work(thread=True, group="replies-gone", exit_on_error=False)
    def _replies_gone(self, account_id: int, waiting: dict[int, int], reread: bool) -> None:
        db = self.ofcrm.context.db
        sent, dropped = {}, {}
        for conversation_id, outbound_id in waiting.items():
            view = outbox.get(db, account_id, outbound_id)
            if view is not None and view.state == OutboundState.SENT:
                sent[conversation_id] = outbound_id
            elif view is None or view.state not in outbox.WAITING_STATES:
                dropped[conversation_id] = outbound_id
        self.post_message(self.RepliesGone(sent, dropped, reread))

    def on_inbox_list_replies_gone(self, message: RepliesGone) -> None:
        """The replies never to go are let go first: their rows did not move, the cursor
        on one goes with it. Then, if the list changed, it is read with the replies sent
        still kept (their rows moved up in this read, the cursor on one keeps its place),
        and those are let go; the others wait on (another fan's send emptied them all,
        and the reply that went later took the cursor up with its row). Read after the
        look-up, the list has every reply it found sent."""
        self._let_go_replies(message.dropped)
        if message.reread:
            self._refresh_list()
            self._let_go_replies(message.sent)

    def _let_go_replies(self, gone: dict[int, int]) -> None:
        for conversation_id, outbound_id in gone.items():
            if self._sent_to.get(conversation_id) == outbound_id:  # (not replied to again)
                del self._sent_to[conversation_id]

    def _title_list(self, count: int | None) -> None:
        """``Inbox  6 · unread · purchased`` on the list's top border, where the eye goes
        first (as the fans screen's title), the order below when it is not the settings'
        one: every filter named at every width (``fit_title``)."""
        self._count = count
        flt = self.flt
        parts = ["unread"] * flt.unread_only + [name for name, _ in narrowing(flt)]
        order = None if flt.order == self.ofcrm.context.settings.inbox_order else flt.order
        head = Text("Inbox" if count is None else f"Inbox  {count:,}")
        rows = self.conversations
        # Room left for the list's ``↑13``, the short form of its ``↑13 above`` (the
        # newest may have arrived out of sight): a filter's word goes before "above".
        width = rows.outer_size.width - BORDER_LABEL_CELLS - rows.short_above_mark.cell_len
        rows.border_title, rows.border_subtitle = fit_title(
            head, parts, order, width if width > 0 else None)

    def on_resize(self) -> None:
        self._title_list(self._count)  # the list's width, and so what fits its border

    def on_screen_resume(self) -> None:
        self._title_list(self._count)  # (the app may have been resized under a dialog)

    def on_conversation_list_listed(self) -> None:
        if self._open_first is not None:
            open_row, self._open_first = self._open_first, None
            self.conversations.open_with(open_row)

    def on_conversation_list_counted(self, message: ConversationList.Counted) -> None:
        if self.flt.keep is None or self.ofcrm.account is None:
            self._title_list(message.count)
        else:  # the title counts the unread ones, not the one kept read
            self._recount_unread()

    def _recount_unread(self) -> None:
        """Under unread only with one kept read, count the title's unread ones again: a
        read mark changes them, the list's rows (and so its count) not. Asked with the
        status bar's read, so the two counts change together."""
        account = self.ofcrm.account
        if self.flt.keep is not None and account is not None:
            self._count_unread(account.id, replace(self.flt, keep=None), self.flt)

    @work(thread=True, group="unread-count", exclusive=True, exit_on_error=False)
    def _count_unread(self, account_id: int, unread: InboxFilter, flt: InboxFilter) -> None:
        count = inbox.count_conversations(self.ofcrm.context.db, account_id, unread)
        self.post_message(self.UnreadCounted(flt, count))

    def on_inbox_list_unread_counted(self, message: UnreadCounted) -> None:
        if message.flt == self.flt:
            self._title_list(message.count)

    def on_conversation_list_above(self) -> None:
        self._title_list(self._count)  # the filters fitted beside the list's marker

    def _set_filter(self, flt: InboxFilter) -> None:
        """Show the list through ``flt``, the open conversation kept under unread only."""
        self.flt = replace(flt, keep=self._kept(flt))
        self._show_list(refilter=True)

    def _kept(self, flt: InboxFilter) -> int | None:
        """The conversation ``flt`` lists read too: the open one, under unread only
        (``_keep_open``; ``U`` pressed with one open keeps it too), as long as the other
        filters list it."""
        return self.open_row.conversation_id if flt.unread_only and self.open_row else None

    def action_toggle(self, field: str) -> None:
        self._set_filter(replace(self.flt, **{field: not getattr(self.flt, field)}))

    def action_cycle_status(self) -> None:
        following = STATUS_CYCLE[(STATUS_CYCLE.index(self.flt.status) + 1) % len(STATUS_CYCLE)]
        self._set_filter(replace(self.flt, status=following))

    def action_clear_filters(self) -> None:
        self._set_filter(replace(self._unfiltered(), order=self.flt.order))

    @property
    def filtered(self) -> bool:
        """Some filter narrows the list (the order is not a filter)."""
        return self.flt != replace(self._unfiltered(), order=self.flt.order)

    def _unfiltered(self) -> InboxFilter:
        return InboxFilter(order=self.ofcrm.context.settings.inbox_order, me=self.me)

    def action_toggle_order(self) -> None:
        order = "activity" if self.flt.order == "fan" else "fan"
        self._set_filter(replace(self.flt, order=order))

    def action_pick_tag(self) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        account, db = self.ofcrm.account, self.ofcrm.context.db
        if account is None:
            return

        def load() -> list[tuple[Text, str | None]]:
            return [(Text(f"#{clean(tag, single_line=True)}"), tag)
                    for tag in inbox.tags(db, account.id)]

        def picked(tag: str | None) -> None:
            self._set_filter(replace(self.flt, tag=tag))

        self.app.push_screen(ChoiceDialog(
            "Filter by tag", load, current=self.flt.tag, empty=self._no_tags_yet(),
            always=[(Text("All conversations"), None)]), picked)

    def _no_tags_yet(self) -> str:
        """The tag filter's line when the account has no tags: how to add one."""
        from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen

        fan = key_named(self.app, type(self), "inbox.fan_detail")
        tag = key_named(self.app, FanDetailScreen, "fan.add_tag")
        return f"No tags yet: {fan} opens the fan, {tag} adds a tag"

    # -- search --------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = self.flt.query or ""
        search.display = True
        self.set_focus(search)  # at once: the search's letters may follow in the same read

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the search box its Esc closes it and its Enter (the box's own, in the order
        typed) searches: the footer shows those, not the list's Enter (which leaves the
        key to the box there). Elsewhere Esc falls to ``inbox.back``."""
        searching = isinstance(self.focused, SearchBox)
        if action == "search_close":
            return searching
        if action == "open":
            return not searching
        return super().check_action(action, parameters)

    def shows_now(self, binding: Binding) -> bool:
        """n and N (a search's next and previous match) are named while the list shows
        some: not in the search box, which types them. Esc while it does something: in
        the thread or the reply box it goes back to the list; there, it clears a search."""
        if binding.action.startswith("match("):
            return (bool(self.flt.query) and not isinstance(self.focused, SearchBox)
                    and not self.conversations.empty)
        if binding.action == "back":
            return not isinstance(self.focused, ConversationList) or bool(self.flt.query)
        return super().shows_now(binding)

    def minor_now(self) -> frozenset[str]:
        """While a search is on, u goes before r at 80 columns: the search's n and Esc's
        Clear search take its room, and r Reply stays named."""
        if self.flt.query:
            return super().minor_now() | {"next_unread"}
        return super().minor_now()

    def names_now(self, binding: Binding) -> str:
        if binding.action == "back" and isinstance(self.focused, ConversationList):
            return "Clear search"
        return super().names_now(binding)

    def action_search_close(self) -> None:
        self._close_search()

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        self._close_search()
        query = event.value.strip() or None
        self._open_first = self._show_match if query is not None else None
        self.flt = replace(self.flt, query=query)
        self.flt = replace(self.flt, keep=self._kept(self.flt))
        self._show_list()
        self.ofcrm.dialog_ready(self)  # the keys behind Enter wait for the match now

    def _close_search(self) -> None:
        self.query_one("#search", Input).display = False
        self.set_focus(self.conversations)

    def action_match(self, step: int) -> None:
        if not self.flt.query:
            self.notify("Search first with /", severity="warning")
            return
        self.conversations.move_to(self.conversations.cursor + step)
        self.conversations.open_with(self._show_match)

    def _show_match(self, row: ConversationRow) -> None:
        """A search's match, stepped onto (its enter, ``n``, ``N``): shown, not marked
        read; it is once the chatter opens it (enter), or goes into its thread or reply."""
        self._open(row, read=False)
