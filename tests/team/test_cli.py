"""``ofcrm assign``, ``ofcrm chatters`` and the guard of ``ofcrm send``."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from ofcrm_tui.cli import send_cmd
from ofcrm_tui.cli.main import main
from ofcrm_tui.core import team
from ofcrm_tui.core.team import Beat
from ofcrm_tui.store.models import Fan
from ofcrm_tui.store.types import utcnow
from tests.team.conftest import Team


def run(capsys: pytest.CaptureFixture[str], crew: Team, chatter: str, *argv: str,
        monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setenv("OFCRM_CHATTER_NAME", chatter)
    code = main(["--db", crew.url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _username(crew: Team, index: int) -> str:
    with crew.db.read() as session:
        return session.scalar(select(Fan.username).where(
            Fan.id == crew.fans[crew.conversations[index]]))


def test_send_refuses_what_another_chatter_just_sent_and_force_sends(
    crew: Team, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fan = _username(crew, 0)
    # The two sends at one instant: "0 s ago" held only while they ran within a second.
    frozen: list[datetime | None] = [utcnow()]
    monkeypatch.setattr(send_cmd, "utcnow", lambda: frozen[0] or utcnow())
    code, out, _ = run(capsys, crew, "sam", "send", "--fan", fan, "--text",
                       "\x1b[31mred\x1b[0m\nhi", monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("queued #1")
    code, out, err = run(capsys, crew, "ana", "send", "--fan", fan, "--text", "me",
                         monkeypatch=monkeypatch)
    assert code == 1 and out == ""
    # One line; the other chatter's text with no escape sequence or line break in it.
    assert err == ("ofcrm: error: not queued: sam queued a message 0 s ago: “[31mred [0m hi” "
                   "(--force sends anyway)\n")
    frozen[0] = None
    code, out, _ = run(capsys, crew, "ana", "send", "--fan", fan, "--text", "me", "--force",
                       monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("queued #2")
    code, _, _ = run(capsys, crew, "sam", "send", "--fan", fan, "--text", "again",
                     monkeypatch=monkeypatch)
    assert code == 1  # ana's now
    monkeypatch.setenv("OFCRM_COLLISION_WINDOW_SECONDS", "0")
    code, _, _ = run(capsys, crew, "sam", "send", "--fan", fan, "--text", "again",
                     monkeypatch=monkeypatch)
    assert code == 0


def test_assign_to_me_to_another_and_to_nobody(
    crew: Team, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fan = _username(crew, 1)
    code, out, _ = run(capsys, crew, "ana", "assign", fan, monkeypatch=monkeypatch)
    assert (code, out) == (0, f"@{fan} on generated: assigned to ana\n")
    code, out, _ = run(capsys, crew, "ana", "assign", fan, "--to", "sam",
                       monkeypatch=monkeypatch)
    assert out == f"@{fan} on generated: assigned to sam\n"
    conversation = crew.conversations[1]
    owner = team.owners_of(crew.db, crew.account.id, [conversation]).get(conversation)
    assert owner is not None and (owner.chatter, owner.assigned_by) == ("sam", "ana")
    code, out, _ = run(capsys, crew, "ana", "assign", fan, "--nobody", monkeypatch=monkeypatch)
    assert out == f"@{fan} on generated: assigned to nobody (was sam)\n"
    code, _, err = run(capsys, crew, "ana", "assign", "nobody-here", monkeypatch=monkeypatch)
    assert code == 1 and err.startswith("ofcrm: error: no fan 'nobody-here'")


def test_chatters_lists_who_is_online_on_what_and_their_sends(
    crew: Team, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    first = crew.conversations[0]
    team.beat(crew.db, "sam-app", Beat(crew.account.id, "sam", first, now), now=now,
              expiry_seconds=6)
    team.beat(crew.db, "ana-app", Beat(crew.account.id, "a[b]na[/b]"), now=now,
              expiry_seconds=6)
    team.send(crew.db, crew.account.id, crew.fans[first], "hi", seen=None,
              by=team.Sender("bob", now))
    code, out, _ = run(capsys, crew, "x", "chatters", monkeypatch=monkeypatch)
    fan = _username(crew, 0)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "generated: 2 online"
    assert lines[1].split()[:2] == ["a[b]na[/b]", "0"] and lines[1].endswith(
        "online, no conversation open")
    assert lines[2].split()[:2] == ["sam", "0"] and lines[2].endswith(f"(@{fan})")
    assert "typing to" in lines[2]
    assert lines[3].split()[:2] == ["bob", "1"] and lines[3].endswith("offline")
    code, out, _ = run(capsys, crew, "x", "chatters", "--json", monkeypatch=monkeypatch)
    found = {entry["chatter"]: entry for entry in json.loads(out)}
    assert found["sam"]["conversation_id"] == first and found["sam"]["typing"] is True
    assert found["bob"] == {"chatter": "bob", "online": False, "since": None,
                            "conversation_id": None, "fan_username": None, "typing": False,
                            "sends_today": 1}
