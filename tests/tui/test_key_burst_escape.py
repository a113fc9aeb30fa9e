"""Esc and the keys typed right behind it, as the terminal sends them (a laggy link,
tmux ``send-keys``): read by the app's parser (``terminal_keys``), Esc acts, then each
key behind it as typed. Textual's own parser read ``Esc j j Enter …`` as one sequence,
reissued with the Esc as a ``^``, and ``Esc 2`` as ``™``."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.app import App

from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.terminal_keys import EscapeFirstDriver, EscapeFirstParser
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import (
    conversations,
    inbox,
    let_go,
    press,
    settle,
    type_text,
    wait_for,
)

pytestmark = pytest.mark.anyio


def typed(app: App[object], data: str) -> None:
    """What the terminal sends, read by the app's parser, every key posted before the
    app reads the first (``pilot.burst``)."""
    parser = EscapeFirstParser()
    for event in [*parser.feed(data), *parser.feed("")]:  # "": the end of the burst
        app.post_message(event)


def test_the_app_reads_the_terminal_with_that_parser(world: World) -> None:
    assert world.app().driver_class is EscapeFirstDriver


def test_esc_and_a_key_behind_it_are_read_as_typed() -> None:
    parser = EscapeFirstParser()
    keys = [e.key for e in [*parser.feed("\x1bjj\r\x1b2\x1b/\x1b[A\x1b\x7f"), *parser.feed("")]]
    assert keys == ["alt+j", "j", "enter", "alt+2", "escape", "slash", "up", "ctrl+w"]


async def test_escape_j_j_enter_r_and_a_reply_from_the_reply_box(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        third = conversations(pilot).row_at(2)
        await press(pilot, "enter", "r")
        await type_text(pilot, "hello")
        typed(app, "\x1bjj\rryy2\x13\x1b")
        await let_go(pilot)
        screen = inbox(pilot)
        assert screen.open_row.conversation_id == third.conversation_id
        with world.context.db.read() as session:
            queued = session.execute(select(OutboundMessage.fan_id, OutboundMessage.text)).all()
        assert [tuple(row) for row in queued] == [(third.fan_id, "yy2")]
        assert app.focused is screen.conversations


async def test_escape_2_from_the_reply_box_shows_the_second_screen(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await type_text(pilot, "hi")
        composer = inbox(pilot).query_one(Composer)
        typed(app, "\x1b2")
        await settle(pilot)
        assert app.current_mode == "failed"
        assert composer.text == "hi"


async def test_escape_4_on_fans_with_a_search_clears_it_then_shows_campaigns(
    world: World,
) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        fans = app.screen
        assert isinstance(fans, FansScreen)
        await press(pilot, "slash")
        await type_text(pilot, "a")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: fans.fans.loaded)
        assert fans.flt.search == "a"
        typed(app, "\x1b4")
        await settle(pilot)
        assert fans.flt.search is None
        assert app.current_mode == "campaigns"
