"""``ofcrm team``: managers set up chatters and workers on PostgreSQL; SQLite (one
person's database) is refused in one line."""

from __future__ import annotations

import io
import json
from base64 import b64decode
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from ofcrm_tui.cli.main import main
from ofcrm_tui.core.access import scram_verifier
from tests.security.conftest import Team
from tests.support.databases import sqlite_url


@pytest.mark.parametrize("command", [
    ["init"], ["add-chatter", "sam", "--account", "mia"], ["add-worker", "w1"],
    ["remove-chatter", "sam"], ["list"], ["whoami"], ["audit", "--since", "7d"],
])
def test_every_team_command_refuses_sqlite_in_one_line(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    assert main(["--db", url, "team", *command]) == 1
    err = capsys.readouterr().err
    assert err == ("ofcrm: error: teams need PostgreSQL: SQLite is a one-person database "
                   f"(README: 'A team on PostgreSQL'); this is {url.removeprefix('sqlite:///')}: "
                   "pass --db postgresql://… or set OFCRM_DATABASE_URL\n")


def test_a_manager_adds_lists_and_removes_chatters(
    team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFCRM_TEAM_GROUP_PREFIX", team.groups.chatter.removesuffix("_chatter"))
    role, worker = team.role("cli"), team.role("wrk")
    team.roles += [role, worker]
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret pass\n"))
    assert main(["--db", team.url, "team", "add-chatter", role, "--account", "mia",
                 "--account", "zoe", "--can-export", "--password"]) == 0
    assert main(["--db", team.url, "team", "add-worker", worker]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"chatter {role}: mia, zoe; export"
    assert out[1].startswith(f"  connects with postgresql://{role}@{make_url(team.url).host}")
    assert out[2].startswith(f"worker {worker}: every account")
    with team.owner.read() as session:
        stored = session.scalar(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"),
                                {"r": role})
    # The server kept the verifier made here, not a hash of it: the password never left.
    salt = b64decode(stored.split("$")[1].split(":")[1])
    assert stored == scram_verifier("s3cret pass", salt=salt)

    assert main(["--db", team.url, "team", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"chatter  {role:<20} mia, zoe  [export]" in listed
    assert f"worker   {worker:<20} every account" in listed
    assert main(["--db", team.url_of(role), "team", "whoami"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{role}: chatter; sees mia, zoe; rights: export",
        "  the app runs without platform keys here: workers poll and send",
    ]
    assert main(["--db", team.url_of(role), "team", "list"]) == 1
    assert "only a manager" in capsys.readouterr().err
    assert main(["--db", team.url, "team", "remove-chatter", role]) == 0
    assert main(["--db", team.url, "team", "remove-worker", role]) == 1
    assert f"no worker {role!r}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # a bad value, refused as parsed
        main(["--db", team.url, "team", "add-chatter", "Bad-Name", "--account", "mia"])
    assert exited.value.code == 2
    assert "bad role name" in capsys.readouterr().err
    # --account before the command is the same option; none at all is said in one line.
    assert main(["--db", team.url, "--account", "mia", "team", "add-chatter", role]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"chatter {role}: mia; no export, no campaigns, no deleting fans"
    assert main(["--db", team.url, "team", "add-chatter", role]) == 2
    assert capsys.readouterr().err == (
        "ofcrm: error: a chatter needs at least one account (--account NAME)\n")
    assert main(["--db", team.url, "team", "remove-chatter", role]) == 0
    # The worker leaves too: with one on the team, the manager's tools run in team mode.
    assert main(["--db", team.url, "team", "remove-worker", worker]) == 0


def test_ofcrm_health_as_a_chatter_looks_for_no_key_as_its_app(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chatter's role is team mode (``AppContext.keyless``): ``ofcrm health`` on its
    login asks for no key here, as its app's monitoring screen; the manager's run, on a
    machine with no key either, names the missing keys."""
    chatter = team.chatter("hlt", "mia")
    assert main(["--db", team.url, "health", "--json"]) == 2
    manager = json.loads(capsys.readouterr().out)
    assert {a["name"]: a["key_here"] for a in manager["accounts"]} == {"mia": False, "zoe": False}
    main(["--db", team.url_of(chatter), "health", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in report["accounts"]] == ["mia"]
    assert report["accounts"][0]["key_here"] is None
    assert 2 not in [p["reason"] for p in report["problems"]]
