"""The screens' header when a title changes as the header is taken down."""

from __future__ import annotations

import gc
import weakref

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
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


class _Pushed(Screen[None]):
    def compose(self) -> ComposeResult:
        yield ScreenHeader()


async def test_a_header_that_went_is_not_kept() -> None:
    """The app kept every header's title watchers (Textual drops them only when the
    app's title changes): each fan screen opened and closed stayed in memory."""
    app = _Shown()
    async with app.run_test() as pilot:
        gone = []
        for _ in range(3):
            await app.push_screen(_Pushed())
            await pilot.pause()
            gone.append(weakref.ref(app.screen.query_one(ScreenHeader)))
            app.pop_screen()
            await pilot.pause()
        gc.collect()
        assert [header() for header in gone] == [None, None, None]
        assert [node for node, _ in getattr(app, "__watchers")["title"]] == [app.screen.query_one(ScreenHeader)]
