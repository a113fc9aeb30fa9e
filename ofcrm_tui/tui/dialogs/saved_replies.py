"""Pick a saved reply by fuzzy filter; its placeholders are filled for the open fan."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ofcrm_tui.core.inbox import ConversationRow, saved_replies
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog, move_highlight
from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.dialogs.new_reply import NewReplyDialog
from ofcrm_tui.tui.footer_fit import FittedFooter
from ofcrm_tui.tui.sanitize import clean, literal
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.widgets.fields import TextBox
from ofcrm_tui.tui.widgets.footer import KeyFooter


class SavedReplyPicker(Dialog[str | None], FittedFooter[str | None]):
    """Returns the chosen reply's text, placeholders filled, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="replies.cancel"),
        Binding("enter", "pick", "Insert", id="replies.pick", show=True),
        Binding("down", "move(1)", "Next", id="replies.down", show=False),
        Binding("up", "move(-1)", "Previous", id="replies.up", show=False),
        # As it is read: the name typed behind it went into the filter.
        Binding("ctrl+n", "new", "New reply", id="replies.new", priority=True),
        # ctrl+t for "trash": the filter box already uses ctrl+d (delete right).
        Binding("ctrl+t", "delete", "Delete", id="replies.delete"),
    ]

    def shows_now(self, binding: Binding) -> bool:
        """The footer names Enter as the dialog's Insert (``names_now``) whatever has the
        focus: the focused filter's (or list's) own Enter picks too."""
        return binding.key == "enter" or super().shows_now(binding)

    def names_now(self, binding: Binding) -> str:
        return "Insert" if binding.key == "enter" else super().names_now(binding)

    class Loaded(Message):
        def __init__(self, replies: list[saved_replies.SavedReply], error: str = "") -> None:
            super().__init__()
            self.replies = replies
            self.error = error

    def __init__(self, db: Database, account_id: int, fan: ConversationRow, draft: str) -> None:
        super().__init__()
        self.db = db
        self.account_id = account_id
        self.fan = fan
        self.draft = draft
        self.replies: list[saved_replies.SavedReply] = []
        self.shown: list[saved_replies.SavedReply] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="replies-dialog", classes="dialog") as dialog:
            dialog.border_title = "Saved replies"
            yield TextBox(placeholder="Filter…", id="replies-filter")
            yield OptionList(id="replies-list")
            yield Static(id="replies-preview")
        yield KeyFooter()

    def on_mount(self) -> None:
        # The keys typed behind ctrl+r (a filter, Enter) wait for the replies: Enter read
        # before them picked nothing.
        ofcrm_app(self.app).expect_dialog()
        self._run(lambda: None)

    @work(thread=True, exit_on_error=False)
    def _run(self, change: Callable[[], object]) -> None:
        """Apply ``change`` (create or delete), then reload the list. (Not exclusive:
        that could cancel a write before it ran.)"""
        error = ""
        try:
            change()
        except OfcrmError as exc:
            error = str(exc)
        self.post_message(self.Loaded(saved_replies.list_replies(self.db, self.account_id), error))

    def on_saved_reply_picker_loaded(self, message: Loaded) -> None:
        self.replies = message.replies
        if message.error:
            self.notify(message.error, severity="error", markup=False)
        self._filter()
        ofcrm_app(self.app).dialog_ready(self)

    @on(Input.Changed)
    def _filter(self) -> None:
        needle = self.query_one(Input).value
        self.shown = saved_replies.fuzzy_filter(self.replies, needle) if needle else self.replies
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(self._label(reply)) for reply in self.shown)
        options.highlighted = 0 if self.shown else None
        self._preview()

    def _label(self, reply: saved_replies.SavedReply) -> Text:
        label = literal(reply.name, "bold", single_line=True)
        label.append("  " + clean(reply.body, single_line=True), "dim")
        label.truncate(120, overflow="ellipsis")
        return label

    @on(OptionList.OptionHighlighted)
    def _preview(self) -> None:
        reply = self._highlighted()
        preview = self.query_one("#replies-preview", Static)
        if reply is None:
            preview.update(Text("No saved replies yet: ctrl+n makes one" if not self.replies
                                else "Nothing matches"))
        else:
            try:
                preview.update(literal(saved_replies.render_reply(reply.body, self.fan)))
            except saved_replies.SavedReplyError as exc:
                preview.update(Text(str(exc), style="red"))

    def _highlighted(self) -> saved_replies.SavedReply | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    def action_move(self, step: int) -> None:
        move_highlight(self.query_one(OptionList), step)

    @on(Input.Submitted)
    def action_pick(self) -> None:
        """Enter: the reply goes into the box. An Enter read right behind it is that
        press twice (``choice_picked``): it put a new line after the reply."""
        if self._pick():
            ofcrm_app(self.app).choice_picked("enter")

    @on(OptionList.OptionSelected)
    def _pick(self) -> bool:
        reply = self._highlighted()
        if reply is None:
            return False
        try:
            text = saved_replies.render_reply(reply.body, self.fan)
        except saved_replies.SavedReplyError as exc:  # saved before {nickname} was refused
            self.notify(str(exc), severity="error", markup=False)
            return False
        self.dismiss(text)
        return True

    def action_new(self) -> None:
        def created(result: tuple[str, str] | None) -> None:
            if result is not None:
                name, body = result
                self._run(lambda: saved_replies.create_reply(self.db, self.account_id, name, body))

        self.app.push_screen(NewReplyDialog(self.draft), created)

    def action_delete(self) -> None:
        """Ask first, keeping first: a deleted reply is gone for the whole team."""
        reply = self._highlighted()
        if reply is None:
            return
        name = clean(reply.name, single_line=True)
        choices = [(Text("Keep the reply"), False),
                   (Text("Delete ") + Text(f"“{name}”", style="bold") + Text(" for the whole team"),
                    True)]

        def answered(delete: bool | None) -> None:
            if delete:
                self._run(lambda: saved_replies.delete_reply(self.db, self.account_id, reply.id))
                self.notify(f"Deleted “{name}”", markup=False)

        self.app.push_screen(ChoiceDialog("Delete this saved reply?", lambda: choices), answered)
