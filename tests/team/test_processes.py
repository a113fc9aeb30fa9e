"""Real processes: an app killed with SIGKILL stops being shown once its heartbeat lapses;
two ``ofcrm send`` racing into one conversation queue one message, the other is refused."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from ofcrm_tui.store.models import Fan, OutboundMessage, TeamPresence
from ofcrm_tui.store.types import utcnow
from tests.team.conftest import ACCOUNT, Team
from tests.team.test_apps import beats, row_lines

EXPIRY = 1.5

# An app of chatter "zoe" opening the first conversation, then left running.
APP = """
import asyncio, sys
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import resolve_account
from ofcrm_tui.tui.app import OfcrmApp

context = AppContext(Settings(database_url=sys.argv[1], chatter_name="zoe",
                              presence_interval_seconds=0.25, presence_expiry_seconds=1.5))
app = OfcrmApp(context, resolve_account(context.db, sys.argv[2]))

async def pilot(pilot):
    await pilot.pause(0.5)
    await pilot.press("enter")
    await asyncio.Event().wait()

app.run(headless=True, size=(100, 30), auto_pilot=pilot)
"""


@pytest.mark.anyio
async def test_a_killed_app_is_gone_once_its_heartbeat_lapses(crew: Team) -> None:
    crew.clock.now = utcnow()  # the other app beats by the real clock
    ana = crew.app("ana", presence_interval_seconds=0.5, presence_expiry_seconds=EXPIRY)
    zoe = subprocess.Popen([sys.executable, "-c", APP, crew.url, ACCOUNT],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        async with ana.run_test(size=(100, 30)) as a:

            async def zoe_on_the_first() -> bool:
                crew.clock.now = utcnow()
                await beats(a)
                return "●zoe" in row_lines(a, 0)

            deadline = time.monotonic() + 60
            while not await zoe_on_the_first():
                assert zoe.poll() is None, zoe.stderr.read() if zoe.stderr else ""
                assert time.monotonic() < deadline, "zoe's app never showed up"
            os.kill(zoe.pid, signal.SIGKILL)
            zoe.wait(10)
            await asyncio.sleep(EXPIRY + 0.2)  # a real process beats by the real clock
            assert not await zoe_on_the_first()
        with crew.db.read() as session:  # lapsed, not deleted: nobody quit
            assert "zoe" in set(session.scalars(select(TeamPresence.chatter)))
    finally:
        if zoe.poll() is None:
            zoe.kill()
            zoe.wait(10)


def test_two_ofcrm_sends_racing_queue_one_and_refuse_the_other(crew: Team) -> None:
    with crew.db.read() as session:
        fan = session.scalar(select(Fan.username).where(Fan.id == crew.fans[crew.conversations[0]]))
    procs = {}
    for chatter in ("ana", "sam"):
        env = dict(os.environ, OFCRM_CHATTER_NAME=chatter)
        procs[chatter] = subprocess.Popen(
            [str(Path(sys.executable).with_name("ofcrm")), "--db", crew.url, "send",
             "--fan", fan, "--text", f"hi from {chatter}"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
    results = {name: (p.wait(60), *p.communicate()) for name, p in procs.items()}
    winners = [name for name, (code, _, _) in results.items() if code == 0]
    assert len(winners) == 1, results
    winner = winners[0]
    loser = "sam" if winner == "ana" else "ana"
    code, out, err = results[loser]
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("ofcrm: error: not queued: "), err
    assert f"{winner} queued a message" in err and f"“hi from {winner}”" in err
    assert "--force" in err
    with crew.db.read() as session:
        rows = session.execute(select(OutboundMessage.created_by, OutboundMessage.text)).all()
    assert [tuple(r) for r in rows] == [(winner, f"hi from {winner}")]
