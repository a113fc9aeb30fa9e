"""What every screen of the app shares: the one typed way to the running ``OfcrmApp``, a
footer fitted to the width (``footer_fit``) and the app's signals left as it goes (these
three with the campaign composer: ``AppScreen``), data changes followed only while the
screen is seen, and nothing of the account kept shown once access to it is lost (until
another account is opened)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import App
from textual.screen import ModalScreen

from ofcrm_tui.tui.footer_fit import FittedFooter, ResultT

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp
    from ofcrm_tui.tui.messages import DataChanged
    from ofcrm_tui.tui.widgets.paged_list import PagedList


def ofcrm_app(app: App[Any]) -> OfcrmApp:
    """``app`` as the ofcrm app (the only app these screens, widgets and commands run in)."""
    return cast("OfcrmApp", app)


class AppScreen(FittedFooter[ResultT]):
    """What the app's screens and the campaign composer (a dialog as wide as the app)
    share: the app typed, a footer fitted to the width, the app's signals left as it goes."""

    @property
    def ofcrm(self) -> OfcrmApp:
        return ofcrm_app(self.app)

    @on(events.Unmount)
    def _leave_the_app_signals(self) -> None:
        """Take this screen off the app's signals. Textual's ``Signal`` keys its
        subscribers weakly, but the callbacks it keeps for one hold the subscriber, so it
        lets go of a closed screen only at the signal's next publish: every fan screen
        opened and closed stayed alive (its widgets, their rendered lines) until the app's
        data next changed."""
        for signal in (self.ofcrm.changes, self.ofcrm.team):
            signal.unsubscribe(self)


class OfcrmScreen(AppScreen[None]):
    # The actions on the row under the cursor of the screen's ``ROW_LIST``: neither
    # shown in the footer nor acted on while that list is empty.
    ROW_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    ROW_LIST: ClassVar[type[PagedList[Any]] | None] = None

    _on_change: Callable[[DataChanged], None] | None = None
    _missed: DataChanged | None = None

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
        if self.ofcrm.cut_off is not None:  # opened after: it starts empty
            self.let_go()

    def _changed(self, change: DataChanged) -> None:
        if change.touches("access"):  # at once, seen or not
            self.let_go()
        elif change.touches("account") and self.ofcrm.cut_off is None:
            self.reach()
        if self._on_change is None:
            return
        if self.seen:
            self._on_change(change)
            return
        later = self.missed(change)
        self._missed = later if self._missed is None else self._missed.merge(later)

    def let_go(self) -> None:
        """The database no longer lets this role read the account (``OfcrmApp.cut_off``):
        nothing of it stays shown, and its lists ask nothing more. A screen showing more
        of the account than its lists lets go of that too."""
        from ofcrm_tui.tui.widgets.paged_list import PagedList

        for rows in self.query(PagedList):
            rows.let_go()

    def reach(self) -> None:
        """Another account was opened, which this role may read (access to the last one
        lost, ``let_go``): its lists read what they are given again (the screen shows
        the account as it handles the change)."""
        from ofcrm_tui.tui.widgets.paged_list import PagedList

        for rows in self.query(PagedList):
            rows.cut_off = False

    def missed(self, change: DataChanged) -> DataChanged:
        """A change made while another screen is shown: what to handle when this one is
        shown again. Its new fan messages are not kept: only the inbox reads them (and
        says what it keeps of them); kept, a screen not shown for a shift held every new
        message of it, copied again at each merge."""
        return replace(change, inbound=())

    def on_screen_resume(self) -> None:
        missed, self._missed = self._missed, None
        if missed is not None and self._on_change is not None:
            self._on_change(missed)

    async def flush(self) -> None:
        """Save what the chatter is typing (before the app exits)."""
