"""Errors of commands on an account: one meaning for ``--account`` wherever it is written,
an account that is not there, its token, and prices and sends on a synced account."""

from __future__ import annotations

import pytest

from tests.cli import ofcrm_run
from tests.cli.ofcrm_run import Ofcrm, assert_error_line
from tests.cli.test_cli import assert_one_line_error, run

here = ofcrm_run.here


def test_help_names_every_account_action_and_the_simulator_token(here: Ofcrm) -> None:
    top = here("--help").stdout
    account_line = next(line for line in top.splitlines() if line.strip().startswith("account"))
    for action in ("add", "list", "token", "remove"):
        assert action in account_line
    assert "default: sim-token" in " ".join(here("simulate", "--help").stdout.split())


@pytest.fixture
def mia(simulator, capsys, monkeypatch):  # noqa: ANN001, ANN201
    """A synced account ``mia`` on the simulator, its token in OFCRM_TOKEN_MIA."""
    sim, base_url = simulator
    monkeypatch.setenv("OFCRM_TOKEN_MIA", sim.config.token)
    assert run(capsys, "account", "add", "mia", "--base-url", base_url)[0] == 0
    assert run(capsys, "sync")[0] == 0
    return sim


def test_global_account_is_not_overwritten_by_the_command(mia, capsys) -> None:  # noqa: ANN001
    for argv in (("send", "--fan", "x", "--text", "y"), ("failed", "list"), ("sync",), ("queue",)):
        code, _, err = run(capsys, "--account", "ghost", *argv)
        assert_one_line_error(code, err, "no account named 'ghost'")
    code, out, err = run(capsys, "--account", "mia", "failed", "list")
    assert code == 0 and out.startswith("mia: no failed messages"), err


def test_a_worker_for_a_missing_global_account_refuses_to_start(mia, here: Ofcrm) -> None:  # noqa: ANN001
    result = here("--account", "ghost", "worker")
    assert_error_line(result, "no account named 'ghost'")


def _active_fan() -> str:
    """The username of a fan the platform still delivers to."""
    from sqlalchemy import select

    from ofcrm_tui.context import AppContext
    from ofcrm_tui.store.models import Fan

    context = AppContext.load()
    try:
        with context.db.read() as session:
            return session.scalars(
                select(Fan.username).where(Fan.subscription_status == "active").order_by(Fan.id)
            ).first()
    finally:
        context.close()


def test_send_wait_that_times_out_with_no_worker_says_so(mia, capsys) -> None:  # noqa: ANN001
    fan = _active_fan()
    code, out, err = run(capsys, "send", "--fan", str(fan), "--text", "hi", "--wait", "0.3")
    assert code == 2 and out.splitlines()[-1].endswith(" queued"), err
    assert "is `ofcrm worker` or the app running for mia?" in err


def test_a_huge_price_is_a_one_line_error(mia, here: Ofcrm) -> None:  # noqa: ANN001
    fan = _active_fan()
    result = here("send", "--fan", str(fan), "--text", "hi", "--price", "1" * 30, "--media", "1")
    assert result.returncode == 2
    assert_error_line(result, "bad price")


@pytest.mark.parametrize(
    "argv",
    [
        ("fans", "list", "--min-spent", "lots"),
        ("export", "fans", "out.csv", "--max-spent", "1.999"),
        ("campaign", "create", "--name", "n", "--text", "t", "--min-spent", "-5", "--yes"),
    ],
)
def test_every_money_option_gives_the_same_one_line_error(
    mia, here: Ofcrm, argv: tuple[str, ...]  # noqa: ANN001
) -> None:
    """Refused as typed, naming the option, as argparse names every other one."""
    result = here(*argv)
    option = next(arg for arg in argv if arg.endswith("-spent"))
    assert_error_line(result, f"argument {option}: ")
    assert "spend" in result.stderr and "give dollars, e.g. 25 or 9.99" in result.stderr
    assert result.returncode == 2  # a bad value, as every option's


def test_a_price_that_is_no_amount_is_a_bad_value(mia, here: Ofcrm) -> None:  # noqa: ANN001
    """``send --price abc`` exited 1 where the fan filter's ``--min-spent lots`` exits 2."""
    result = here("send", "--fan", "x", "--text", "t", "--price", "abc")
    assert result.returncode == 2
    assert_error_line(result, "bad price 'abc': give dollars, e.g. 25 or 9.99")


def test_account_list_names_the_variable_and_says_when_no_token_is_reachable(
    mia, capsys, monkeypatch  # noqa: ANN001
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    code, out, _ = run(capsys, "account", "list")
    assert code == 0 and "token: env OFCRM_TOKEN_MIA" in out
    monkeypatch.delenv("OFCRM_TOKEN_MIA")
    code, out, _ = run(capsys, "account", "list")
    assert "token: NONE REACHABLE (no keyring entry, OFCRM_TOKEN_MIA not set)" in out
    keyring.set_keyring(NoKeyring())
    code, out, _ = run(capsys, "account", "list")
    assert "token: NONE REACHABLE (no usable OS keyring" in out and "OFCRM_TOKEN_MIA" in out


def test_names_sharing_a_token_variable_are_refused(simulator, capsys, monkeypatch) -> None:  # noqa: ANN001
    sim, base_url = simulator
    monkeypatch.setenv("OFCRM_TOKEN_MIA_X", sim.config.token)
    assert run(capsys, "account", "add", "mia.x", "--base-url", base_url)[0] == 0
    for name in ("mia-x", "MIA_X", "mia.X"):
        code, _, err = run(capsys, "account", "add", name, "--base-url", base_url)
        assert_one_line_error(code, err, "'mia.x' already reads its token from OFCRM_TOKEN_MIA_X")
    code, out, _ = run(capsys, "account", "list")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["mia.x"]


def test_no_command_gives_account_a_default_of_its_own() -> None:
    """A command's ``--account`` must not overwrite ``ofcrm --account NAME`` with None."""
    import argparse

    from tests.cli.test_cli import _all_commands

    from ofcrm_tui.cli.main import build_parser

    def parser_for(path: tuple[str, ...]) -> argparse.ArgumentParser:
        parser = build_parser()
        for name in path:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
            parser = sub.choices[name]
        return parser

    checked = 0
    for path in _all_commands():
        if not path:
            continue
        for action in parser_for(path)._actions:  # noqa: SLF001
            if action.dest == "account":
                checked += 1
                assert action.default is argparse.SUPPRESS, " ".join(path)
    assert checked >= 8
