"""The screens' header: Textual's ``Header``, safe against a title changing as it goes."""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header
from textual.widgets._header import HeaderTitle

from ofcrm_tui.tui.widgets.watchers import drop_watchers


class ScreenHeader(Header):
    """Textual's header, whose title watchers let a change read after the title widget
    is gone update nothing. A screen's title set just as the screen is taken down (the
    fan's name arriving as ``c`` leaves the fan's screen for the inbox) reached Textual's
    watcher after the header's children were removed: NoMatches, which stops the app."""

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # Header's own watchers (the same, without NoMatches)

        async def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except (NoScreen, NoMatches):
                pass

        for owner in (self.app, self.screen):
            self.watch(owner, "title", set_title)
            self.watch(owner, "sub_title", set_title)

    def _on_unmount(self) -> None:
        """Take this header's watchers off the app. Textual drops a closed node's watcher
        of another object only when that object's value changes next, and the app's title
        hardly ever does: each fan screen opened and closed left its header (its widgets,
        their rendered lines and caches) alive for as long as the app ran."""
        drop_watchers(self.app, ("title", "sub_title"), lambda node: node is self)
