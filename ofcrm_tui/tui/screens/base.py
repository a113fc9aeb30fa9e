"""What every screen of the app shares: the one typed way to the running ``OfcrmApp``,
data changes followed only while the screen is seen, and a footer fitted to the width
(``footer_fit``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import App
from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from ofcrm_tui.tui.footer_fit import FooterFit, fit_footer

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp
    from ofcrm_tui.tui.messages import DataChanged
    from ofcrm_tui.tui.widgets.paged_list import PagedList


def ofcrm_app(app: App[Any]) -> OfcrmApp:
    """``app`` as the ofcrm app (the only app these screens, widgets and commands run in)."""
    return cast("OfcrmApp", app)


class OfcrmScreen(Screen[None]):
    # The actions on the row under the cursor of the screen's ``ROW_LIST``: neither
    # shown in the footer nor acted on while that list is empty.
    ROW_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    ROW_LIST: ClassVar[type[PagedList[Any]] | None] = None
    # The actions whose keys the footer leaves out first when they do not all fit
    # (``footer_fit``), before the palette's: the reverse of another key it shows, or a
    # key used now and then that the palette or the help offers too.
    FOOTER_MINOR: ClassVar[frozenset[str]] = frozenset()

    _on_change: Callable[[DataChanged], None] | None = None
    _missed: DataChanged | None = None

    @property
    def ofcrm(self) -> OfcrmApp:
        return ofcrm_app(self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.ROW_ACTIONS and self.ROW_LIST is not None:
            rows = self.query(self.ROW_LIST)
            return not (rows and rows.first().empty)
        return True

    def holds_keys(self) -> bool:
        """Enter on a list's row whose page is not in yet opens it once it is: the keys
        read behind it wait for that (``KeysInOrder``), not act on the list (``G enter
        c`` on the fans: ``c`` found no fan, then the fan's screen came up)."""
        from ofcrm_tui.tui.widgets.paged_list import PagedList

        return any(rows.opens_later for rows in self.query(PagedList))

    def shows_now(self, binding: Binding) -> bool:
        """The footer names ``binding``: its ``show``, or what the screen says now (a key
        named only while it applies: the inbox's n and N, while a search is on)."""
        return binding.show

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys as the footer names them at this width: those it has no room for
        are not shown (the footer reads this; keys are dispatched by the binding chain)."""
        bindings = self._bindings_named()
        return self._footer_fit(bindings).apply(bindings, self.app.COMMAND_PALETTE_BINDING)

    def _bindings_named(self) -> dict[str, ActiveBinding]:
        """The active bindings, each shown in the footer as ``shows_now`` says."""
        named = {}
        for key, active in super().active_bindings.items():
            shown = self.shows_now(active.binding)
            if shown != active.binding.show:
                active = active._replace(binding=replace(active.binding, show=shown))
            named[key] = active
        return named

    def _footer_fit(self, bindings: dict[str, ActiveBinding]) -> FooterFit:
        width = self.size.width
        return fit_footer(bindings, width, self.app, self.FOOTER_MINOR) if width > 0 else FooterFit()

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

    @property
    def seen(self) -> bool:
        """On screen: the current screen, or under dialogs only."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        return all(isinstance(above, ModalScreen) for above in stack[stack.index(self) + 1:])

    def follow_changes(self, handle: Callable[[DataChanged], None]) -> None:
        """Call ``handle`` with the app's data changes while this screen is seen; those
        made while another screen is shown are merged and handled when it is shown
        again, so a screen nobody looks at reads nothing."""
        self._on_change = handle
        self.ofcrm.changes.subscribe(self, self._changed)

    @on(events.Unmount)
    def _leave_the_app_signals(self) -> None:
        """Take this screen off the app's signals. Textual's ``Signal`` keys its
        subscribers weakly, but the callbacks it keeps for one hold the subscriber, so it
        lets go of a closed screen only at the signal's next publish: every fan screen
        opened and closed stayed alive (its widgets, their rendered lines) until the app's
        data next changed."""
        for signal in (self.ofcrm.changes, self.ofcrm.team):
            signal.unsubscribe(self)

    def _changed(self, change: DataChanged) -> None:
        if self._on_change is None:
            return
        if self.seen:
            self._on_change(change)
            return
        later = self.missed(change)
        self._missed = later if self._missed is None else self._missed.merge(later)

    def missed(self, change: DataChanged) -> DataChanged:
        """A change made while another screen is shown: what to handle when this one is
        shown again (all of it, unless a screen must act on some of it at once)."""
        return change

    def on_screen_resume(self) -> None:
        missed, self._missed = self._missed, None
        if missed is not None and self._on_change is not None:
            self._on_change(missed)

    async def flush(self) -> None:
        """Save what the chatter is typing (before the app exits)."""
