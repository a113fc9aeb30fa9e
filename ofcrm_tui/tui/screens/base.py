"""What every screen of the app shares: the one typed way to the running ``OfcrmApp``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import App
from textual.screen import Screen

if TYPE_CHECKING:
    from ofcrm_tui.tui.app import OfcrmApp


def ofcrm_app(app: App[Any]) -> OfcrmApp:
    """``app`` as the ofcrm app (the only app these screens, widgets and commands run in)."""
    return cast("OfcrmApp", app)


class OfcrmScreen(Screen[None]):
    @property
    def ofcrm(self) -> OfcrmApp:
        return ofcrm_app(self.app)

    async def flush(self) -> None:
        """Save what the chatter is typing (before the app exits)."""
