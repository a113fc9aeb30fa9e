"""Pick one of a list loaded off the event loop (accounts, tags)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.footer_fit import FittedFooter
from ofcrm_tui.tui.sanitize import literal
from ofcrm_tui.tui.screens.base import ofcrm_app
from ofcrm_tui.tui.widgets.footer import KeyFooter

T = TypeVar("T")
Choices = Sequence[tuple[Text, T]]


def move_highlight(options: OptionList, step: int) -> None:
    """One option down (``step`` > 0) or up, for dialogs whose keys drive a list."""
    if step > 0:
        options.action_cursor_down()
    else:
        options.action_cursor_up()


class ChoiceDialog(Dialog[T | None], FittedFooter[T | None], Generic[T]):
    """``load`` runs in a thread worker and returns ``(label, value)`` pairs; labels are
    Rich ``Text`` so nothing in them is read as markup. ``always``: choices offered
    before them whatever it returns; ``empty``: a line (not a choice) shown when it
    returns none; ``body``: what the question is about, below its title, wrapped whole
    (a title too long for the border is cut); ``verb``: what its footer names Enter
    (what picking does: Edit, Delete)."""

    # Esc is "Back": it leaves what was asked about as it was ("Cancel" read as the yes
    # to "Cancel this campaign?"). Priority, the list's own keys too (``system``: the
    # list's, not listed in the help): acted on as read, so Enter picks the choice the
    # keys before it moved to, and the keys typed behind it go to what it leads to (the
    # list's keys came back up from it after those had been read, and went to it).
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="choice.cancel", priority=True),
        Binding("j", "move(1)", "Down", id="choice.down", show=False, priority=True),
        Binding("k", "move(-1)", "Up", id="choice.up", show=False, priority=True),
        *(Binding(key, action, show=False, priority=True, system=True) for key, action in (
            ("down", "move(1)"), ("up", "move(-1)"), ("home", "options('first')"),
            ("end", "options('last')"), ("pageup", "options('page_up')"),
            ("pagedown", "options('page_down')"))),
        # Named in the footer (by ``verb``), before Back: the list's (the help's ``system``).
        Binding("enter", "pick", "Pick", priority=True, system=True),
    ]

    class Loaded(Message):
        def __init__(self, choices: Choices) -> None:
            super().__init__()
            self.choices = choices

    def __init__(
        self, title: str, load: Callable[[], Choices], *, current: object = None,
        empty: str = "", always: Choices = (), body: str = "", verb: str = "Pick",
    ) -> None:
        super().__init__()
        self.verb = verb
        self.title_text = title
        self.load = load
        self.always = always
        self.current = current
        self.empty = empty
        self.body = body
        self.values: list[T] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice-dialog") as dialog:
            dialog.border_title = literal(self.title_text, single_line=True)
            if self.body:
                yield Label(literal(self.body), classes="choice-body")
            yield OptionList()
        yield KeyFooter()

    def names_now(self, binding: Binding) -> str:
        return self.verb if binding.action == "pick" else super().names_now(binding)

    def on_mount(self) -> None:
        # The keys typed behind the one that opened the dialog (j, Enter) wait for the
        # choices: read before them, they moved and picked in an empty list.
        ofcrm_app(self.app).expect_dialog()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.load()))

    def on_choice_dialog_loaded(self, message: Loaded) -> None:
        options = self.query_one(OptionList)
        choices = [*self.always, *message.choices]
        self.values = [value for _, value in choices]
        options.add_options(Option(label) for label, _ in choices)
        if not message.choices and self.empty:
            options.add_option(Option(Text(self.empty, style="dim"), disabled=True))
        options.highlighted = self.values.index(self.current) if self.current in self.values else 0
        self.set_focus(options)  # at once (``focus()`` waits a turn): the keys held go on now
        ofcrm_app(self.app).dialog_ready(self)

    def action_move(self, step: int) -> None:
        move_highlight(self.query_one(OptionList), step)

    def action_options(self, action: str) -> None:
        """One of the list's own moves (``first``, ``last``, ``page_up``, ``page_down``)."""
        getattr(self.query_one(OptionList), f"action_{action}")()

    def action_pick(self) -> None:
        if self._pick(self.query_one(OptionList).highlighted):
            ofcrm_app(self.app).choice_picked()  # Enter Enter: the second is this one's

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)  # a click

    def _pick(self, index: int | None) -> bool:
        if index is None or index >= len(self.values):
            return False
        self.dismiss(self.values[index])
        return True


def ask_to_discard(app: App[object], title: str, discard: Callable[[], object]) -> None:
    """Esc on text typed and not saved: keeping it first (an Enter typed by habit keeps
    it, as in every question whose yes cannot be undone), then ``discard``."""
    choices = [(Text("Keep editing"), False), (Text("Discard what was typed"), True)]

    def answered(yes: bool | None) -> None:
        if yes:
            discard()  # not awaited (a dialog's ``dismiss`` can't be, from its handler)

    app.push_screen(ChoiceDialog(title, lambda: choices), answered)
