"""One fan: profile, subscription, spend, purchase history, last messages, tags and
notes; nickname, tags and notes edited by keyboard and saved at once.

Pushed over the fans screen or the inbox (``FanDetailScreen(fan_id)``). Every read and
write runs in a thread worker; a write publishes ``DataChanged("fans", "inbox")``, so
the lists show it on their next reload. Fan text is shown literally (``sanitize``).
The edits are ``fan_edits``'s, this screen's base.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.core.fans.edits import NoteView
from ofcrm_tui.core.fans.profile import Purchase
from ofcrm_tui.core.inbox.thread import thread_page
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.screens.fan_delete import confirm_delete
from ofcrm_tui.tui.screens.fan_edits import Detail, FanEdits, once_read
from ofcrm_tui.tui.screens.fan_sections import (
    messages_text,
    notes_text,
    profile_text,
    purchases_text,
    tags_text,
)
from ofcrm_tui.tui.widgets.fields import CompletingBox
from ofcrm_tui.tui.widgets.footer import KeyFooter
from ofcrm_tui.tui.widgets.screen_header import ScreenHeader

PAGE = 20  # purchases and notes read at a time
LAST_MESSAGES = 6


async def show_conversation(screen: OfcrmScreen, conversation_id: int | None) -> None:
    """Leave the fan screens for the inbox, with the conversation open."""
    from ofcrm_tui.tui.screens.inbox import InboxScreen

    app = screen.ofcrm
    if conversation_id is None:
        app.notify("No conversation with this fan yet", severity="warning")
        return
    while isinstance(app.screen, FanDetailScreen):
        await app.pop_screen()
    await app.switch_mode("inbox")
    if isinstance(app.screen, InboxScreen):
        app.screen.open_conversation(conversation_id)


class FanDetailScreen(FanEdits):
    # As on the lists: the keys are acted on as they are read (priority), in the order
    # typed (Esc j from here goes back, then down the list). The edit line types them.
    # The most used first: a narrow footer leaves out the last ones (``footer_fit``).
    # Short words: at 80 columns the footer names every key it shows but Del note and
    # Delete (in the help), after Scroll: at 80x24 the spend, tags and last messages are
    # below the fold.
    BINDINGS = [
        Binding("escape", "back", "Back", id="fan.back", priority=True),
        # Esc with the nickname or tag line open closes the line (``check_action``
        # offers one of the two; the keymap's ``fan.back`` moves both).
        Binding("escape", "cancel_edit", "Cancel edit", id="fan.back", priority=True),
        Binding("c", "conversation", "Chat", id="fan.conversation", priority=True),
        Binding("a", "add_note", "Note", id="fan.add_note", priority=True),
        Binding("e", "edit_note", "Edit note", id="fan.edit_note", priority=True),
        Binding("t", "edit('tag')", "Tag", id="fan.add_tag", priority=True),
        Binding("T", "remove_tag", "Untag", id="fan.remove_tag", priority=True),
        Binding("n", "edit('nickname')", "Nick", id="fan.nickname", priority=True),
        # j/k named, the arrows alike (``system``: they stand in for j and k, or the
        # footer named the pane's own ↓ first).
        Binding("j", "scroll(1)", "Scroll", id="fan.scroll_down", priority=True),
        Binding("k", "scroll(-1)", "Scroll up", id="fan.scroll_up", show=False, priority=True),
        *(Binding(key, f"scroll({lines})", show=False, priority=True, system=True)
          for key, lines in (("down", 1), ("up", -1))),
        Binding("d", "delete_note", "Del note", id="fan.delete_note", priority=True),
        Binding("D", "delete", "Delete", id="fan.delete", priority=True),
        Binding("m", "more", "More history", id="fan.more", show=False, priority=True),
        Binding("tab", "app.focus_next", "Next pane", id="fan.next_pane", show=False),
    ]

    class Loaded(Message):
        def __init__(self, detail: Detail, read: int) -> None:
            super().__init__()
            self.detail = detail
            self.read = read  # which of the screen's reads (``_reads``)

    class More(Message):
        def __init__(self, purchases: list[Purchase], notes: list[NoteView]) -> None:
            super().__init__()
            self.purchases = purchases
            self.notes = notes

    def __init__(self, fan_id: int) -> None:
        super().__init__()
        self.fan_id = fan_id
        self.detail: Detail | None = None
        self.purchases: list[Purchase] = []
        self.notes: list[NoteView] = []
        self._waiting: list[Callable[[], object]] = []  # actions asked for before the read

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        with Horizontal(id="fan-detail-body"):
            with VerticalScroll(id="fan-left"):
                yield Static("Loading…", id="fan-profile")
                yield Static(id="fan-tags")
                yield Static(id="fan-messages")
            with VerticalScroll(id="fan-right"):
                yield Static(id="fan-notes")
                yield Static(id="fan-purchases")
        yield CompletingBox(id="fan-edit")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "Fan"
        self.follow_changes(self._on_changed)
        self.set_focus(self.query_one("#fan-left"))
        self._reload()

    def _on_changed(self, change: DataChanged) -> None:
        """New messages (last seen, last messages), edits, purchases: read again."""
        if change.touches("fans", "inbox", "account"):
            self._reload()

    # -- loading -------------------------------------------------------------------

    def _reload(self) -> None:
        account = self.ofcrm.account
        if account is not None:
            self._reads += 1
            self._load(account.id, self._reads)

    @work(thread=True, exclusive=True, group="fan-load", exit_on_error=False)
    def _load(self, account_id: int, read: int) -> None:
        db = self.ofcrm.context.db
        try:
            fan = profile.fan_profile(db, account_id, self.fan_id)
        except OfcrmError as exc:
            # Shown before: another chatter (or app) deleted the fan since.
            reason = str(exc) if self.detail is None else "This fan was deleted meanwhile"
            self.post_message(self.Refused(reason, gone=True))
            return
        messages = []
        if fan.conversation_id is not None:
            messages = thread_page(db, account_id, fan.conversation_id, limit=LAST_MESSAGES)
        self.post_message(self.Loaded(Detail(
            fan,
            profile.notes_page(db, account_id, self.fan_id, limit=PAGE),
            profile.purchases_page(db, account_id, self.fan_id, limit=PAGE),
            messages,
            edits.tag_completions(db, account_id, "", limit=500),
        ), read))

    def holds_keys(self) -> bool:
        """A key's action waits for the fan, or for it read again after a save
        (``once_read``): so do the keys read behind it (``KeysInOrder``), or they act
        here first (``c r hello``: ``a`` added a note)."""
        return bool(self._waiting) or self._going_on > 0

    def on_fan_detail_screen_loaded(self, message: Loaded) -> None:
        if message.read < self._drawn:
            return  # an earlier read, come after a later one (its worker was replaced)
        self._drawn = message.read
        self.detail = message.detail
        self.purchases = list(message.detail.purchases)
        self.notes = list(message.detail.notes)
        self._draw()
        self.go_on()

    @once_read
    def action_more(self) -> None:
        account = self.ofcrm.account
        if account is not None and self.detail is not None:
            self._more(account.id, self.purchases[-1] if self.purchases else None,
                       self.notes[-1] if self.notes else None)

    @work(thread=True, exclusive=True, group="fan-more", exit_on_error=False)
    def _more(self, account_id: int, last_purchase: Purchase | None, last_note: NoteView | None) -> None:
        db = self.ofcrm.context.db
        purchases = [] if last_purchase is None else profile.purchases_page(
            db, account_id, self.fan_id, after=last_purchase, limit=PAGE)
        notes = [] if last_note is None else profile.notes_page(
            db, account_id, self.fan_id, after=last_note, limit=PAGE)
        self.post_message(self.More(purchases, notes))

    def on_fan_detail_screen_more(self, message: More) -> None:
        if not message.purchases and not message.notes:
            self.notify("Nothing older")
            return
        self.purchases += message.purchases
        self.notes += message.notes
        self._draw()

    # -- drawing -------------------------------------------------------------------

    def _draw(self) -> None:
        assert self.detail is not None
        fan, now = self.detail.profile, self.ofcrm.clock()
        self.sub_title = clean(fan.display_name, single_line=True)
        key = self.key_of
        self.query_one("#fan-profile", Static).update(profile_text(fan, now))
        self.query_one("#fan-tags", Static).update(tags_text(fan.tags, key))
        self.query_one("#fan-messages", Static).update(messages_text(
            self.detail.messages, now, self.ofcrm.context.settings.chatter_name, key))
        self.query_one("#fan-notes", Static).update(notes_text(self.notes, now, key))
        self.query_one("#fan-purchases", Static).update(purchases_text(self.purchases, now, key))

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll(self, lines: int) -> None:
        """j/k and the arrows scroll the pane with the focus (the left one as the screen
        opens, tab the other) by ``lines``, without a tab to it first: at 80x24 the
        spend, tags and last messages are below the fold. (The edit line types j and k.)"""
        pane = self.focused
        if pane is None or pane.id not in ("fan-left", "fan-right"):
            pane = self.query_one("#fan-left")
        pane.scroll_relative(y=lines, animate=False)

    # -- leaving -------------------------------------------------------------------

    @once_read
    async def action_conversation(self) -> None:
        if self.detail is not None:
            await show_conversation(self, self.detail.profile.conversation_id)

    def action_delete(self) -> None:
        confirm_delete(self, self.fan_id, close=True)

