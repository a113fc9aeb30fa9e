"""Text boxes on screens whose letter keys are priority bindings (acted on as read).

Textual leaves a focused text box the keys it types, priority bindings' too, but finds
a key's character from its name, and for the names it shortens (``slash``, ``at``,
``minus``...) it finds none: ``/`` in the search would search again and ``@`` in a
reply would assign the conversation, instead of typing them. These boxes name the
character themselves. ``FileBox`` is the one where an export names its file: it asks
before the export replaces a file that exists. ``TickBox`` is a checkbox that reads
without colour, ``RadioChoice`` a radio button that does, and ``PickList`` a list of
ticks that does too, whose keys act as read on the item they were typed on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from rich.segment import Segment
from textual import events, on
from textual.binding import Binding
from textual.keys import REPLACED_KEYS, key_to_character
from textual.strip import Strip
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    Input,
    RadioButton,
    SelectionList,
    TextArea,
)
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from ofcrm_tui.core import files
from ofcrm_tui.tui.keymap import bound
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.twice import Twice


class ActsOnItsKeys:
    """Acts on its own keys (a list's space, Down, Enter; a box's backspace, ctrl+u…) as
    it reads them, in the order typed."""

    async def _on_key(self, event: events.Key) -> None:
        # Textual acts on a widget's bindings once the key has come back up to the app,
        # after the keys read behind it: ``a b backspace c d`` in one burst gave ``abc``
        # in a box; in a list, a Tab read behind ``space`` had moved the focus on, and
        # the space ticked the next list. Acted on here, they keep their place.
        if self._types(event):
            return
        # Its own bindings, not the focus chain's: a Tab read behind the key may have
        # moved the focus on already (``ctrl+u`` then cleared the next field).
        widget = cast("Widget", self)
        for binding in bound(widget, event.key):
            if not binding.priority and await widget.app.run_action(binding.action, widget):
                event.stop()
                event.prevent_default()
                return

    def _types(self, event: events.Key) -> bool:
        """``event`` is a letter it types itself (none: only a text box types)."""
        return False


class TypesItsKeys(ActsOnItsKeys):
    """Takes every key that types a character, whatever Textual calls it, and acts on
    its own keys (backspace, ctrl+w, ctrl+u…) in the order it reads them."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        character = character or key_to_character(REPLACED_KEYS.get(key, key))
        return super().check_consume_key(key, character)  # type: ignore[misc]

    def _types(self, event: events.Key) -> bool:
        return event.is_printable  # a letter the box types (the boxes bind none)


class TextBox(TypesItsKeys, Input):
    pass


class MultilineBox(TypesItsKeys, TextArea):
    pass


class MarksItsState:
    """A toggle whose state reads without colour: on shows its mark in its box, off an
    empty box (Textual's shows the same mark either way, only its colour changes: a real
    import was run believing Dry run ticked; every export kind looked chosen)."""

    MARK: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._mark()

    @classmethod
    def inner(cls, on: bool) -> str:
        """What its box holds: its mark when on, else a blank."""
        return cls.MARK if on else " "

    def watch_value(self) -> None:
        self._mark()
        super().watch_value()  # type: ignore[misc]

    def _mark(self) -> None:
        button = cast("ToggleButton", self)
        button.BUTTON_INNER = self.inner(button.value)


class TickBox(MarksItsState, Checkbox):
    """A checkbox: ``X`` in its box when ticked."""

    MARK = "X"


class RadioChoice(MarksItsState, RadioButton):
    """A radio button: ``●`` in its box when chosen."""

    MARK = "\u25cf"


T = TypeVar("T")


class PickList(ActsOnItsKeys, SelectionList[T]):
    """A ``SelectionList`` whose keys act on the item they were typed on, as read: a Tab
    read behind them (a priority key) moves the focus on only after them, and a ctrl+s
    behind them applies what they picked. Textual's acted on a list's keys once they had
    come back up to the app, and toggled the item highlighted when the toggle's message
    was handled: ``space down space`` in one burst toggled the second item twice, and
    ``Tab space down space Tab`` ticked the next list. Each item's box holds a
    ``TickBox``'s mark only when picked (Textual's shows one on every item, picked or
    not, in another colour). ``j`` and ``k`` move as on every list of the app."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", id="picks.down", show=False),
        Binding("k", "cursor_up", "Up", id="picks.up", show=False),
    ]

    def action_select(self) -> None:
        # Space, Enter or a click: the toggle now, not a message handled later.
        index = self.highlighted
        if index is not None and not self.get_option_at_index(index).disabled:
            self.toggle(self.get_option_at_index(index))

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line  # no item there: no box
        # SelectionList draws the box's left side, its inside, its right side, a space.
        segments = list(line)
        inside = segments[1]
        segments[1] = Segment(TickBox.inner(selection.value in self._selected),
                              inside.style, inside.control)
        return Strip(segments, line.cell_length)


# An export that replaces a file counts only this long after the warning was shown.
CONFIRM_AFTER_SECONDS = 0.5


def exported(what: str, path: Path) -> str:
    """The toast of an export: what it wrote, and where (``FileBox.path``: in full)."""
    return f"Exported {what} to {clean(str(path), single_line=True)}"


class FileBox(TextBox):
    """The file an export writes, asking before it replaces one: the first export to a
    file that exists is answered with what is there (the dialog shows it and stays
    open), the next to the same path goes ahead. Any edit of the path asks again."""

    def __init__(self, value: str, *, id: str) -> None:
        super().__init__(value, id=id)
        self._warned = Twice()  # the path whose file the last warning named

    @property
    def path(self) -> Path | None:
        """The whole path: a relative one is in the folder the app was started in, and
        the question and the toast name it in full."""
        text = self.value.strip()
        return Path(text).expanduser().absolute() if text else None

    def checked(self) -> Path | str:
        """The path to export to, or why not yet: no path, or the file it would replace
        (the first time, and again when the next export comes too soon to have read
        the warning: Enter Enter replaced the file)."""
        path = self.path
        if path is None:
            return "Name the file to write"
        since = self._warned.since(path)
        if since is not None and since >= CONFIRM_AFTER_SECONDS:
            return path
        found = files.existing(path)
        if found is None:
            return path
        self._warned.did(path)
        return f"{found}: export again to replace it"

    @on(Input.Changed)
    def _ask_again(self) -> None:
        self._warned.forget()


class CompletingBox(TextBox):
    """A one-line edit that keeps the focus: Tab takes the suggestion for what is typed,
    if any, and otherwise does nothing (moving on would leave the line open and the
    screen's letter shortcuts acting on what is typed next). Its screen takes the line
    on Enter and then calls ``dialog_ready``: the keys read behind Enter wait for that
    (``t a1 Enter t b2 Enter`` typed ``tb2`` into the line before it was taken)."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]
    WAIT_AFTER: ClassVar[frozenset[str]] = frozenset({"submit"})

    async def action_complete(self) -> None:
        # Asked here, not the suggestion shown: that comes from a worker, and is not in
        # yet for a Tab typed right behind the letters (``w Tab``).
        if not self.cursor_at_end or self.suggester is None:
            return
        value = self.value if self.suggester.case_sensitive else self.value.casefold()
        suggestion = await self.suggester.get_suggestion(value)
        if suggestion:
            self.value = suggestion
            self.cursor_position = len(suggestion)


class SuggestLastItem(Suggester):
    """Completes the item after the last comma (``vip, w`` -> ``vip, whale``) from
    ``names``, matched in any case; what is typed before it is kept as typed, and so is a
    leading ``#`` (``#w`` -> ``#whale``: the app shows tags with it, the tag rule drops it)."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(case_sensitive=True)  # the whole line as typed: see above
        self.names = [(name.casefold(), name) for name in names]

    async def get_suggestion(self, value: str) -> str | None:
        last = value.rsplit(",", 1)[-1].lstrip()
        marks = last[: len(last) - len(last.lstrip("#"))]
        typed = last[len(marks):].casefold()
        if not typed:
            return None
        for folded, name in self.names:
            if folded.startswith(typed) and folded != typed:
                return value[: len(value) - len(last)] + marks + name
        return None
