"""``ofcrm account set``: a new platform address or send limit, the account's data kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, update

from ofcrm_tui.core import outbox
from ofcrm_tui.core.accounts import AccountError, AccountInfo, account_ref, get_account, update_account
from ofcrm_tui.core.outbox.sender import Sender
from ofcrm_tui.core.outbox.work import Idle
from ofcrm_tui.platform.clients import client_for
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account, Fan
from ofcrm_tui.store.types import utcnow
from tests.cli.test_cli import assert_one_line_error, run

TOKEN = "sim-token-123"  # the ``simulator`` fixture's


@contextmanager
def served(seed: int = 7, token: str = TOKEN) -> Iterator[tuple[Simulator, str]]:
    """Another simulator: seed 7 serves the ``simulator`` fixture's creator, others not."""
    sim = Simulator(SimulatorConfig(fans=40, seed=seed, token=token))
    with sim.serve() as base_url:
        yield sim, base_url


@pytest.fixture
def mia(database_url: str, simulator, capsys) -> Iterator[tuple[Database, str]]:  # noqa: ANN001
    """Account mia on the simulator, synced, 2 sends a minute: (database, its URL)."""
    _, base_url = simulator
    code, _, err = run(capsys, "--db", database_url, "account", "add", "mia", "--base-url",
                       base_url, "--send-limit", "2", stdin=TOKEN + "\n")
    assert code == 0, err
    code, _, err = run(capsys, "--db", database_url, "sync")
    assert code == 0, err
    db = Database(database_url)
    yield db, database_url
    db.dispose()


def _fans(db: Database, account: AccountInfo) -> list[int]:
    with db.read() as session:
        return list(session.scalars(
            select(Fan.id).where(Fan.account_id == account.id,
                                 Fan.subscription_status == "active").order_by(Fan.id)))


def _fan_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Fan))


def _set(capsys, url: str, *options: str, name: str = "mia") -> tuple[int, str, str]:  # noqa: ANN001
    """``ofcrm account set``; argparse's own refusals exit (SystemExit) with their code."""
    try:
        return run(capsys, "--db", url, "account", "set", name, *options)
    except SystemExit as exited:
        return int(exited.code), *capsys.readouterr()


def test_a_new_send_limit_is_the_next_drains(mia, simulator, capsys) -> None:  # noqa: ANN001
    db, url = mia
    account = get_account(db, "mia")
    queued = [outbox.enqueue(db, account.id, fan, f"hi {i}", created_by="ana")
              for i, fan in enumerate(_fans(db, account)[:5])]
    with client_for(account, TOKEN, timeout=5) as client:
        sender = Sender(db, account.id, client)
        first = sender.drain()
        assert first.sent == queued[:2] and first.idle == Idle.NO_BUDGET
        code, out, err = _set(capsys, url, "--send-limit", "4")
        assert (code, out, err) == (0, "mia: send limit 2 -> 4/min\n", "")
        second = sender.drain()  # the same sender, the same minute: two more
        assert second.sent == queued[2:4] and second.idle == Idle.NO_BUDGET
    assert len(simulator[0].ledger()) == 4
    assert _set(capsys, url, "--send-limit", "4")[1] == "mia: send limit 4/min unchanged\n"
    assert "\t4/min\t" in run(capsys, "--db", url, "account", "list")[1]


def test_an_address_serving_the_same_creator_is_taken(mia, simulator, capsys) -> None:  # noqa: ANN001
    db, url = mia
    old = simulator[1]
    fans = _fan_count(db)
    with served() as (_, new):
        code, out, err = _set(capsys, url, "--base-url", new + "/", "--send-limit", "2")
        assert code == 0, err
        assert out == f"mia: address {old} -> {new}; send limit 2/min unchanged\n"
        account = get_account(db, "mia")
        assert account_ref(db, account.id).base_url == new  # what the jobs read next
        assert _fan_count(db) == fans  # the account's data stays
        code, out, _ = _set(capsys, url, "--base-url", new)  # unchanged: not asked again
        assert out == f"mia: address {new} unchanged\n"


def test_an_address_that_answers_resumes_a_held_account(mia, simulator, capsys) -> None:  # noqa: ANN001
    """A gateway that moved: its old address refused the token, or was unreachable."""
    db, url = mia
    with db.write() as session:
        session.execute(update(Account).values(
            auth_error="GET /chats: HTTP 401", unreachable_since=utcnow(),
            unreachable_retry_at=utcnow()))
    with served() as (_, new):
        code, out, err = _set(capsys, url, "--base-url", new)
    assert code == 0, err
    assert out.endswith("; the new address answered: sends and polls resume\n")
    with db.read() as session:
        row = session.scalars(select(Account)).one()
        assert (row.auth_error, row.unreachable_since, row.unreachable_retry_at) == (None,) * 3


def _unchanged(db: Database, base_url: str) -> None:
    account = get_account(db, "mia")
    assert (account.base_url, account.send_limit_per_minute) == (base_url, 2)


def test_an_address_serving_another_creator_is_refused(mia, simulator, capsys) -> None:  # noqa: ANN001
    db, url = mia
    with served(seed=8) as (other, new):
        assert other.creator.id != simulator[0].creator.id
        code, out, err = _set(capsys, url, "--base-url", new, "--send-limit", "5")
    assert code == 1 and out == ""
    assert_one_line_error(code, err, f"{new} answers for @{other.creator.username}, not for "
                          f"this account's creator @{simulator[0].creator.username}")
    _unchanged(db, simulator[1])


@pytest.mark.parametrize(("where", "fragment"), [
    ("unreachable", "the gateway could not be asked"),
    ("wrong token", "the key (or this connection) was refused"),
])
def test_an_address_that_does_not_answer_or_refuses_the_token_is_refused(
    where: str, fragment: str, mia, simulator, capsys  # noqa: ANN001
) -> None:
    db, url = mia
    if where == "unreachable":
        code, _, err = _set(capsys, url, "--base-url", "http://127.0.0.1:9", "--send-limit", "5")
        assert_one_line_error(code, err, fragment, "127.0.0.1:9")
    else:
        with served(token="another-token") as (_, new):
            code, _, err = _set(capsys, url, "--base-url", new, "--send-limit", "5")
        assert_one_line_error(code, err, fragment, "401")
    assert code == 1 and TOKEN not in err
    _unchanged(db, simulator[1])


def test_a_new_address_needs_the_token_here(mia, simulator, capsys, memory_keyring) -> None:  # noqa: ANN001
    db, url = mia
    memory_keyring.store.clear()
    with served() as (_, new):
        code, _, err = _set(capsys, url, "--base-url", new)
    assert_one_line_error(code, err, "no token for mia here", "`ofcrm account token mia`")
    assert code == 1
    _unchanged(db, simulator[1])


@pytest.mark.parametrize(("options", "code", "fragment"), [
    ((), 2, "account set: give --base-url URL, --send-limit N or both"),
    (("--send-limit", "0"), 2, "must be at least 1, not 0"),
    # A traceback: the database's integer overflowed after the command had started.
    (("--send-limit", "99999999999999999999"), 2, "must be at most 10,000, not 99999999999999999999"),
    (("--base-url", "ftp://x"), 2, "bad base URL 'ftp://x'"),  # a bad value: exit 2
])
def test_bad_options_are_one_line_errors(options, code, fragment, mia, simulator, capsys) -> None:  # noqa: ANN001
    db, url = mia
    got, out, err = _set(capsys, url, *options)
    assert got == code and out == ""
    assert_one_line_error(got, err, fragment)
    _unchanged(db, simulator[1])


def test_an_unknown_account_is_a_one_line_error(mia, capsys) -> None:  # noqa: ANN001
    _, url = mia
    code, _, err = _set(capsys, url, "--send-limit", "3", name="ghost")
    assert code == 1
    assert_one_line_error(code, err, "no account named 'ghost'; accounts: mia")


def test_the_core_refuses_a_send_limit_the_database_cannot_hold(mia) -> None:  # noqa: ANN001
    db, _ = mia
    with pytest.raises(AccountError, match="the send limit must be from 1 to 2,147,483,647 a minute"):
        update_account(db, "mia", send_limit_per_minute=2**31, timeout_seconds=5)
