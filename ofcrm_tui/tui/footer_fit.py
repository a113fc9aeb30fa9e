"""What a screen's footer names when its keys do not all fit the width (80 columns):
first its spacing goes, then the keys the screen calls minor (the reverse of one shown:
the inbox's N Previous match beside n Next match; keys used now and then: the fans'
Import, Export and Delete), then the palette's key (ctrl+p still opens it), then the
screen's keys from the last one listed; the app's own keys (? Help, q Quit) are always
named. Every key still works, and the help lists them all."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from rich.cells import cell_len
from textual.app import App
from textual.binding import ActiveBinding, Binding

# What a key costs in the footer beyond its key and description: " k desc " in full, "k
# desc" and a margin when compact; the palette's key, on the right, has a border and a
# space after it (compact too, as drawn).
KEY_SPACING = {False: 3, True: 2}
PALETTE_SPACING = {False: 5, True: 3}


@dataclass(frozen=True)
class FooterFit:
    compact: bool = False
    palette: bool = True
    hidden: frozenset[str] = frozenset()  # the actions of the keys left out

    def apply(
        self, bindings: dict[str, ActiveBinding], palette_key: str
    ) -> dict[str, ActiveBinding]:
        """``bindings`` as the footer should show them (the keys left out not shown)."""
        fitted = {}
        for key, active in bindings.items():
            if key == palette_key and not self.palette:
                continue
            if active.binding.action in self.hidden:
                active = active._replace(binding=replace(active.binding, show=False))
            fitted[key] = active
        return fitted


def fit_footer(
    bindings: dict[str, ActiveBinding], width: int, app: App[object], minor: Collection[str] = ()
) -> FooterFit:
    """The fullest footer that fits ``width`` cells; the keys of the ``minor`` actions
    are the first to go."""
    display: Callable[[Binding], str] = app.get_key_display
    shown: dict[str, ActiveBinding] = {}  # the footer names one key an action
    for active in bindings.values():
        if active.binding.show:
            shown.setdefault(active.binding.action, active)
    palette = bindings.get(app.COMMAND_PALETTE_BINDING)
    palette_cells = (cell_len(display(palette.binding)) + cell_len(palette.binding.description)
                     if palette is not None and app.ENABLE_COMMAND_PALETTE else None)

    def cells(actions: dict[str, ActiveBinding], compact: bool, with_palette: bool) -> int:
        keys = sum(cell_len(display(a.binding)) + cell_len(a.binding.description)
                   + KEY_SPACING[compact] for a in actions.values())
        keys -= 1 if compact and actions else 0  # the last key's margin may be cut
        if with_palette and palette_cells is not None:
            keys += palette_cells + PALETTE_SPACING[compact]
        return keys

    for compact in (False, True):
        if cells(shown, compact, True) <= width:
            return FooterFit(compact)
    hidden: set[str] = set()
    for action in reversed([action for action in shown if action in minor]):
        hidden.add(action)
        del shown[action]
        if cells(shown, True, True) <= width:
            return FooterFit(True, True, frozenset(hidden))
    droppable = [action for action, active in shown.items() if active.node is not app]
    while droppable and cells(shown, True, False) > width:
        action = droppable.pop()
        hidden.add(action)
        del shown[action]
    return FooterFit(True, False, frozenset(hidden))
