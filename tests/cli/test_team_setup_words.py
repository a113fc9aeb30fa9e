"""The team setup as pasted from the README: a command that writes where it was not told
says where it wrote, ``ofcrm team`` on SQLite says how to name the team's database,
usage errors and bad values exit 2, and the audit trail is said in the app's words."""

from __future__ import annotations

from datetime import UTC, datetime

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from ofcrm_tui import paths
from ofcrm_tui.cli.main import parse
from ofcrm_tui.cli.team_cmd import audit_line
from ofcrm_tui.core.access import AuditRow
from tests.cli.test_cli import assert_one_line_error, run
from tests.support.databases import sqlite_url


def test_account_add_names_the_database_it_was_not_told(
    simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path  # noqa: ANN001
) -> None:
    """No ``--db`` (and no OFCRM_DATABASE_URL exported in this shell): the account went to
    the SQLite file in the data folder, and the line says so; ``--db`` named it already."""
    sim, base_url = simulator
    keyring.set_keyring(NoKeyring())
    monkeypatch.setenv("OFCRM_TOKEN_MIA", sim.config.token)
    code, out, err = run(capsys, "account", "add", "mia", "--base-url", base_url)
    assert code == 0, err
    assert out.startswith(f"added mia via contract to {paths.data_dir() / 'ofcrm.db'}: creator @")
    code, out, err = run(capsys, "--db", sqlite_url(tmp_path), "account", "add", "mia",
                         "--base-url", base_url)
    assert code == 0, err
    assert out.startswith("added mia via contract: creator @")


@pytest.mark.parametrize("command", [["init"], ["list"], ["audit"]])
def test_team_commands_on_sqlite_name_the_file_and_the_way_to_postgresql(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "team", *command)
    assert_one_line_error(code, err, "teams need PostgreSQL",
                          f"this is {paths.data_dir() / 'ofcrm.db'}: pass --db postgresql://… "
                          "or set OFCRM_DATABASE_URL")
    assert code == 1


def test_a_chatter_without_an_account_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "team", "add-chatter", "kim")
    assert err == "ofcrm: error: a chatter needs at least one account (--account NAME)\n"
    assert code == 2


@pytest.mark.parametrize("command", [
    ["add-chatter", "Bad-Name", "--account", "mia"], ["add-worker", "pg_w"],
    ["remove-chatter", "Kim"], ["remove-worker", "w 1"],
])
def test_a_bad_role_name_is_a_bad_value(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused as typed, as any bad value (it exited 1 once the database was open)."""
    with pytest.raises(SystemExit) as exited:
        parse(["team", *command])
    assert exited.value.code == 2
    assert_one_line_error(2, capsys.readouterr().err, "bad role name",
                          f"(see ofcrm team {command[0]} --help)")


def test_the_audit_trail_says_its_actions_as_the_monitoring_screen_does() -> None:
    row = AuditRow(1, datetime(2026, 11, 20, 12, 0, tzinfo=UTC), "owner", "member_added",
                   None, None, None, "worker w1")
    assert "  member added  " in audit_line(row)
    assert "member_added" not in audit_line(row)
