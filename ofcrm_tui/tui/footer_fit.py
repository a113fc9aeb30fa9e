"""What a screen's footer names when its keys do not all fit the width (80 columns):
first its spacing goes, then the keys the screen calls minor (the reverse of one shown:
the inbox's N Previous match beside n Next match; keys used now and then: the fans'
Import, Export and Delete), then the palette's key (ctrl+p still opens it), then the
screen's keys from the last one listed; the app's own keys (? Help, q Quit) and the
screen's way back (its Esc: Inbox, Back) are always named. Every key still works, and
the help lists them all.

``FittedFooter`` is the screen whose footer is fitted so: every ``OfcrmScreen`` and the
campaign composer, a dialog as wide as the app."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from functools import cache
from typing import ClassVar, TypeVar

from rich.cells import cell_len
from textual import events, on
from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Footer

# What a key costs in the footer beyond its key and description: " k desc " in full, "k
# desc" and a margin when compact; the palette's key, on the right, has a border and a
# space after it (compact too, as drawn).
KEY_SPACING = {False: 3, True: 2}
PALETTE_SPACING = {False: 5, True: 3}

ResultT = TypeVar("ResultT")


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
    bindings: dict[str, ActiveBinding], width: int, app: App[object],
    minor: Collection[str] = (), kept: Collection[str] = (),
) -> FooterFit:
    """The fullest footer that fits ``width`` cells; the keys of the ``minor`` actions
    are the first to go, those of the ``kept`` ones (the way back) never."""
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
        # The last key's margin may be cut at the edge, not before the palette's key:
        # there, ``q Quit▏^p Commands`` ran into its border.
        keys -= 1 if compact and actions and not (with_palette and palette_cells) else 0
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
    droppable = [action for action, active in shown.items()
                 if active.node is not app and action not in kept]
    while droppable and cells(shown, True, False) > width:
        action = droppable.pop()
        hidden.add(action)
        del shown[action]
    return FooterFit(True, False, frozenset(hidden))


@cache
def _escape_actions(screen: type[Screen[object]]) -> frozenset[str]:
    """Read once a class: the footer is fitted again at every change of its keys."""
    declared = screen._merge_bindings().key_to_bindings.get("escape", [])
    return frozenset(binding.action for binding in declared)


class FittedFooter(Screen[ResultT]):
    """A screen whose footer names the keys that fit its width, spaced as they fit.

    A dialog takes it after its ``Dialog`` base: Textual's styles follow a class's first
    base only (``DOMNode._css_bases``), and ``ModalScreen``'s must not be lost."""

    # The actions whose keys the footer leaves out first when they do not all fit, before
    # the palette's: the reverse of another key it shows, or a key used now and then that
    # the palette or the help offers too.
    FOOTER_MINOR: ClassVar[frozenset[str]] = frozenset()

    def minor_now(self) -> frozenset[str]:
        """The actions whose keys go first now: ``FOOTER_MINOR``, or what the screen
        says now (the Failed screen's Open, while R and d name a selection)."""
        return self.FOOTER_MINOR

    def way_back(self) -> frozenset[str]:
        """The actions of the screen's own Esc keys (the way back: Inbox, Back, Close),
        found by their default key: a ``[keymap]`` entry may move them to another."""
        return _escape_actions(type(self))

    def shows_now(self, binding: Binding) -> bool:
        """The footer names ``binding``: its ``show``, or what the screen says now (a key
        named only while it applies: the inbox's n and N, while a search is on)."""
        return binding.show

    def names_now(self, binding: Binding) -> str:
        """The footer's words for ``binding``: its description, or what the key acts on
        now (the Failed screen's R and d: the messages selected, not the cursor's)."""
        return binding.description

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys as the footer names them at this width: those it has no room for
        are not shown (the footer reads this; keys are dispatched by the binding chain)."""
        bindings = self._bindings_named()
        return self._footer_fit(bindings).apply(bindings, self.app.COMMAND_PALETTE_BINDING)

    def _bindings_named(self) -> dict[str, ActiveBinding]:
        """The active bindings, each shown in the footer as ``shows_now`` and
        ``names_now`` say."""
        named = {}
        for key, active in super().active_bindings.items():
            binding = active.binding
            shown, words = self.shows_now(binding), self.names_now(binding)
            if (shown, words) != (binding.show, binding.description):
                active = active._replace(
                    binding=replace(binding, show=shown, description=words))
            named[key] = active
        return named

    def _footer_fit(self, bindings: dict[str, ActiveBinding]) -> FooterFit:
        width = self.size.width
        if width <= 0:
            return FooterFit()
        return fit_footer(bindings, width, self.app, self.minor_now(), self.way_back())

    @on(events.Mount)
    def _follow_the_keys(self) -> None:
        # The footer recomposes when the keys change: its spacing is set first.
        self.bindings_updated_signal.subscribe(self, lambda _screen: self._footer_spacing())

    @on(events.Resize)
    def _refit_the_footer(self) -> None:
        self.refresh_bindings()  # the footer follows the keys, not the width

    def _footer_spacing(self) -> None:
        compact = self._footer_fit(self._bindings_named()).compact
        for footer in self.query(Footer):
            footer.compact = compact
