"""A manager's tools on a team database: what only a manager does is refused to anyone
else in the one line ``ofcrm team`` says it in, and once a worker is on the team the
manager's app and ``ofcrm health`` leave the keys to the workers (team mode)."""

from __future__ import annotations

import json

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core import access
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.store.enums import TeamKind
from tests.security.conftest import Team


def _managers_only(role: str, kind: str) -> str:
    return (f"ofcrm: error: only a manager (the owner of the tables, or a superuser) may do "
            f"this; this is role {role!r} ({kind})\n")


def test_a_chatter_or_a_worker_is_refused_the_managers_commands_in_their_words(
    team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """They said ``refused by the database: permission denied for table …``, and
    ``account add`` checked the token with the platform first."""
    chatter, worker = team.chatter("mgk", "mia"), team.worker("mgw")
    monkeypatch.setenv("OFCRM_TOKEN_ZED", "a-token")
    commands = (["team", "audit"], ["account", "remove", "mia", "--yes"],
                ["account", "add", "zed", "--base-url", "http://127.0.0.1:9"])
    try:
        for role, kind in ((chatter, "chatter"), (worker, "worker")):
            for command in commands:
                assert main(["--db", team.url_of(role), *command]) == 1, command
                assert capsys.readouterr().err == _managers_only(role, kind), command
    finally:
        access.remove_member(team.owner, worker, TeamKind.WORKER, team.groups)
    assert [a.name for a in list_accounts(team.owner)] == ["mia", "zoe"]


def _owner_keyless(team: Team, **settings: bool) -> bool:
    context = AppContext(Settings(database_url=team.url, **settings))
    try:
        return context.keyless
    finally:
        context.close()


def _no_key_problems(team: Team, capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(["--db", team.url, "health", "--json"])
    report = json.loads(capsys.readouterr().out)
    return [p["message"] for p in report["problems"] if "no key for" in p["message"]]


def test_a_managers_tools_leave_the_keys_to_a_worker_on_the_team(
    team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No worker: the manager's machine serves the accounts, and health names the keys
    it lacks. A worker on the team: team mode, as for a chatter (health exited 2 naming
    keys the manager's machine is not meant to hold, and the app started jobs that
    could not use the accounts); ``team_mode`` set either way still decides."""
    assert not _owner_keyless(team)
    assert _no_key_problems(team, capsys)
    worker = team.worker("kw")
    try:
        assert _owner_keyless(team)
        assert _no_key_problems(team, capsys) == []
        assert main(["--db", team.url, "account", "list"]) == 0
        assert all(line.endswith("token: with the workers")
                   for line in capsys.readouterr().out.splitlines())
        assert not _owner_keyless(team, team_mode=False)
        monkeypatch.setenv("OFCRM_TEAM_MODE", "false")
        assert _no_key_problems(team, capsys)
    finally:
        access.remove_member(team.owner, worker, TeamKind.WORKER, team.groups)
    monkeypatch.delenv("OFCRM_TEAM_MODE")
    assert not _owner_keyless(team)
