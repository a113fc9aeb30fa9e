"""The file picker of the fans import: textual-fspicker's ``FileOpen``, with the habits
of a fast typist kept and a footer of its own.

A path typed as the picker opens goes into its file name box (on the folder list the
letters did nothing, and Enter then opened a folder). And the picker has its focus as
it mounts: ``FileOpen`` focuses the list a turn later, and the keys held for the picker
(``tui.key_order``) were let go in between, to nothing. A path typed or pasted with
spaces around it is the path without them (refused: "The file must exist"). Its footer
names its keys: the fans screen's, under it, named keys that do nothing here.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input
from textual_fspicker import FileOpen
from textual_fspicker.parts import DirectoryNavigation

from ofcrm_tui.tui.toast_area import keep_toasts_over
from ofcrm_tui.tui.widgets.footer import KeyFooter


class CsvPicker(FileOpen):
    # FileOpen's keys, named (its ``.`` shows hidden files in the list; the name box
    # types it).
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="csv_picker.cancel"),
        Binding("full_stop", "hidden", "Hidden files", id="csv_picker.hidden"),
    ]

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(DirectoryNavigation))
        # Its box selects all it holds when it takes the focus, a turn after the first
        # letter moved the focus there: the next letter replaced the path typed so far.
        self.query_one(Input).select_on_focus = False
        # Its notices over the file list's bottom right: clear of its path and first
        # files (top right, where the cursor starts), its buttons and its border.
        keep_toasts_over(self, self.query_one(DirectoryNavigation))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``.`` is the list's: the footer leaves it out while the name box types it."""
        if action == "hidden":
            return not isinstance(self.focused, Input)
        return super().check_action(action, parameters)

    @on(Input.Submitted)
    @on(Button.Pressed, "#select")
    def _trim(self) -> None:
        """The path without the spaces around it, before ``FileOpen`` reads it (this
        class's handlers go first). Quietly: a change of the box clears the picker's
        error, which its check of the path trimmed is about to set."""
        box = self.query_one(Input)
        with box.prevent(Input.Changed):
            box.value = box.value.strip()

    def on_key(self, event: events.Key) -> None:
        """A printable key that no part of the picker took (the folder list, the
        buttons) goes on the path in the file name box. Keys read together were all
        handed to the list before the first moved the focus: they come here too."""
        if not event.is_printable:
            return
        event.stop()
        event.prevent_default()
        box = self.query_one(Input)
        self.set_focus(box)
        box.insert_text_at_cursor(event.character or "")
