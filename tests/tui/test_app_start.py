"""How the app starts on an account: on its home screen, read once."""

from __future__ import annotations

import pytest
from textual.screen import Screen

from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.conversation_list import InboxSource
from tests.tui.conftest import World
from tests.tui.pilot import conversations, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_opened_on_an_account_the_app_starts_on_the_inbox_read_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No default screen first that the app switches away from (Textual restyles every
    widget on the switch, twice), and the inbox's first window read once."""
    defaults: list[Screen[object]] = []
    default_screen = OfcrmApp.get_default_screen

    def made_default(app: OfcrmApp) -> Screen[object]:
        defaults.append(default_screen(app))
        return defaults[-1]

    windows: list[int] = []
    window = InboxSource.window
    monkeypatch.setattr(OfcrmApp, "get_default_screen", made_default)
    monkeypatch.setattr(InboxSource, "window",
                        lambda source, offset, *rest: windows.append(offset) or window(source, offset, *rest))
    app = world.app()
    assert app.sub_title == world.account.name  # in the header of the first frame
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert conversations(pilot).count > 0
        assert app.sub_title == world.account.name
    assert defaults == []
    assert windows == [0]


class _Jobs:
    """Stands in for ``BackgroundJobs``: records when it is started."""

    def __init__(self) -> None:
        self.started = False

    def start(self) -> None:
        self.started = True


async def test_the_jobs_start_after_the_first_screen_not_with_it(world: World) -> None:
    """Their first poll and drain load the platform client and the sender, which would
    compete with drawing the first screen."""
    app = world.app()
    jobs = _Jobs()
    app.jobs = jobs  # type: ignore[assignment]
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert conversations(pilot).count > 0
        assert not jobs.started
        await wait_for(pilot, lambda: jobs.started)


async def test_team_mode_says_the_name_it_records(world: World) -> None:
    """On SQLite the login is the OS user; the app records ``chatter_name``: it said
    "Signed in as root (local)" to the chatter whose sends, notes and conversations
    went by another name."""
    context = world.context
    context.settings = context.settings.model_copy(update={"team_mode": True})
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications if n.title == "Team mode"]  # noqa: SLF001
        assert len(notes) == 1
        assert notes[0].startswith(f"Signed in as {context.identity.role} (local), as tester "
                                   "on the team.")
