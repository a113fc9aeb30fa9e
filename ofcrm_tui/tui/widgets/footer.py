"""``KeyFooter``: Textual's footer, recomposed only when the keys it shows change.

Textual's ``Footer`` recomposes after every change of the screen's bindings (each focus
change, each resize, each screen resume), and a recompose mounts every key again and
styles each three times: half the style work of the app's first screen went to
footers showing the same keys again. Its keys are made in its spacing (compact or not), so
mounting them restyles none.

It shows its keys from its first compose: Textual's waits for the screen's first
bindings refresh, then for a paint, then recomposes, so a screen came up without its
footer for a few paints (the campaign composer at 80x24: seconds on a busy machine).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ofcrm_tui.tui.widgets.watchers import drop_watchers


class KeyFooter(Footer):
    _composed: tuple[Any, ...] | None = None  # what the keys shown were made from

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_reactive(Footer._bindings_ready, True)

    def compose(self) -> ComposeResult:
        self._composed = self._keys()
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # Made in the spacing they mount with: Textual's keys are restyled as they
                # mount (to compact, then to the footer's), a style update of each key each
                # time the footer is made. The palette's key is always compact (Textual
                # binds only the others to the footer's spacing).
                compact = self.compact or widget.has_class("-command-palette")
                widget.set_reactive(FooterKey.compact, compact)
                widget.set_class(compact, "-compact", update=False)
            yield widget

    def _keys(self) -> tuple[Any, ...]:
        """What ``Footer.compose`` makes the keys of: the screen's active bindings
        (without the widget each comes from), whether they are ready, the palette key."""
        bindings = tuple(
            (binding, enabled, tooltip)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return self._bindings_ready, self.show_command_palette, bindings

    async def recompose(self) -> None:
        if not self.is_attached or self._pruning:
            return  # (as Textual's: a footer being removed is not made again)
        keys = self._keys()
        if keys == self._composed:
            return
        self._composed = keys
        shown = set(self.children)
        await super().recompose()
        # Each key made watches the footer's ``compact`` (Textual's ``data_bind``), which
        # changes seldom: the keys made before would stay alive with their watchers.
        drop_watchers(self, ("compact",), lambda node: node in shown)
