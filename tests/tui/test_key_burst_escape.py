"""Esc and the keys typed right behind it, as the terminal sends them (a laggy link,
tmux ``send-keys``): read by the app's parser (``terminal_keys``), Esc acts, then each
key behind it as typed. Textual's own parser read ``Esc j j Enter …`` as one sequence,
reissued with the Esc as a ``^``, and ``Esc 2`` as ``™``."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from textual import constants, events
from textual.app import App
from textual.message import Message

from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.tui.dialogs.period import PeriodDialog
from ofcrm_tui.tui.screens.analytics import AnalyticsScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.terminal_keys import EscapeFirstDriver, EscapeFirstParser
from ofcrm_tui.tui.widgets.composer import Composer
from tests.tui.conftest import World
from tests.tui.pilot import (
    composer,
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


def read(*chunks: str) -> list[str]:
    """What the parser makes of ``chunks`` fed one after another, then the end: keys by
    name, anything else by its kind."""
    parser = EscapeFirstParser()
    found: list[Message] = []
    for chunk in chunks:
        found += parser.feed(chunk)
    found += parser.feed("")
    return [e.key if isinstance(e, events.Key) else type(e).__name__ for e in found]


@pytest.mark.parametrize(("data", "keys"), [
    ("\x1b[", ["escape", "left_square_bracket"]),
    ("abc\x1b[", ["a", "b", "c", "escape", "left_square_bracket"]),
    ("\x1b[jk\r", ["escape", "left_square_bracket", "j", "k", "enter"]),
    ("\x1b[\r", ["escape", "left_square_bracket", "enter"]),
    ("\x1b[12", ["escape", "left_square_bracket", "1", "2"]),
    ("\x1b[[x", ["escape", "left_square_bracket", "left_square_bracket", "x"]),
    ("\x1b[\x1b", ["escape", "left_square_bracket", "escape"]),
    ("\x1b[1\x1bx", ["escape", "left_square_bracket", "1", "alt+x"]),
    ("\x1bOz\x1b", ["alt+shift+o", "z", "escape"]),  # KeysInOrder: Esc, then O
], ids=repr)
def test_esc_bracket_not_ending_a_sequence_is_esc_and_the_keys_typed(
    data: str, keys: list[str],
) -> None:
    assert read(data) == keys


@pytest.mark.parametrize(("data", "keys"), [
    ("\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOD", ["up", "down", "right", "left", "up", "left"]),
    ("\x1b[1;5A\x1b[1;3C\x1b[5~\x1b[6~", ["ctrl+up", "alt+right", "pageup", "pagedown"]),
    ("\x1b[H\x1b[F\x1bOH\x1bOF\x1b[1~\x1b[4~", ["home", "end"] * 3),
    ("\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[24~", ["f1", "f2", "f3", "f4", "f5", "f12"]),
    ("\x1b[[A\x1b[3$\x1b[Z\x1b[97;5u", ["f1", "shift+delete", "shift+tab", "ctrl+a"]),
    ("\x1bj\x1b\x7f\x1bO", ["alt+j", "ctrl+w", "alt+shift+o"]),
    ("\x1b[<0;3;4M\x1b[<0;3;4m\x1b[<64;3;4M", ["MouseDown", "MouseUp", "MouseScrollUp"]),
    ("\x1b[200~[x] O\r\x1b[201~q", ["Paste", "q"]),
    ("\x1b[I\x1b[O\x1b[?2026;2$y", ["AppFocus", "AppBlur",
                                    "TerminalSupportsSynchronizedOutput"]),
], ids=repr)
def test_the_terminal_sequences_stay_what_they_are(data: str, keys: list[str]) -> None:
    assert read(data) == keys


def test_a_sequence_whose_end_comes_a_moment_later_is_still_read() -> None:
    assert read("\x1b[", "A") == ["up"]
    assert read("\x1b", "[1;", "5", "A") == ["ctrl+up"]
    assert read("\x1b[<0;3", ";4M") == ["MouseDown"]
    assert read("\x1b[20", "0~hi\x1b[201~") == ["Paste"]


def test_esc_bracket_with_nothing_behind_in_time_is_esc_and_the_bracket() -> None:
    parser = EscapeFirstParser()
    assert [e.key for e in parser.feed("r\x1b[")] == ["r"]
    time.sleep(constants.ESCAPE_DELAY + 0.05)
    assert [e.key for e in parser.tick()] == ["escape", "left_square_bracket"]
    assert [e.key for e in parser.feed("\x1b[B")] == ["down"]  # the next sequence
    time.sleep(constants.ESCAPE_DELAY + 0.05)
    assert list(parser.tick()) == []


async def test_esc_bracket_in_the_reply_box_leaves_it_with_the_draft_as_typed(
    world: World,
) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "r")
        await type_text(pilot, "abc")
        typed(app, "\x1b[")
        await let_go(pilot)
        screen = inbox(pilot)
        assert composer(pilot).text == "abc"
        assert app.focused is screen.conversations


async def test_esc_bracket_closes_the_custom_period_dialog(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "c")
        assert isinstance(app.screen, PeriodDialog)
        typed(app, "\x1b[")
        await let_go(pilot)
        assert isinstance(app.screen, AnalyticsScreen)


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
