"""The keys stay with the workers: a chatter's app, with no token anywhere, works through
a shift (reads what a worker synced, reads a chat, replies) and a worker holding the key
sends the reply and marks the chat read on the simulated platform."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.jobs.scheduler import BackgroundJobs
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.models import Message, OutboundMessage, ReadMark
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.widgets.status_bar import StatusBar
from tests.security.conftest import NOW, Team
from tests.support.accounts import add_simulated_account
from tests.tui.pilot import composer, lines, press, settle, thread

pytestmark = pytest.mark.anyio
TOKEN = "sim-token-123"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _wait(condition, timeout: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.1)


async def test_a_keyless_chatter_app_and_a_worker_with_the_key(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = Simulator(SimulatorConfig(fans=12, seed=5, token=TOKEN, now=NOW))
    with sim.serve() as base_url:
        # The manager adds the account (its key checked with the platform) and syncs it.
        account = add_simulated_account(team.owner, sim, base_url, monkeypatch, name="live")
        fan = sim.fan_ids()[0]
        sim.add_inbound_message(fan, "are you there?")
        with PlatformClient(base_url, TOKEN, timeout=5) as client:
            InboundSync(team.owner, account.id, client).full()
        chatter = team.chatter("lee", "live")

        # The chatter's machine: no token in the environment or the keyring.
        monkeypatch.delenv(secrets.env_var_name("live"))
        monkeypatch.setattr("ofcrm_tui.tui.app.get_token", _no_token)
        context = AppContext(Settings(database_url=team.url_of(chatter), chatter_name="me"))
        assert context.keyless and context.settings.chatter_name == chatter
        app = OfcrmApp(context, get_account(context.db, "live"), clock=lambda: NOW)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.jobs is None
            notes = [str(n.message) for n in app._notifications]  # noqa: SLF001
            assert any("Workers poll and send" in note and "needs no token" in note
                       for note in notes)
            assert "workers send" in lines(app.screen.query_one(StatusBar))[0]
            await press(pilot, "enter", "r")
            assert thread(pilot).source is not None
            await pilot.press(*"here now!")
            await press(pilot, "ctrl+s")
            assert [(m.text, m.state) for m in thread(pilot).pending] == [("here now!", "queued")]
            assert composer(pilot).text == ""
        context.close()
        assert _read_marks(team, account.id) == [fan]
        assert sim.ledger() == [] and sim.world.chats[fan].unread > 0

        # A worker, with the key, somewhere else.
        monkeypatch.setenv(secrets.env_var_name("live"), TOKEN)
        worker = team.connect(team.worker("wk"))
        jobs = BackgroundJobs(worker, Settings(poll_interval_seconds=1,
                                               drain_interval_seconds=0.5), keyed_only=True)
        jobs.start()
        try:
            _wait(lambda: sim.ledger() and sim.world.chats[fan].unread == 0)
            _wait(lambda: _sent(worker) == ["here now!"])
        finally:
            jobs.shutdown(wait=True)
    assert [entry.user_id for entry in sim.ledger()] == [fan]
    with team.owner.read() as session:
        sent_by = session.scalar(select(Message.sent_by).where(Message.text == "here now!"))
        assert sent_by == chatter
    assert _read_marks(team, account.id) == []


def _read_marks(team: Team, account_id: int) -> list[int]:
    with team.owner.read() as session:
        return list(session.scalars(select(ReadMark.platform_user_id)
                                    .where(ReadMark.account_id == account_id)))


def _sent(db) -> list[str]:  # noqa: ANN001
    with db.read() as session:
        return list(session.scalars(
            select(OutboundMessage.text).where(OutboundMessage.state == "sent")))


def _no_token(name: str) -> str:
    raise AssertionError(f"the keyless app asked for the token of {name}")
