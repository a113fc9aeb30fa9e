"""The screens' header when a title changes as the header is taken down."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets._header import HeaderTitle

from ofcrm_tui.tui.widgets.screen_header import ScreenHeader

pytestmark = pytest.mark.anyio


class _Shown(App[None]):
    def compose(self) -> ComposeResult:
        yield ScreenHeader()


async def test_a_title_changed_after_the_title_widget_went_updates_nothing() -> None:
    """Textual's Header raised NoMatches from its watcher (the fan's name arriving as
    its screen left for the inbox), which stopped the app."""
    app = _Shown()
    async with app.run_test() as pilot:
        await app.screen.query_one(HeaderTitle).remove()
        app.screen.sub_title = "a fan's name, late"
        app.title = "ofcrm"
        await pilot.pause()
        assert app.is_running


async def test_the_title_follows_the_screen() -> None:
    app = _Shown()
    async with app.run_test() as pilot:
        app.screen.sub_title = "Fans"
        await pilot.pause()
        assert "Fans" in str(app.screen.query_one(HeaderTitle).render())
