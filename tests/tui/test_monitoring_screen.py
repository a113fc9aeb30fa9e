"""The monitoring screen: every figure of ``health.check``, the problems first, one line
each, read again on its own every few seconds."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Static

from ofcrm_tui import secrets
from ofcrm_tui.cli.main import main
from ofcrm_tui.core import health, metrics, outbox
from ofcrm_tui.store.models import Account, MetricEvent, OutboundMessage
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.screens import monitoring
from ofcrm_tui.tui.screens.monitoring import MonitoringScreen
from ofcrm_tui.tui.widgets.audit_list import AuditList
from tests.tui.conftest import NOW, World
from tests.tui.failed_pilot import _failed, _fans
from tests.tui.pilot import lines, press, settle, wait_for

pytestmark = pytest.mark.anyio


async def _checked(app: OfcrmApp, pilot: Pilot[object]) -> MonitoringScreen:
    """The monitoring screen (key 6) once it has read its first report."""
    await settle(pilot)
    await press(pilot, "6")
    screen = app.screen
    assert isinstance(screen, MonitoringScreen)
    await wait_for(pilot, lambda: screen.report is not None)
    return screen


def _text(screen: MonitoringScreen, selector: str) -> str:
    return "\n".join(line.rstrip() for line in lines(screen.query_one(selector, Static)))


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_every_figure_is_shown(world: World, size: tuple[int, int]) -> None:
    with world.context.db.write() as session:
        for value in (0.2, 0.4, 0.6):
            session.add(MetricEvent(account_id=world.account.id, name=metrics.SEND_LATENCY,
                                    value=value, recorded_at=NOW))
        session.add(MetricEvent(account_id=world.account.id, name=metrics.RATE_LIMITED,
                                value=30.0, recorded_at=NOW))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        screen = await _checked(app, pilot)
        shown = " ".join(_text(screen, "#monitoring-accounts").split())
        assert "healthy" in _text(screen, "#monitoring-problems")
        for label in ("Queue", "Sends", "Last hour", "Latency", "Polls", "Credentials",
                      "queued 0", "of 10 in the last minute", "send p50 0.40 s p95 0.60 s",
                      "429 waits 1 (30 s)", "ambiguous 0", "reconciled 0", "lease expired 0",
                      "Database", world.account.name):
            assert label in shown, label


async def test_problems_come_first_and_a_refresh_comes_by_itself(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitoring, "EVERY_SECONDS", 0.2)
    threshold = world.context.settings.health_failed_threshold
    fans = _fans(world, "active", threshold)
    for fan in fans:
        _failed(world, fan)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, MonitoringScreen)
        await wait_for(pilot, lambda: "failed" in _text(screen, "#monitoring-problems"))
        top = [line for line in _text(screen, "#monitoring-problems").splitlines()
               if line.strip("│╭╮╰╯─ ")]
        assert len(top) == 1 and f"{threshold} messages failed" in top[0]
        with world.context.db.write() as session:
            session.execute(update(Account).where(Account.id == world.account.id)
                            .values(auth_error="401 token expired"))
        # No key pressed: the screen reads again on its own (and its box grows to two
        # lines on the next layout: the first line can be read before the second).

        def problems() -> list[str]:
            return [line for line in _text(screen, "#monitoring-problems").splitlines()
                    if "✗" in line]

        await wait_for(pilot, lambda: len(problems()) == 2)
        assert "credentials rejected" in problems()[0]
        with world.context.db.write() as session:
            session.execute(update(OutboundMessage).values(state="cancelled"))
            session.execute(update(Account).values(auth_error=None))
        await wait_for(pilot, lambda: "healthy" in _text(screen, "#monitoring-problems"))
    assert outbox.failed(world.context.db, world.account.id, now=NOW) == []


async def test_a_queue_no_worker_drains_is_a_problem(world: World) -> None:
    """Messages due for ten minutes and nothing drained: the screen says a person is needed."""
    for fan in _fans(world, "active", 2):
        outbox.enqueue(world.context.db, world.account.id, fan, "hello?", created_by="tester",
                       now=NOW - timedelta(minutes=10))
    app = world.app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _checked(app, pilot)
        shown = " ".join(_text(screen, "#monitoring-problems").split())
        assert "✗" in shown and "2 messages queued, nothing sent for 10 min: is a worker running?" in shown
        assert screen.report.exit_code == health.Reason.QUEUE_STALLED


async def test_sqlite_keeps_no_audit_trail_and_says_so(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        audit = app.screen.query_one(AuditList)
        assert any("kept on team databases (PostgreSQL)" in line for line in lines(audit))


async def test_no_key_here_is_the_credentials_problem_ofcrm_health_reports(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The account's key is neither in the keyring nor in its variable: the screen says
    what ``ofcrm health`` says (exit 2), and in team mode (keys with the workers) neither
    looks for it."""
    variable = secrets.env_var_name(world.account.name)
    monkeypatch.delenv(variable)
    url = world.context.settings.effective_database_url()
    assert main(["--db", url, "health"]) == health.Reason.CREDENTIALS
    assert f"no key for {world.account.name} on this machine" in capsys.readouterr().out
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _checked(app, pilot)
        assert screen.report.exit_code == health.Reason.CREDENTIALS
        assert (f"no key for {world.account.name} on this machine"
                in _text(screen, "#monitoring-problems"))
        shown = " ".join(_text(screen, "#monitoring-accounts").split())
        assert f"Credentials no key here (none in the keyring, {variable} not set)" in shown
    world.context.settings = world.context.settings.model_copy(update={"team_mode": True})
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        await wait_for(pilot, lambda: screen.report is not None)
        assert screen.report.exit_code == 0 and "Credentials ok" in " ".join(
            _text(screen, "#monitoring-accounts").split())
    monkeypatch.setenv("OFCRM_TEAM_MODE", "1")
    assert main(["--db", url, "health"]) == 0


async def test_discarded_messages_are_called_discarded(world: World) -> None:
    """Failed messages a person discarded are ``discarded`` in the queue's line, the word
    of the Failed screen and the campaign list (were counted as ``cancelled``)."""
    ids = [_failed(world, fan) for fan in _fans(world, "expired", 2)]
    assert outbox.discard(world.context.db, world.account.id, ids, now=NOW) == 2
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _checked(app, pilot)
        shown = " ".join(_text(screen, "#monitoring-accounts").split())
        assert "failed 0 · paused 0 · discarded 2 · cancelled 0" in shown


async def test_failed_messages_waiting_are_a_warning_naming_the_failed_key(world: World) -> None:
    """One failed message, under the threshold: no fault, but a yellow line tells the
    chatter to press 2 (the Failed screen), as ``ofcrm health`` warns (exit 7); the app's
    key only, not the command line's command beside it."""
    _failed(world, _fans(world, "expired", 1)[0])
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _checked(app, pilot)
        assert screen.report.exit_code == health.Reason.FAILED_WAITING
        shown = " ".join(_text(screen, "#monitoring-problems").split())
        assert shown == (f"! press 2: {world.account.name}: 1 failed message waits for a "
                         "chatter to retry or discard")
        assert "✗" not in shown and "healthy" not in shown
        top = screen.query_one("#monitoring-problems")
        assert top.has_class("-warning") and not top.has_class("-healthy")


def _at(monkeypatch: pytest.MonkeyPatch, database: str) -> None:
    """The reports name ``database`` (the tests' own path is as long as pytest makes it)."""
    check = health.check
    monkeypatch.setattr(health, "check",
                        lambda *args, **kwargs: replace(check(*args, **kwargs), database=database))


def _fits(screen: MonitoringScreen) -> list[str]:
    """The accounts' lines, checked all in view (no scrollbar), the last account's last."""
    body = screen.query_one("#monitoring-body")
    assert body.virtual_size.height <= body.size.height
    assert not body.show_vertical_scrollbar
    shown = [line.rstrip() for line in lines(screen.query_one("#monitoring-accounts"))]
    assert shown[-1].startswith("Failed 24 h") and "" not in shown[-2:]
    return shown


async def test_one_account_fits_at_80x24(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The body was one line taller than its box, a scrollbar beside it: a blank line
    closed the last account. Every line is in view, the last account's last."""
    _at(monkeypatch, "/home/chatter/.local/share/ofcrm/ofcrm.db")
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _checked(app, pilot)
        await settle(pilot)
        shown = _fits(screen)
        assert shown[0].startswith("Database     /home/chatter/.local/share/ofcrm/")


async def test_failed_messages_waiting_fit_at_80x24(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages failed and a poll too: the banner's box took three lines, the body a
    scrollbar ("Failed 24 h 5" only after End). The banner is a line with a bar beside
    it, and every line is in view."""
    _at(monkeypatch, "/home/chatter/.local/share/ofcrm/ofcrm.db")
    for fan_id in _fans(world, "expired", 5):
        _failed(world, fan_id)
    with world.context.db.write() as session:  # the demo's polls fail too (--failures 30%)
        for name, ago in ((metrics.POLL, 10), (metrics.POLL_FAILED, 130), (metrics.SEND_FAILED, 90)):
            session.add(MetricEvent(account_id=world.account.id, name=name, value=1.0,
                                    recorded_at=NOW - timedelta(seconds=ago)))
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _checked(app, pilot)
        await settle(pilot)
        assert "press 2" in _text(screen, "#monitoring-problems")
        assert _fits(screen)[-1].split() == ["Failed", "24", "h", "5"]


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_a_database_path_wider_than_the_line_is_cut_in_its_middle(
    world: World, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """A path longer than the line folded beside its label, on three lines at 80x24: the
    body scrolled. It is cut in its middle, its start and its file kept, on one line
    (whole where it fits), its size and time below it."""
    path = "postgresql://ofcrm@" + "db.example.com/" * 6 + "ofcrm_team_of_the_agency_12"
    assert len(path) == 136
    _at(monkeypatch, path)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        screen = await _checked(app, pilot)
        await settle(pilot)
        shown = _fits(screen)
        label = "Database     "
        assert shown[0].startswith(label)
        assert shown[1].strip().endswith(" · checked 12:00:00") and shown[2] == ""
        value = shown[0][len(label):]
        if size[0] > len(label) + len(path) + 2:
            assert value == path
        else:
            head, tail = value.split("…")
            assert len(value) == size[0] - len(label) - 2  # the line's width
            assert path.startswith(head) and path.endswith(tail)
            assert abs(len(head) - len(tail)) <= 1


async def test_the_recorded_depth_says_when_beside_the_live_queue(world: World) -> None:
    """The queue's line counts what is queued now; the depth is what a drain recorded
    (up to a minute before, while drains run): it says when, not passing for now's."""
    with world.context.db.write() as session:
        session.add(MetricEvent(account_id=world.account.id, name=metrics.QUEUE_DEPTH,
                                value=3.0, recorded_at=NOW - timedelta(seconds=50)))
    for fan in _fans(world, "active", 2):
        outbox.enqueue(world.context.db, world.account.id, fan, "hello?", created_by="tester",
                       now=NOW)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _checked(app, pilot)
        shown = " ".join(_text(screen, "#monitoring-accounts").split())
        assert "queued 2" in shown
        assert "depth 3 as of 11:59" in shown  # NOW is 12:00 in the clock's zone (UTC)
