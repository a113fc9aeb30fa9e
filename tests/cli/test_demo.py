"""``ofcrm demo``'s account without the app: ``--failures`` reaches the simulator, a send
fails as a newcomer would see it, and once the simulated platform accepts sends again (what
the palette's "Demo: sends go through" does) a retry of the same message goes out; the
demo's saved replies are there."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ofcrm_tui import paths, secrets
from ofcrm_tui.cli.demo_cmd import DEMO_ACCOUNT, DEMO_TOKEN, demo_account
from ofcrm_tui.cli.main import build_parser, main
from ofcrm_tui.core import accounts, outbox
from ofcrm_tui.core.fans.resolve import resolve_fan
from ofcrm_tui.core.inbox import saved_replies
from ofcrm_tui.core.outbox.sender import Sender
from ofcrm_tui.devdata.demo import SAVED_REPLIES
from ofcrm_tui.errors import OfcrmError, UsageError
from ofcrm_tui.platform.clients import client_for
from ofcrm_tui.simulator.control import set_faults
from ofcrm_tui.simulator import Simulator
from ofcrm_tui.simulator.faults import Faults
from ofcrm_tui.store.database import Database


def _args(*argv: str) -> argparse.Namespace:
    """The demo's options, its simulated fans quiet for the length of a test."""
    return build_parser().parse_args(["demo", "--fans", "20", "--activity", "3600", *argv])


@pytest.fixture(autouse=True)
def _demo_token_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo puts its token in the environment; gone again after each test."""
    monkeypatch.setenv(secrets.env_var_name(DEMO_ACCOUNT), DEMO_TOKEN)


@pytest.mark.parametrize("skin", ["contract", "ofauth"])
def test_failed_sends_are_retried_once_the_platform_accepts_them(skin: str) -> None:
    with demo_account(_args("--failures", "100%", "--skin", skin)) as (context, sim, account):
        assert sim.faults.refuse_send_rate == 1.0
        db = context.db
        fan = resolve_fan(db, account.id, sim.world.fans[sim.active_fan_ids()[0]].username)
        message_id = outbox.enqueue(db, account.id, fan.id, "see you tonight?", created_by="demo")
        with client_for(account, DEMO_TOKEN, timeout=5) as client:
            sender = Sender(db, account.id, client)
            assert sender.drain().failed == [message_id]  # at once: no retry unchanged
            [failed] = outbox.failed(db, account.id)
            assert failed.id == message_id and "turned off messages" in (failed.last_error or "")
            assert sim.ledger() == []
            set_faults(account.base_url, Faults())
            assert outbox.retry(db, account.id, [message_id], by="demo") == 1
            assert sender.drain().sent == [message_id]
        assert outbox.get(db, account.id, message_id).state == "sent"
        assert [entry.text for entry in sim.ledger()] == ["<p>see you tonight?</p>"]


def test_by_default_sends_go_and_saved_replies_are_there() -> None:
    with demo_account(_args()) as (context, sim, account):
        assert sim.faults == Faults()
        names = [reply.name for reply in saved_replies.list_replies(context.db, account.id)]
    assert sorted(names) == sorted(name for name, _ in SAVED_REPLIES)


def test_health_run_beside_the_demo_says_the_key_is_the_demos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ofcrm health`` on the demo's database, outside the demo (whose key it sets for
    itself only): not "no key for demo" and a token to store, but to run the demo."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with demo_account(_args("--db", url)):
        pass
    monkeypatch.delenv(secrets.env_var_name(DEMO_ACCOUNT))
    assert main(["--db", url, "health"]) == 2
    assert capsys.readouterr().out.splitlines()[-1] == (
        "PROBLEM: demo: the demo's account has a key only inside `ofcrm demo`: run it "
        "(its Monitoring screen, 6, checks it)")


def test_health_run_while_the_demo_runs_finds_its_key_in_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ofcrm health`` in another terminal while the demo runs (its lock held): not "run
    the demo" and exit 2, but its key in the running demo, whose Monitoring screen shows
    its health; nothing else wrong, healthy (exit 0)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with demo_account(_args("--db", url)):
        monkeypatch.delenv(secrets.env_var_name(DEMO_ACCOUNT))  # as in another process
        assert main(["--db", url, "health"]) == 0
        out = capsys.readouterr().out.splitlines()
    assert "  credentials: in `ofcrm demo`, which is running: its Monitoring screen (6) " \
        "shows its health" in out
    assert out[-1] == "healthy"


@pytest.mark.parametrize(("given", "share"), [("0.3", 0.3), ("30%", 0.3), ("0", 0.0), ("1", 1.0)])
def test_failures_take_a_share(given: str, share: float) -> None:
    assert _args("--failures", given).failures == pytest.approx(share)


@pytest.mark.parametrize("given", ["1.5", "-0.1", "150%", "lots"])
def test_failures_out_of_range_are_refused(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _args("--failures", given)
    assert "--failures" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["0", "-1", "nan", "86401"])
def test_activity_out_of_range_is_refused(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Fans writing every 0 or -1 seconds (a simulator spinning, or none at all): refused
    as typed, saying the range, exit 2."""
    with pytest.raises(SystemExit) as exited:
        _args("--activity", given)  # parsed only: one let through starts no demo here
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        f"ofcrm: error: argument --activity: must be more than 0 and at most 86400, not {given} "
        "(see ofcrm demo --help)\n")


@pytest.mark.parametrize("url", ["notaurl", "mysql://root@localhost/x"])
def test_a_db_that_is_no_database_url_is_a_bad_value(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, as a --db of a server's database is; no demo.db made in the data folder."""
    assert main(["demo", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ofcrm: error: ") and err.count("\n") == 1 and "database" in err
    assert not (paths.data_dir() / "demo.db").exists()


def test_a_second_demo_is_refused_while_one_runs() -> None:
    """It would delete the database under the first (whose app then worked on two files)."""
    with demo_account(_args()) as (context, _sim, account):
        with pytest.raises(OfcrmError, match="another `ofcrm demo` is running"), \
                demo_account(_args()):
            pass
        assert saved_replies.list_replies(context.db, account.id)  # the first's data is there
    with demo_account(_args()):  # once the first is over, a new one starts
        pass


def test_db_names_the_demo_s_sqlite_file(tmp_path: Path) -> None:
    """``ofcrm demo --db sqlite:///FILE``, which its --help offers, made and used the data
    folder's demo.db: the demo is now in FILE (and again in it the next time)."""
    mine = tmp_path / "mine.db"
    for _ in range(2):  # a demo's file: the next demo starts it over
        with demo_account(_args("--db", f"sqlite:///{mine}")) as (context, _sim, account):
            assert context.db.url.database == str(mine)
            assert saved_replies.list_replies(context.db, account.id)
    assert mine.stat().st_size > 0
    assert not (paths.data_dir() / "demo.db").exists()


def test_db_that_the_demo_cannot_own_is_refused_and_left_alone(
    db: Database, database_url: str, tmp_path: Path, simulator: tuple[Simulator, str]
) -> None:
    """A database of other accounts would be deleted to start over, and a server's or a
    memory database is no file to make anew: one line each, nothing touched."""
    accounts.add_account(db, "real", simulator[1], simulator[0].config.token,
                         send_limit_per_minute=5, timeout_seconds=5)
    db.dispose()
    if database_url.startswith("sqlite"):
        refused, match = OfcrmError, "is not a demo's database: the demo starts over each time"
    else:
        refused, match = UsageError, "give --db sqlite:///PATH, not postgresql"
    with pytest.raises(refused, match=match), demo_account(_args("--db", database_url)):
        pytest.fail("the demo must not start")
    assert [a.name for a in accounts.list_accounts(db)] == ["real"]
    with pytest.raises(UsageError, match="give --db sqlite:///PATH, not sqlite://"), \
            demo_account(_args("--db", "sqlite://")):
        pytest.fail("the demo must not start")
    with pytest.raises(OfcrmError, match="no folder .*nope for the demo's database"), \
            demo_account(_args("--db", f"sqlite:///{tmp_path / 'nope' / 'demo.db'}")):
        pytest.fail("the demo must not start")
