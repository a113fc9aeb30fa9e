"""One fan: profile, subscription, spend, purchase history, last messages, tags and
notes; nickname, tags and notes edited by keyboard and saved at once.

Pushed over the fans screen or the inbox (``FanDetailScreen(fan_id)``). Every read and
write runs in a thread worker; a write publishes ``DataChanged("fans", "inbox")``, so
the lists show it on their next reload. Fan text is shown literally (``sanitize``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from ofcrm_tui.core.fans import edits, fields, profile
from ofcrm_tui.core.fans.edits import NoteView
from ofcrm_tui.core.fans.profile import FanProfile, Purchase
from ofcrm_tui.core.inbox.thread import ThreadMessage, thread_page
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.choice import ask_to_discard
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.notices import keep_on_clipboard
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.screens.fan_delete import confirm_delete
from ofcrm_tui.tui.screens.fan_sections import (
    messages_text,
    notes_text,
    profile_text,
    purchases_text,
    tags_text,
)
from ofcrm_tui.tui.timefmt import stamp
from ofcrm_tui.tui.widgets.fields import CompletingBox, SuggestLastItem
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


@dataclass(frozen=True)
class Detail:
    profile: FanProfile
    notes: list[NoteView]
    purchases: list[Purchase]
    messages: list[ThreadMessage]  # newest first
    known_tags: list[str]  # the account's tags, for completion


def _once_read(action: Callable[..., object]) -> Callable[..., object]:
    """An action on the fan waits until the fan is read: keys typed right after Enter
    on a list (``enter e`` in one burst) come before it is."""

    @wraps(action)
    def act(self: FanDetailScreen, *args: object) -> object:
        if self.detail is None:
            self._waiting.append(partial(act, self, *args))
            return None
        return action(self, *args)

    return act


class FanDetailScreen(OfcrmScreen):
    # As on the lists: the keys are acted on as they are read (priority), in the order
    # typed (Esc j from here goes back, then down the list). The edit line types them.
    # The most used first: a narrow footer leaves out the last ones (``footer_fit``).
    # Short words: at 80 columns the footer names every key it shows but Delete (in the
    # help), after Scroll: at 80x24 the spend, tags and last messages are below the fold.
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
        Binding("D", "delete", "Delete", id="fan.delete", priority=True),
        Binding("m", "more", "More history", id="fan.more", show=False, priority=True),
        Binding("tab", "app.focus_next", "Next pane", id="fan.next_pane", show=False),
    ]

    class Loaded(Message):
        def __init__(self, detail: Detail) -> None:
            super().__init__()
            self.detail = detail

    class More(Message):
        def __init__(self, purchases: list[Purchase], notes: list[NoteView]) -> None:
            super().__init__()
            self.purchases = purchases
            self.notes = notes

    class Saved(Message):
        """A change is in the database (``warning``: said instead of "Saved")."""

        def __init__(self, warning: str | None = None) -> None:
            super().__init__()
            self.warning = warning

    class Refused(Message):
        def __init__(self, reason: str, *, gone: bool = False) -> None:
            super().__init__()
            self.reason = reason
            self.gone = gone

    def __init__(self, fan_id: int) -> None:
        super().__init__()
        self.fan_id = fan_id
        self.detail: Detail | None = None
        self.purchases: list[Purchase] = []
        self.notes: list[NoteView] = []
        self.editing: str | None = None  # "nickname" / "tag" while the edit line is open
        self._edit_from = ""  # what the edit line opened with (Esc asks once it differs)
        self._edit_pane = "fan-left"  # the pane the edit line gives the focus back to
        self._waiting: list[Callable[[], object]] = []  # actions asked for before the read
        self._gone = False  # the fan was deleted: the screen goes once it is on top
        self._note_typed: str | None = None  # a note being saved (``_keep_note``)

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
            self._load(account.id)

    @work(thread=True, exclusive=True, group="fan-load", exit_on_error=False)
    def _load(self, account_id: int) -> None:
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
        )))

    def holds_keys(self) -> bool:
        """A key's action waits for the fan (``_once_read``): so do the keys read behind
        it (``KeysInOrder``), or they act here first (``c r hello``: ``a`` added a note)."""
        return bool(self._waiting)

    def on_fan_detail_screen_loaded(self, message: Loaded) -> None:
        self.detail = message.detail
        self.purchases = list(message.detail.purchases)
        self.notes = list(message.detail.notes)
        self._draw()
        waiting, self._waiting = self._waiting, []
        # Run by the app, as a key's action is (``c`` pops this screen), after what it
        # has left to do (the header's title once this screen is up).
        for act in waiting:
            self.app.call_next(act)

    @_once_read
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
        self.query_one("#fan-profile", Static).update(profile_text(fan, now))
        self.query_one("#fan-tags", Static).update(tags_text(fan.tags))
        self.query_one("#fan-messages", Static).update(
            messages_text(self.detail.messages, now, self.ofcrm.context.settings.chatter_name))
        self.query_one("#fan-notes", Static).update(notes_text(self.notes, now))
        self.query_one("#fan-purchases", Static).update(purchases_text(self.purchases, now))

    def action_scroll(self, lines: int) -> None:
        """j/k and the arrows scroll the pane with the focus (the left one as the screen
        opens, tab the other) by ``lines``, without a tab to it first: at 80x24 the
        spend, tags and last messages are below the fold. (The edit line types j and k.)"""
        pane = self.focused
        if pane is None or pane.id not in ("fan-left", "fan-right"):
            pane = self.query_one("#fan-left")
        pane.scroll_relative(y=lines, animate=False)

    # -- editing -------------------------------------------------------------------

    @_once_read
    def action_edit(self, what: str) -> None:
        if self.detail is None:
            return
        line = self.query_one("#fan-edit", Input)
        self.editing = what
        # The line says what it edits in its border: the nickname opens with the one
        # set, which hides the placeholder (the line had no label).
        if what == "nickname":
            line.value = self.detail.profile.nickname
            line.border_title = "Nickname: enter saves"
            line.placeholder = "Nickname (empty: none)"
            line.suggester = None
        else:
            line.value = ""
            line.border_title = "Tags to add: enter adds"
            line.placeholder = "Tag to add (tab completes an existing one; commas for several)"
            line.suggester = SuggestLastItem(self.detail.known_tags)
        self._edit_from = line.value
        if self.focused is not None and self.focused.id in ("fan-left", "fan-right"):
            self._edit_pane = self.focused.id
        line.display = True
        self.add_class("-editing")  # its notices go above the line (app.tcss)
        self.set_focus(line)  # at once (``focus()`` waits a turn): the text may follow

    @on(Input.Submitted, "#fan-edit")
    def _submitted(self, event: Input.Submitted) -> None:
        what = self.editing
        self.ofcrm.dialog_ready(self)  # the keys held behind Enter go on (``WAIT_AFTER``)
        try:  # a refused value stays in the line, to be corrected
            if what == "tag":
                fields.split_tags(event.value)
            else:
                edits.check_values(nickname=event.value)
        except OfcrmError as exc:
            self.notify(clean(f"not saved: {exc}", single_line=True), severity="error",
                        markup=False)
            return
        self._close_edit()
        account = self.ofcrm.account
        if account is None or what is None:
            return
        if what == "tag":
            if event.value.strip():
                self._save(account.id, "tag", event.value)
        else:
            self._save(account.id, "nickname", event.value)

    def _close_edit(self) -> None:
        line = self.query_one("#fan-edit", Input)
        line.display = False
        self.remove_class("-editing")
        self.editing = None
        # Back where it was (tab had moved it to the notes): not always the left pane.
        self.set_focus(self.query_one(f"#{self._edit_pane}"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc goes back from the fan, or, while the edit line is open, cancels the edit:
        the footer names what it does."""
        if action == "back":
            return self.editing is None
        if action == "cancel_edit":
            return self.editing is not None
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        self.dismiss()

    def action_cancel_edit(self) -> None:
        line = self.query_one("#fan-edit", Input)
        # Esc is acted on as read, before the line has typed the keys read ahead of it
        # (``x y z Esc Enter`` in one burst: the line still looked unchanged and closed):
        # it decides once they have landed, and the keys behind it wait for the question.
        self.ofcrm.expect_dialog()
        line.call_later(self._back_from_edit, line)

    def _back_from_edit(self, line: Input) -> None:
        if line.value == self._edit_from:
            self._close_edit()
            self.ofcrm.dialog_ready(self)
        else:
            ask_to_discard(self.app, f"Discard the {self.editing} typed?", self._close_edit)

    @_once_read
    def action_remove_tag(self) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        account = self.ofcrm.account
        if self.detail is None or account is None:
            return
        if not self.detail.profile.tags:
            self.notify("This fan has no tags", severity="warning")
            return
        choices = [(Text("#" + clean(tag, single_line=True)), tag) for tag in self.detail.profile.tags]

        def picked(tag: str | None) -> None:
            if tag is not None:
                self._save(account.id, "untag", tag)

        self.app.push_screen(ChoiceDialog("Remove a tag", lambda: choices), picked)

    @_once_read
    def action_add_note(self) -> None:
        self._note_dialog(None)

    @_once_read
    def action_edit_note(self) -> None:
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        if not self.notes:
            self.notify("No notes yet: a adds one", severity="warning")
            return
        now = self.ofcrm.clock()
        choices = [(Text(f"{stamp(n.created_at, now)}  ").append(
            clean(n.body, single_line=True)[:70]), n) for n in self.notes]
        self.app.push_screen(ChoiceDialog("Edit which note?", lambda: choices), self._edit_picked)

    def _edit_picked(self, note: NoteView | None) -> None:
        """Another chatter's note is refused before the editor opens (the database
        would refuse the save)."""
        if note is None:
            return
        refused = edits.note_refusal(self.ofcrm.context.identity, note.author)
        if refused is not None:
            self.notify(clean(f"{refused}; `a` adds one of yours", single_line=True),
                        severity="error", markup=False)
            return
        self._note_dialog(note)

    def _note_dialog(self, note: NoteView | None) -> None:
        from ofcrm_tui.tui.dialogs.fan_note import NoteDialog

        account = self.ofcrm.account
        if account is None or self.detail is None:
            return

        def written(body: str | None) -> None:
            self._note_typed = body
            if body is not None and self._gone:  # told meanwhile: no fan to save it to
                self._keep_note()
            elif body is not None:
                self._save(account.id, "note" if note is None else f"note:{note.id}", body,
                           was=None if note is None else note.body)

        self.app.push_screen(NoteDialog(note.body if note else ""), written)

    @work(thread=True, group="fan-save", exit_on_error=False)
    def _save(self, account_id: int, what: str, value: str, was: str | None = None) -> None:
        db = self.ofcrm.context.db
        author = self.ofcrm.context.settings.chatter_name
        try:
            if what == "nickname":
                edits.set_nickname(db, account_id, self.fan_id, value)
            elif what == "tag":
                edits.add_tags(db, account_id, self.fan_id, fields.split_tags(value))
            elif what == "untag":
                edits.remove_tags(db, account_id, self.fan_id, [value])
            elif what == "note":
                edits.add_note(db, account_id, self.fan_id, value, author=author)
            else:
                edits.edit_note(db, account_id, int(what.removeprefix("note:")), value, was=was)
        except edits.NoteChanged:  # both kept: theirs in the note, this chatter's beside it
            edits.add_note(db, account_id, self.fan_id, value, author=author)
            self.post_message(self.Saved("Someone else changed this note while you edited it:"
                                         " yours is saved as a new note"))
            return
        except (OfcrmError, ValueError) as exc:
            if what.startswith("note") and self._deleted(account_id):
                # (Not a message: the screen may be closing, its messages dropped.)
                self.app.call_from_thread(self._keep_note)
            else:
                self.post_message(self.Refused(f"not saved: {exc}"))
            return
        self.post_message(self.Saved())

    def _keep_note(self) -> None:
        """The note being saved, typed for the fan deleted meanwhile, is not lost without
        a word (as an unsent reply is not): it goes to the clipboard, a notice quotes it,
        the fan's screen closes and the lists read again without the fan. (Once: from the
        save that found no fan, or the read that did first: that closes the screen, and
        its save may never run.)"""
        body, self._note_typed = self._note_typed, None
        if body is not None and self.detail is not None:
            keep_on_clipboard(self.app, self.detail.profile.display_name, body, "unsaved note")
        if self._gone:
            return  # told already: the screen closes as it comes back (``on_screen_resume``)
        self._gone = True
        self.ofcrm.changes.publish(DataChanged.of("fans", "inbox"))
        if self.app.screen is self:  # else once the dialog over it is closed
            self.dismiss()

    def _deleted(self, account_id: int) -> bool:
        """The fan was deleted (by another chatter or app, told here or not yet)."""
        try:
            profile.fan_profile(self.ofcrm.context.db, account_id, self.fan_id)
        except OfcrmError:
            return True
        return False

    def on_fan_detail_screen_saved(self, message: Saved) -> None:
        self._note_typed = None
        self.notify(message.warning or "Saved", severity="warning" if message.warning else "information")
        self.ofcrm.changes.publish(DataChanged.of("fans", "inbox"))

    def on_fan_detail_screen_refused(self, message: Refused) -> None:
        if message.gone and self._note_typed is not None:
            self._keep_note()  # says the fan is gone, with the note
            return
        if self._gone:
            return  # said once already (reads asked for meanwhile say it again)
        self.notify(clean(message.reason, single_line=True), severity="error", markup=False)
        if message.gone:
            self._gone = True
            if self.app.screen is self:  # else once the dialog over it is closed
                self.dismiss()

    def on_screen_resume(self) -> None:
        # (The base's handler runs too: Textual calls each class's.)
        if self._gone:
            self.dismiss()

    # -- leaving -------------------------------------------------------------------

    @_once_read
    async def action_conversation(self) -> None:
        if self.detail is not None:
            await show_conversation(self, self.detail.profile.conversation_id)

    def action_delete(self) -> None:
        confirm_delete(self, self.fan_id, close=True)

