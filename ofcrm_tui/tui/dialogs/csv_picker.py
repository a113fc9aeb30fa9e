"""The file picker of the fans import: textual-fspicker's ``FileOpen``, with two habits
of a fast typist kept.

A path typed as the picker opens goes into its file name box (on the folder list the
letters did nothing, and Enter then opened a folder). And the picker has its focus as
it mounts: ``FileOpen`` focuses the list a turn later, and the keys held for the picker
(``tui.key_order``) were let go in between, to nothing.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input
from textual_fspicker import FileOpen
from textual_fspicker.parts import DirectoryNavigation

from ofcrm_tui.tui.toast_area import keep_toasts_over


class CsvPicker(FileOpen):
    def on_mount(self) -> None:
        self.set_focus(self.query_one(DirectoryNavigation))
        # Its box selects all it holds when it takes the focus, a turn after the first
        # letter moved the focus there: the next letter replaced the path typed so far.
        self.query_one(Input).select_on_focus = False
        # Its notices over the file list's bottom right: clear of its path and first
        # files (top right, where the cursor starts), its buttons and its border.
        keep_toasts_over(self, self.query_one(DirectoryNavigation))

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
