"""Every key the app answers to, as remapped by the user's ``[keymap]``, with its id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ofcrm_tui.tui.dialogs.dialog import Dialog
from ofcrm_tui.tui.keymap import Section, bindings_of, keys_of
from ofcrm_tui.tui.widgets.footer import KeyFooter

# Roomy columns, kept while the widest id fits beside them.
ROOMY = (14, 24)
GAP = 2


class KeyTable:
    """One section's keys, descriptions and ids in three aligned columns, laid out for
    the width it is given: the roomy widths when the ids fit beside them, else
    ``tight`` ones (the widest keys and description of every section) so that an id
    such as ``app.switch_account`` is not cut; an id too long even so folds. ``widest``:
    the widest keys, description and id of every section (all sections choose alike)."""

    def __init__(self, title: str, rows: list[tuple[str, str, str]],
                 widest: tuple[int, int, int]) -> None:
        self.title = title
        self.rows = rows
        self.widest = widest

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        roomy = sum(ROOMY) + 2 * GAP + self.widest[2] <= options.max_width
        keys, description = ROOMY if roomy else self.widest[:2]
        table = Table.grid(padding=(0, GAP))
        table.title = Text(self.title, style="bold")
        table.title_justify = "left"
        table.add_column(min_width=keys)
        table.add_column(min_width=description)
        table.add_column(style="dim", overflow="fold")
        for key, text, binding_id in self.rows:
            table.add_row(Text(key, style="bold"), Text(text), Text(binding_id))
        yield table


class HelpScreen(Dialog[None]):
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
        rows = [(title, self._rows(owner)) for title, owner in self.sections]
        every = [row for _, section in rows for row in section]
        keys, text, ids = (max((cell_len(row[i]) for row in every), default=0) for i in range(3))
        with Vertical(id="help-dialog", classes="dialog") as dialog:
            dialog.border_title = "Keys"
            dialog.border_subtitle = Text('remap in config.toml: [keymap] inbox.reply = "e"')
            with VerticalScroll(id="help-body"):
                for title, section in rows:
                    yield Static(KeyTable(title, section, (keys, text, ids)),
                                 classes="help-section")
        yield KeyFooter()

    def _rows(self, owner: type) -> list[tuple[str, str, str]]:
        """Each binding's keys (as remapped), description and id."""
        return [
            (" ".join(self.app.get_key_display(key) for key in keys_of(binding, self.keymap)),
             binding.description, binding.id or "")
            for binding in bindings_of(owner)
        ]

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-body").scroll_relative(y=lines, animate=False)
