"""On a team database a conversation goes only to a chatter of its account's team: no
made-up name, no chatter taken off the team (whose conversations go to nobody)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import team as team_work
from ofcrm_tui.store.models import Conversation, Fan
from tests.security.conftest import NOW, Team


def test_only_the_account_s_chatters_are_assignees(
    team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFCRM_TEAM_GROUP_PREFIX", team.groups.chatter.removesuffix("_chatter"))
    mia = team.accounts["mia"]
    asa, bo = team.chatter("asa", "mia"), team.chatter("bo", "mia", "zoe")
    team.chatter("cy", "zoe")
    db = team.connect(asa)
    with team.owner.read() as session:
        fan, conversation = session.execute(
            select(Fan.username, Conversation.id).join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == mia).order_by(Fan.id)).first()
    assert team_work.known_chatters(db, mia, now=NOW, expiry_seconds=30) == sorted([asa, bo])

    assert main(["--db", team.url_of(asa), "assign", fan, "--account", "mia",
                 "--to", "nosuchperson"]) == 1
    assert capsys.readouterr().err == (
        "ofcrm: error: 'nosuchperson' is not a chatter on this account's team "
        f"(its chatters: {', '.join(sorted([asa, bo]))})\n")
    with pytest.raises(team_work.TeamError, match="not a chatter"):  # nor one of zoe's only
        team_work.assign(team.owner, mia, conversation, team.role("cy"), by=asa, now=NOW)
    assert team_work.owner_of(db, mia, conversation).chatter == "owner"  # as it was

    team_work.assign(db, mia, conversation, bo, by=asa, now=NOW)
    assert main(["--db", team.url, "team", "remove-chatter", bo]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  1 conversation assigned to it now assigned to nobody")
    assert team_work.owner_of(db, mia, conversation) is None
    assert team_work.known_chatters(db, mia, now=NOW, expiry_seconds=30) == [asa]
