"""The fan's screen's edits, a part of ``FanDetailScreen`` kept apart for size: the
nickname and tag line, notes written, edited and deleted, tags removed, each saved in a
thread worker; and a fan deleted meanwhile (the note being typed kept, the screen closed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from inspect import isawaitable

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker

from ofcrm_tui.core.fans import edits, fields, profile
from ofcrm_tui.core.fans.edits import NoteView
from ofcrm_tui.core.fans.profile import FanProfile, Purchase
from ofcrm_tui.core.inbox.thread import ThreadMessage
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.tui.dialogs.choice import ask_to_discard
from ofcrm_tui.tui.keymap import key_named
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.notices import keep_on_clipboard
from ofcrm_tui.tui.sanitize import clean, first_words
from ofcrm_tui.tui.screens.base import OfcrmScreen
from ofcrm_tui.tui.timefmt import stamp
from ofcrm_tui.tui.widgets.fields import SuggestLastItem

NOTE_SHOWN = 70  # characters of a note a choice or a question quotes
SAVES = "fan-save"  # the workers' group of the fan's saves


@dataclass(frozen=True)
class Detail:
    """What the fan's screen read of the fan."""

    profile: FanProfile
    notes: list[NoteView]
    purchases: list[Purchase]
    messages: list[ThreadMessage]  # newest first
    known_tags: list[str]  # the account's tags, for completion


def once_read(action: Callable[..., object]) -> Callable[..., object]:
    """An action on the fan waits until the fan is read: keys typed right after Enter
    on a list (``enter e`` in one burst) come before it is; and, after a save of this
    screen's, until it is read again (``d Enter j Enter d``: the second ``d`` listed the
    note just deleted)."""

    @wraps(action)
    def act(self: FanEdits, *args: object) -> object:
        if self.stale():
            self._waiting.append(partial(act, self, *args))
            return None
        return action(self, *args)

    return act


class FanEdits(OfcrmScreen):
    """The edits half of ``FanDetailScreen`` (its only subclass, which reads the fan,
    draws it and holds the keys)."""

    fan_id: int
    detail: Detail | None
    notes: list[NoteView]
    _waiting: list[Callable[[], object]]  # actions asked for before the read
    _saves = 0  # saves started and not done
    _reads = 0  # the fan's reads started (``FanDetailScreen._reload``)
    _drawn = 0  # the read shown
    _fresh_from = 0  # the first read started after the last save was done
    _going_on = 0  # waiting actions handed to the app (``go_on``) and not run yet

    def key_of(self, binding_id: str) -> str:
        """The key this screen's ``binding_id`` answers to, for a hint naming it."""
        return key_named(self.app, type(self), binding_id)

    class Saved(Message):
        """A change is in the database, said ``done`` (``warning``: said instead)."""

        def __init__(self, warning: str | None = None, done: str = "Saved") -> None:
            super().__init__()
            self.warning = warning
            self.done = done

    class Refused(Message):
        def __init__(self, reason: str, *, gone: bool = False) -> None:
            super().__init__()
            self.reason = reason
            self.gone = gone

    def __init__(self) -> None:
        super().__init__()
        self.editing: str | None = None  # "nickname" / "tag" while the edit line is open
        self._edit_from = ""  # what the edit line opened with (Esc asks once it differs)
        self._edit_pane = "fan-left"  # the pane the edit line gives the focus back to
        self._gone = False  # the fan was deleted: the screen goes once it is on top
        self._gone_why = "was deleted meanwhile"  # what a note kept says of the fan
        self._note_typed: str | None = None  # a note being saved (``_keep_note``)

    @once_read
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

    @once_read
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

    @once_read
    def action_add_note(self) -> None:
        self._note_dialog(None)

    @once_read
    def action_edit_note(self) -> None:
        self._pick_note("Edit which note?", "edit", self._note_dialog)

    @once_read
    def action_delete_note(self) -> None:
        self._pick_note("Delete which note?", "delete", self._ask_delete)

    def _pick_note(self, title: str, doing: str, then: Callable[[NoteView], object]) -> None:
        """``then`` on the note to act on: the fan's only one at once, else the one
        picked. Another chatter's is refused before (the database would refuse it)."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        if not self.notes:
            self.notify(f"No notes yet: {self.key_of('fan.add_note')} adds one",
                        severity="warning")
            return

        def picked(note: NoteView | None) -> None:
            if note is None:
                return
            refused = edits.note_refusal(self.ofcrm.context.identity, note.author, doing)
            if refused is not None:
                hint = (f"; `{self.key_of('fan.add_note')}` adds one of yours"
                        if doing == "edit" else "")
                self.notify(clean(refused + hint, single_line=True), severity="error",
                            markup=False)
                return
            then(note)

        if len(self.notes) == 1:  # (a page holds more: one read is the fan's only one)
            picked(self.notes[0])
            return
        now = self.ofcrm.clock()
        choices = [(Text(f"{stamp(n.created_at, now)}  ").append(
            first_words(n.body, NOTE_SHOWN)), n) for n in self.notes]
        self.app.push_screen(ChoiceDialog(title, lambda: choices, verb=doing.capitalize()), picked)

    def _ask_delete(self, note: NoteView) -> None:
        """Keeping first (an Enter typed by habit keeps the note, as the fan's delete);
        the question quotes the note's first words, and the delete goes only if the note
        is still what it quoted."""
        from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

        account = self.ofcrm.account
        if account is None:
            return
        when = stamp(note.created_at, self.ofcrm.clock())
        quoted = f"“{first_words(note.body, NOTE_SHOWN)}” ({when})"
        choices = [(Text("Keep the note"), False), (Text("Delete the note", style="bold"), True)]

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(account.id, f"unnote:{note.id}", "", was=note.body)

        self.app.push_screen(ChoiceDialog("Delete this note?", lambda: choices, body=quoted),
                             answered)

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

        delete_key = self.key_of("fan.delete_note")
        self.app.push_screen(NoteDialog(note.body if note else "", delete_key=delete_key), written)

    def stale(self) -> bool:
        """The fan is not read yet, or was read before a save of this screen's was done
        (its notes and tags as they were): its actions wait (``once_read``)."""
        return self.detail is None or self._saves > 0 or self._drawn < self._fresh_from

    def go_on(self) -> None:
        """The actions asked for while the fan was ``stale``, now that it is not."""
        if self.stale():
            return
        waiting, self._waiting = self._waiting, []
        # Run by the app, as a key's action is (``c`` pops this screen), after what it
        # has left to do (the header's title once this screen is up). The keys read
        # behind them are held until they have run (``holds_keys``): let go as the list
        # emptied, a loaded machine acted on ``b 2 Enter`` before the ``t`` that opens the
        # line they were typed into, and the tag was lost.
        self._going_on += len(waiting)
        for act in waiting:
            self.app.call_next(self._go_on_with, act)

    async def _go_on_with(self, act: Callable[[], object]) -> None:
        try:
            done = act()
            if isawaitable(done):  # ``c``: the conversation, from the inbox
                await done
        finally:
            self._going_on -= 1

    def _save(self, account_id: int, what: str, value: str, was: str | None = None) -> None:
        self._saves += 1
        self._saving(account_id, what, value, was)

    @work(thread=True, group=SAVES, exit_on_error=False)
    def _saving(self, account_id: int, what: str, value: str, was: str | None) -> None:
        """(Its end is told by its state, ``on_worker_state_changed``.)"""
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
            elif what.startswith("unnote:"):
                self._delete_note(account_id, int(what.removeprefix("unnote:")), was)
                return
            else:
                edits.edit_note(db, account_id, int(what.removeprefix("note:")), value,
                                by=author, was=was)
        except (edits.NoteChanged, edits.NoteGone) as exc:
            self._save_beside(account_id, value, exc)
            return
        except (OfcrmError, ValueError) as exc:
            self._not_saved(account_id, what, exc)
            return
        self.post_message(self.Saved())

    def _save_beside(self, account_id: int, body: str, why: edits.FanEditError) -> None:
        """(In ``_saving``'s thread.) The note edited was changed or deleted meanwhile: the
        text typed is saved as a new note, beside theirs (nobody's words lost)."""
        db = self.ofcrm.context.db
        try:
            edits.add_note(db, account_id, self.fan_id, body,
                           author=self.ofcrm.context.settings.chatter_name)
        except (OfcrmError, ValueError) as exc:
            self._not_saved(account_id, "note", exc)
            return
        if isinstance(why, edits.NoteGone):
            said = "This note was deleted meanwhile"
        else:
            said = "Someone else changed this note while you edited it"
        self.post_message(self.Saved(f"{said}: yours is saved as a new note"))

    def _not_saved(self, account_id: int, what: str, exc: Exception) -> None:
        """(In ``_saving``'s thread.) A note typed for a fan deleted meanwhile is kept
        (``_keep_note``); anything else refused is said."""
        if what.startswith("note") and self._deleted(account_id):
            # (Not a message: the screen may be closing, its messages dropped.)
            self.app.call_from_thread(self._keep_note)
        else:
            self.post_message(self.Refused(f"not saved: {exc}"))

    def _delete_note(self, account_id: int, note_id: int, was: str | None) -> None:
        """(In ``_saving``'s thread.) A note changed since the question quoted it stays, as
        changed; one deleted meanwhile is gone as asked. The screen reads it again."""
        try:
            edits.delete_note(self.ofcrm.context.db, account_id, note_id,
                              by=self.ofcrm.context.settings.chatter_name, was=was)
        except edits.NoteChanged:
            self.post_message(self.Saved("Someone else changed this note meanwhile: not deleted"))
        except edits.NoteGone:
            self.post_message(self.Saved(done="This note was deleted already"))
        except OfcrmError as exc:
            self.post_message(self.Refused(f"not deleted: {exc}"))
        else:
            self.post_message(self.Saved(done="Note deleted"))

    def _keep_note(self) -> None:
        """The note being saved, typed for the fan deleted meanwhile, is not lost without
        a word (as an unsent reply is not): it goes to the clipboard, a notice quotes it,
        the fan's screen closes and the lists read again without the fan. (Once: from the
        save that found no fan, or the read that did first: that closes the screen, and
        its save may never run.)"""
        body, self._note_typed = self._note_typed, None
        if body is not None and self.detail is not None:
            keep_on_clipboard(self.app, self.detail.profile.display_name, body, "unsaved note",
                              self._gone_why)
        if self._gone:
            return  # told already: the screen closes as it comes back (``on_screen_resume``)
        self._gone = True
        self.ofcrm.changes.publish(DataChanged.of("fans", "inbox"))
        if self.app.screen is self:  # else once the dialog over it is closed
            self.dismiss()

    def let_go(self) -> None:
        """The fan's screen goes, as for a fan deleted meanwhile (a note typed meanwhile
        is kept on the clipboard, saying why): now, or once it is on top again."""
        super().let_go()
        self._gone, self._gone_why = True, "is out of reach: access to the account was lost"
        if self.app.screen is self:
            self.dismiss()

    def _deleted(self, account_id: int) -> bool:
        """The fan was deleted (by another chatter or app, told here or not yet)."""
        try:
            profile.fan_profile(self.ofcrm.context.db, account_id, self.fan_id)
        except OfcrmError:
            return True
        return False

    def on_fan_edits_saved(self, message: Saved) -> None:
        self._note_typed = None
        self.notify(message.warning or message.done, severity="warning" if message.warning else "information")
        self._fresh_from = self._reads + 1  # the read the publish starts
        self.ofcrm.changes.publish(DataChanged.of("fans", "inbox"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A save's worker is done, after what it posted (its ``Saved`` or ``Refused``:
        the same queue), or failed."""
        if event.worker.group == SAVES and event.worker.is_finished:
            self._saves -= 1
            self.go_on()

    def on_fan_edits_refused(self, message: Refused) -> None:
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
