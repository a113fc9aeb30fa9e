"""The app shell: help, the user's keymap, the command palette, accounts, failed messages."""

from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console
from sqlalchemy import select, update

from ofcrm_tui.core import outbox, team
from ofcrm_tui.core.accounts import AccountError
from ofcrm_tui.store.models import Conversation, Fan, OutboundMessage
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.launch import run_app
from ofcrm_tui.tui.screens.failed import FailedScreen
from ofcrm_tui.tui.widgets.failed_list import FailedList
from ofcrm_tui.tui.screens.inbox import InboxScreen
from tests.support.accounts import add_simulated_account
from tests.tui.conftest import NOW, World
from tests.tui.pilot import composer, conversations, inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_help_lists_keys_as_remapped(world: World) -> None:
    world.context.settings.keymap.update({"inbox.reply": "e", "nope.nothing": "z"})
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any("nope.nothing" in str(n.message) for n in app._notifications)

        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, file=io.StringIO())
        for static in app.screen.query(".help-section"):
            console.print(static.content)
        text = console.file.getvalue()
        assert next(line for line in text.splitlines() if "inbox.reply" in line).split()[0] == "e"
        assert "composer.send" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, InboxScreen)

        await press(pilot, "enter", "r")
        assert not composer(pilot).has_focus
        await press(pilot, "e")
        assert composer(pilot).has_focus


@pytest.mark.parametrize(("keymap", "refused"), [
    ({"inbox.reply": "R"}, True),  # R is the list's retry too: only one would act
    ({"inbox.reply": "R", "inbox.retry": "e"}, False),  # swapped together
])
async def test_a_key_another_binding_of_the_screen_answers_to_is_refused(
    world: World, keymap: dict[str, str], refused: bool
) -> None:
    world.context.settings.keymap.update(keymap)
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        line = "[keymap] inbox.reply = 'R' refused: R is inbox.retry's on "
        assert any(text.startswith(line) for text in said) == refused, said
        await press(pilot, "enter", "r" if refused else "R")
        assert composer(pilot).has_focus


@pytest.mark.parametrize(("keymap", "line"), [
    # The failed list's space (a widget's priority key) against the screen's Period.
    ({"failed.period": "space"},
     "[keymap] failed.period = 'space' refused: space is failed.select's on "
     "'Failed messages'; p kept"),
    # The lists' move (every list's id) against the Failed screen's Discard.
    ({"list.down": "d"},
     "[keymap] list.down = 'd' refused: d is failed.discard's on 'Failed messages'; "
     "j,down kept"),
    # The app's Quit, answered on every screen.
    ({"inbox.reply": "q"}, "[keymap] inbox.reply = 'q' refused: q is app.quit's on 'Inbox'; r kept"),
    ({"failed.period": "space", "failed.select": "p"}, None),  # swapped together
])
async def test_a_key_a_list_or_the_app_answers_to_on_the_screen_is_refused(
    world: World, keymap: dict[str, str], line: str | None
) -> None:
    """The screen's keys were checked against each other only: a key the screen's list
    (or the app) takes as well was let through, and one of the two never acted."""
    from tests.tui.failed_pilot import _many_failed, open_failed

    _many_failed(world, 3)
    world.context.settings.keymap.update(keymap)
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        listing = await open_failed(pilot)
        said = [str(n.message) for n in app._notifications if "[keymap]" in str(n.message)]
        assert said == ([line] if line else []), said
        if "failed.select" not in keymap:  # the defaults kept: space selects, p the period
            await press(pilot, "space")
            assert len(listing.selected) == 1
            await press(pilot, "p")
            assert type(app.screen).__name__ == "PeriodDialog"


async def test_palette_runs_inbox_commands(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"unread only")
        await asyncio.sleep(0.3)  # the palette searches in the background
        await press(pilot, "enter")
        assert inbox(pilot).flt.unread_only
        assert all(conversations(pilot).row_at(i).unread_count
                   for i in range(conversations(pilot).count))


async def test_palette_puts_the_command_named_by_the_typed_word_first(world: World) -> None:
    """QA: "Unassign" then Enter ran "Filter: mine / unassigned / all" (the list went to
    "mine", nothing was unassigned): it matched as well, and came first in the list."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        row = conversations(pilot).cursor_row
        await asyncio.to_thread(team.assign, world.context.db, world.account.id,
                                row.conversation_id, "sam", by="sam", now=NOW)
        await press(pilot, "ctrl+p")
        await pilot.press(*"Unassign")
        await asyncio.sleep(0.3)  # the palette searches in the background
        await press(pilot, "enter")
        await wait_for(pilot, lambda: team.owners_of(
            world.context.db, world.account.id, [row.conversation_id]) == {})
        assert inbox(pilot).flt.assigned_to is None and not inbox(pilot).flt.unassigned


async def test_with_several_accounts_the_app_asks_and_can_switch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = add_simulated_account(
        world.context.db, world.sim, world.account.base_url, monkeypatch, name="second"
    )
    app = world.app()
    app.account = None
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "down", "enter")
        assert app.account == second
        assert conversations(pilot).count == 0  # nothing synced for it yet
        assert app.sub_title == "second"

        await press(pilot, "A", "up", "enter")
        assert app.account.name == world.account.name
        assert conversations(pilot).count > 0


async def test_failed_screen_retries_and_discards(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    with db.write() as session:
        fans = session.scalars(
            select(Fan.id).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.subscription_status == "expired").limit(2)
        ).all()
        # Expired on the platform, not yet locally (outbox.enqueue refuses known expired fans).
        session.execute(update(Fan).where(Fan.id.in_(fans)).values(subscription_status="active"))
    ids = [outbox.enqueue(db, account_id, fan, f"hi {i}", created_by="tester", max_attempts=1,
                          now=NOW) for i, fan in enumerate(fans)]
    await asyncio.to_thread(world.drain)

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.status.failed == 2
        await press(pilot, "2")
        assert isinstance(app.screen, FailedScreen)
        assert app.screen.query_one(FailedList).count == 2

        await press(pilot, "R")
        assert app.screen.query_one(FailedList).count == 1
        await press(pilot, "d", "down", "enter")  # asks first, keeping first
        assert app.screen.query_one(FailedList).count == 0
        await press(pilot, "1")
        assert isinstance(app.screen, InboxScreen)
    with db.read() as session:
        states = session.scalars(
            select(OutboundMessage.state).where(OutboundMessage.id.in_(ids))
            .order_by(OutboundMessage.state)
        ).all()
    assert states == ["cancelled", "queued"]


def test_run_app_resolves_the_account_and_runs_the_jobs_around_the_app(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[OfcrmApp] = []
    monkeypatch.setattr(OfcrmApp, "run", lambda app: ran.append(app))
    assert run_app(world.context, None) == 0
    assert ran[-1].account == world.account
    assert ran[-1].jobs is not None and not ran[-1].jobs.running  # shut down after the app

    add_simulated_account(world.context.db, world.sim, world.account.base_url, monkeypatch,
                          name="second")
    run_app(world.context, None, start_jobs=False)
    assert ran[-1].account is None and ran[-1].jobs is None  # the app asks which one
    run_app(world.context, "second", start_jobs=False)
    assert ran[-1].account.name == "second"
    with pytest.raises(AccountError, match="no account named 'third'"):
        run_app(world.context, "third")


async def test_nothing_open_names_the_key_that_opens_as_the_keymap_binds_it(world: World) -> None:
    """"Open a conversation first (enter)" named Enter whatever ``list.open`` was."""
    world.context.settings.keymap.update({"list.open": "ctrl+o"})
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        assert [n.message for n in app._notifications] == ["Open a conversation first (^o)"]
