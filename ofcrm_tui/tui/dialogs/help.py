"""Every key the app answers to, as remapped by the user's ``[keymap]``, with its id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ofcrm_tui.tui.keymap import Section, bindings_of, keys_of


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
        Binding("j,down", "scroll(1)", "Down", id="help.down", show=False),
        Binding("k,up", "scroll(-1)", "Up", id="help.up", show=False),
    ]

    def __init__(self, sections: Sequence[Section], keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = Text('remap in config.toml: [keymap] inbox.reply = "R"')
            with VerticalScroll(id="help-body"):
                for title, owner in self.sections:
                    yield Static(self._table(title, owner), classes="help-section")
        yield Footer()

    def _table(self, title: str, owner: type) -> Table:
        table = Table.grid(padding=(0, 2))
        table.title = Text(title, style="bold")
        table.title_justify = "left"
        table.add_column(min_width=14)
        table.add_column(min_width=24)
        table.add_column(style="dim")
        for binding in bindings_of(owner):
            keys = " ".join(self.app.get_key_display(key) for key in keys_of(binding, self.keymap))
            table.add_row(
                Text(keys, style="bold"), Text(binding.description), Text(binding.id or "")
            )
        return table

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body").scroll_relative(y=lines, animate=False)
