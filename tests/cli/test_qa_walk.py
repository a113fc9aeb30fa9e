"""Findings of a QA walk through the commands: bad values refused as typed (exit 2, no
database opened or made), a refused ``account add`` leaving no file, confirmations
asked alike, a named config file that is not there, ``--skip-invalid`` taken as asked,
and the words of the help, the audit trail and a fan deleted here. (The chatters export's
"outside ofcrm": ``tests/analytics/test_export.py``; health's words: ``test_health.py``.)"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ofcrm_tui.cli import team_cmd
from ofcrm_tui.cli.main import COMMANDS, build_parser, parse
from ofcrm_tui.core.access import AuditRow
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.types import utcnow
from tests.cli import ofcrm_run
from tests.cli.ofcrm_run import Ofcrm, assert_error_line
from tests.cli.test_cli import assert_one_line_error, run
from tests.fans.conftest import add_fan, make_account

here = ofcrm_run.here


def test_a_refused_account_add_makes_no_database(
    tmp_path: Path, here: Ofcrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "fresh.db"
    result = here("--db", f"sqlite:///{fresh}", "account", "add", "mia", "--base-url", "notaurl")
    assert result.returncode == 2  # a bad value
    assert_error_line(result, "bad base URL 'notaurl'")
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "tok")
    result = here("--db", f"sqlite:///{fresh}", "account", "add", "mia",
                  "--base-url", "http://127.0.0.1:1")
    assert result.returncode == 1  # refused by the gateway (unreachable)
    assert_error_line(result, "the gateway could not be asked")
    assert not fresh.exists()


BAD_VALUES = [
    (("campaign", "create", "--name", "n", "--text", "t", "--inactive-days", "1.5"),
     "argument --inactive-days: '1.5' is not a whole number"),
    (("campaign", "create", "--name", "n", "--text", "t", "--at", "tomorrow"), "bad time 'tomorrow'"),
    (("campaign", "create", "--name", "n", "--text", "t", "--price", "2"),
     "the price must be $0 (free) or between $3.00 and $200.00"),
    (("send", "--fan", "x", "--text", "t", "--price", "2"), "the price must be $0 (free)"),
    (("fans", "add", "--username", "bad name"), "username 'bad name' contains spaces"),
    (("account", "add", "bad name!", "--base-url", "http://x"), "bad account name 'bad name!'"),
    (("fans", "edit", "x", "--tag", ""), "argument --tag: empty tag name"),
    # The fan filter's tags and spends named their option no more ("error: empty tag name").
    (("fans", "list", "--tag", ""), "argument --tag: empty tag name (see ofcrm fans list --help)"),
    (("fans", "list", "--without-tag", "#"),
     "argument --without-tag: a tag name needs more than a #"),
    (("fans", "list", "--min-spent", "lots"), "argument --min-spent: bad minimum spend 'lots'"),
    (("export", "fans", "out.csv", "--max-spent", "-1"),
     "argument --max-spent: bad maximum spend '-1'"),
    (("campaign", "create", "--name", "n", "--text", "t", "--exclude-tag", " "),
     "argument --without-tag/--exclude-tag: empty tag name"),
    (("fans", "edit", "x", "--tag", "t" * 300), "tag is 300 characters long"),
    (("send", "--fan", "x", "--text", ""), "argument --text: the message is empty"),
    (("campaign", "create", "--name", "", "--text", "t"), "a campaign needs a name"),
    (("fans", "show", ""), "no fan given"),
    (("fans", "edit", "x", "--note", ""), "argument --note: empty note"),
    (("fans", "edit", "x", "--tag", "vip", "--untag", "#VIP"),
     "--tag and --untag name the same tag: vip"),
    (("assign", "x", "--to", ""), "no chatter named"),
    (("account", "set", "mia", "--base-url", "ftp://x"), "bad base URL"),
    # Exit 1 after the database was opened, where any other empty value exits 2.
    (("fans", "add", "--username", "@"), "argument --username: a fan needs a username"),
    # argparse's own "invalid int value", where every other number says this.
    (("fans", "list", "--limit", "ten"), "argument --limit: not a whole number: 'ten'"),
    (("fans", "show", "x", "--notes", "2.5"), "argument --notes: not a whole number: '2.5'"),
    (("campaign", "list", "--limit", "all"), "argument --limit: not a whole number: 'all'"),
    (("team", "audit", "--limit", "x"), "argument --limit: not a whole number: 'x'"),
    (("generate", "--seed", "abc"), "argument --seed: not a whole number: 'abc'"),
    (("simulate", "--seed", "abc"), "argument --seed: not a whole number: 'abc'"),
    (("demo", "--seed", "abc"), "argument --seed: not a whole number: 'abc'"),
    # Exit 1 once the database was made; an empty one gave the default name.
    (("generate", "--account", "bad name!"), "argument --account: bad account name 'bad name!'"),
    (("generate", "--account", ""), "argument --account: bad account name ''"),
]


@pytest.mark.parametrize(("argv", "fragment"), BAD_VALUES)
def test_a_bad_value_is_a_usage_error_before_any_database(
    argv: tuple[str, ...], fragment: str, tmp_path: Path, here: Ofcrm
) -> None:
    """Exit 2, one line naming the value, and the database not looked for: on a path with
    none yet it is the value that is named, not "no database yet"."""
    result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
    assert result.returncode == 2, result.stderr
    assert_error_line(result, fragment)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("argv", [("--db", " ", "queue"), ("fans", "list", "--db", "")])
def test_an_empty_database_url_is_refused_not_taken_for_the_default(
    argv: tuple[str, ...], here: Ofcrm
) -> None:
    """``--db "$UNSET"`` went on with the default database, whatever the command did."""
    result = here(*argv)
    assert result.returncode == 2
    assert_error_line(result, "argument --db: no URL given: sqlite:///PATH or postgresql://...")


def test_a_named_config_file_that_is_not_there_is_refused(
    tmp_path: Path, here: Ofcrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OFCRM_CONFIG_FILE", str(tmp_path / "nope.toml"))
    for argv in (("queue",), ("config", "show")):
        result = here("--db", f"sqlite:///{tmp_path / 'x.db'}", *argv)
        assert result.returncode == 2
        assert_error_line(result, f"no config file {tmp_path / 'nope.toml'}")
        assert result.stdout == ""


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    account = make_account(db, "mia")
    add_fan(db, account, 41, "lena", name="Lena", subscription_status="active")
    return database_url


def test_no_token_for_an_account_names_the_command_that_stores_one(
    url: str, capsys: pytest.CaptureFixture[str], memory_keyring: object
) -> None:
    """The account is there: ``account add`` (which it named) refuses a name taken."""
    code, _, err = run(capsys, "--db", url, "sync")
    assert_one_line_error(code, err, "no token for account 'mia': `ofcrm account token mia` "
                                     "stores one, or set OFCRM_TOKEN_MIA")


def test_generate_refuses_a_name_taken_before_it_says_it_generates(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line, as ``account add`` says it (not "generating 'mia'..." first)."""
    code, out, err = run(capsys, "--db", url, "generate", "--account", "mia", "--fans", "0")
    assert code == 1 and out == ""
    assert_one_line_error(code, err, "account 'mia' already exists; remove it first to replace it")


def test_cancel_asks_as_delete_does(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", url, "campaign", "create", "--name", "n", "--text", "hi",
                         "--at", "2099-01-01T10:00", "--yes")
    assert code == 0 and "scheduled" in out, err
    code, out, err = run(capsys, "--db", url, "campaign", "cancel", "1")  # no terminal
    assert code == 2 and out == ""
    assert_one_line_error(code, err, "not cancelled: add --yes (no terminal to ask on)")
    assert "scheduled" in run(capsys, "--db", url, "campaign", "list")[1]
    code, out, _ = run(capsys, "--db", url, "campaign", "cancel", "1", "--yes")
    assert code == 0 and out.startswith("campaign #1 cancelled")
    code, _, err = run(capsys, "--db", url, "fans", "delete", "lena")  # no terminal: usage, 2
    assert_one_line_error(code, err, "not deleted: add --yes")
    assert code == 2


def test_a_fan_deleted_here_is_said_to_be(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", url, "fans", "delete", "lena", "--yes")[0] == 0
    for ref in ("lena", "41"):
        code, _, err = run(capsys, "--db", url, "fans", "show", ref)
        assert_one_line_error(code, err, f"fan '{ref}' was deleted here ", "UTC")
        assert "sync the account" not in err


def test_skipping_bad_rows_as_asked_exits_0(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "fans.csv"
    csv.write_text("username\nzoe\nbad name\n")
    code, out, err = run(capsys, "--db", url, "import", "fans", str(csv), "--skip-invalid")
    assert code == 0, err
    assert "skipped 1 bad" in out and "line 3:" in err
    code, _, _ = run(capsys, "--db", url, "import", "fans", str(csv))  # not asked: refused
    assert code == 1


def test_the_audit_trail_counts_rows_in_words() -> None:
    row = AuditRow(1, utcnow(), "ann", "fans_export", 1, "mia", 1, "")
    assert "  1 row" in team_cmd.audit_line(row) and "1 rows" not in team_cmd.audit_line(row)


def _actions(name: str) -> tuple[str, ...]:
    parser = build_parser(load=[name])
    command = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    inner = [a for a in command.choices[name]._actions if isinstance(a, argparse._SubParsersAction)]
    return tuple(inner[0].choices) if inner else ()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_the_top_level_help_lists_each_commands_own_actions(command: object) -> None:
    assert command.actions == _actions(command.name)  # type: ignore[attr-defined]


def test_the_top_level_help_shows_the_actions(here: Ofcrm) -> None:
    top = " ".join(here("--help").stdout.split())
    for command in COMMANDS:
        assert " ".join(command.help.split()) in top


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, argparse.ArgumentParser]]:
    """Each command and action below ``parser`` (named by its path), ``parser`` first."""
    found = [(" ".join(path), parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, (*path, name))
    return found


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command.name)
def test_every_argument_has_help(command: object) -> None:
    """Each action's ``--help`` says what it does, and what each of its arguments is
    (campaign create's --name, --min-spent, --media... said nothing; its actions had no
    description; an ID or a FILE was not said to be whose or which)."""
    name = command.name  # type: ignore[attr-defined]
    top = build_parser(load=[name])
    chosen = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    for path, parser in _parsers(chosen, (name,)):
        assert parser.description, path
        # The ACTION a command's actions are chosen by lists each with its own help.
        unsaid = [action.dest for action in parser._actions if not action.help
                  and not isinstance(action, argparse._SubParsersAction)]
        assert unsaid == [], path


def test_campaign_create_takes_without_tag_as_fans_list_does() -> None:
    args = parse(["campaign", "create", "--name", "n", "--text", "t",
                  "--without-tag", "a", "--exclude-tag", "b"])
    assert args.without_tag == ["a", "b"]
