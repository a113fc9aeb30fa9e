"""Helpers for driving the app with Pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import TypeVar

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import WorkerCancelled

from ofcrm_tui.tui import twice
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.widgets.conversation_list import ConversationList
from ofcrm_tui.tui.widgets.thread_view import ThreadView

S = TypeVar("S", bound=Screen[object])


class TwiceClock:
    """The clock of ``tui.twice`` (and of the modules ``also`` names; asyncio's stays
    real), moved by the test only: whether a question was seen (``UNSEEN_SECONDS``) does
    not hang on how fast a busy machine runs the test, nor a test on real waits."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, also: tuple[ModuleType, ...] = ()) -> None:
        self.now = 1000.0
        for module in (twice, *also):
            monkeypatch.setattr(module, "time", SimpleNamespace(monotonic=lambda: self.now))

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def settle(pilot: Pilot[object]) -> None:
    """Let workers finish and their messages land (handlers may start more), after
    the job events the app holds back to publish together (``JOB_REFRESH_SECONDS``)."""
    while getattr(pilot.app, "jobs_refresh_pending", False):
        await pilot.pause(0.01)
    for rounds in range(1, 5):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker replaced by a newer one: the next round waits again
        await pilot.pause()
        if rounds >= 2 and not pilot.app.workers:
            # No worker left, none started by the messages just handled, and a pause
            # after them (what they set up after a refresh, as a screen's focus, is
            # done): more rounds would only pause, at least 20 ms each.
            return


async def wait_for(
    pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 30
) -> None:
    """Settle until ``condition()`` holds (background jobs work on their own clock)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await settle(pilot)
        await asyncio.sleep(0.01)


async def let_go(pilot: Pilot[object]) -> None:
    """Settle until the keys held are let go (on a timer, which settling does not wait
    for), and what they did has settled."""
    await settle(pilot)
    await wait_for(pilot, lambda: not getattr(pilot.app, "_held_keys", ()))
    await settle(pilot)


async def press(pilot: Pilot[object], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def show(pilot: Pilot[object], key: str, kind: type[S]) -> S:
    """Press a screen's ``key``: the screen shown, checked to be a ``kind``."""
    await press(pilot, key)
    screen = pilot.app.screen
    assert isinstance(screen, kind), screen
    return screen


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type ``text`` into the focused field key by key, then settle once: the keys of
    plain text start no work, so settling between them (as ``press`` does) only waits."""
    await pilot.press(*text)
    await settle(pilot)


def lines(widget: Widget) -> list[str]:
    """What the widget draws now, one string per line."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def inbox(pilot: Pilot[object]) -> InboxScreen:
    screen = pilot.app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def conversations(pilot: Pilot[object]) -> ConversationList:
    return inbox(pilot).query_one(ConversationList)


def thread(pilot: Pilot[object]) -> ThreadView:
    return inbox(pilot).query_one(ThreadView)


def composer(pilot: Pilot[object]) -> Composer:
    return inbox(pilot).query_one(Composer)


_CHARACTERS = {
    "enter": "\r", "space": " ", "slash": "/", "escape": "\x1b", "tab": "\t",
    "shift+tab": None, "down": None, "up": None, "end": None, "ctrl+s": "\x13", "ctrl+o": "\x0f",
    "ctrl+r": "\x12", "ctrl+n": "\x0e", "backspace": "\x7f", "ctrl+u": "\x15", "at": "@",
    "ctrl+down": None, "ctrl+l": "\x0c", "question_mark": "?", "ctrl+p": "\x10",
    "ctrl+g": "\x07", "ctrl+t": "\x14", "left": None, "right": None,
}


def burst(app: App[object], *keys: str) -> None:
    """Post every key before the app reads the first, as a laggy link or tmux's
    ``send-keys`` delivers them (``press`` waits for each key to be handled). Esc and
    the letter typed right after it are read by the terminal as one key: ``alt+j``."""
    for key in keys:
        character = key[-1] if len(key.removeprefix("alt+")) == 1 else _CHARACTERS[key]
        app.post_message(events.Key(key, character))
