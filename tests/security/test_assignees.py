"""On a team database a conversation goes only to a chatter of its account's team: no
made-up name, no chatter taken off the team (whose conversations go to nobody)."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import make_url, select
from textual.widgets import OptionList

from ofcrm_tui.cli.main import main
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.access import Kind
from ofcrm_tui.core.accounts import get_account
from ofcrm_tui.core import team as team_work
from ofcrm_tui.store.models import AuditEvent, Conversation, Fan, TeamVersion
from ofcrm_tui.tui.app import OfcrmApp
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from tests.security.conftest import NOW, Team
from tests.tui.pilot import press, settle, wait_for


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
    known = team_work.known_chatters(db, mia, now=NOW, expiry_seconds=30)
    assert known.names == sorted([asa, bo]) and known.roster and not known.may_own("owner")

    assert main(["--db", team.url_of(asa), "assign", fan, "--account", "mia",
                 "--to", "nosuchperson"]) == 1
    assert capsys.readouterr().err == (
        "ofcrm: error: 'nosuchperson' is not a chatter on this account's team "
        f"(its chatters: {', '.join(sorted([asa, bo]))})\n")
    with pytest.raises(team_work.TeamError, match="not a chatter"):  # nor one of zoe's only
        team_work.assign(team.owner, mia, conversation, team.role("cy"), by=asa, now=NOW)
    assert team_work.owners_of(db, mia, [conversation])[conversation].chatter == "owner"  # kept

    team_work.assign(db, mia, conversation, bo, by=asa, now=NOW)
    assert main(["--db", team.url, "team", "remove-chatter", bo]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "  1 conversation assigned to it now assigned to nobody")
    assert team_work.owners_of(db, mia, [conversation]) == {}
    assert team_work.known_chatters(db, mia, now=NOW, expiry_seconds=30).names == [asa]


def test_narrowing_a_chatter_s_accounts_releases_its_conversations_on_the_others(
    team: Team, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its conversations on an account taken away stayed "assigned to" it, where it
    could no longer see them; they go to nobody with the change, and it says how many."""
    monkeypatch.setenv("OFCRM_TEAM_GROUP_PREFIX", team.groups.chatter.removesuffix("_chatter"))
    mia, zoe = team.accounts["mia"], team.accounts["zoe"]
    dee = team.chatter("dee", "mia", "zoe")
    db = team.connect(dee)
    with team.owner.read() as session:
        chats = {account: session.scalars(
            select(Conversation.id).where(Conversation.account_id == account)
            .order_by(Conversation.id).limit(2)).all() for account in (mia, zoe)}
    for account, ids in chats.items():
        for conversation in ids:
            team_work.assign(db, account, conversation, dee, by=dee, now=NOW)
    versions = {a: _version(team, a) for a in (mia, zoe)}

    assert main(["--db", team.url, "team", "add-chatter", dee, "--account", "zoe"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == (
        "  2 conversations assigned to it now assigned to nobody (on accounts it no longer has)")
    assert team_work.owners_of(team.owner, mia, chats[mia]) == {}
    owners = team_work.owners_of(team.owner, zoe, chats[zoe])
    assert [owners[c].chatter for c in chats[zoe]] == [dee, dee]
    assert _version(team, mia) > versions[mia]  # the apps reload
    assert _version(team, zoe) == versions[zoe]
    with team.owner.read() as session:
        detail = session.scalar(select(AuditEvent.detail).order_by(AuditEvent.id.desc()))
    assert detail.endswith("; 2 conversations of other accounts to nobody")

    # Given the same accounts again: nothing to release, nothing said.
    assert main(["--db", team.url, "team", "add-chatter", dee, "--account", "zoe"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def _version(team: Team, account_id: int) -> int:
    with team.owner.read() as session:
        return session.scalar(select(TeamVersion.assignments)
                              .where(TeamVersion.account_id == account_id)) or 0


@pytest.mark.anyio
async def test_a_manager_goes_by_its_login_on_a_team_database(team: Team) -> None:
    """A chatter's name is its login; a manager's app took the machine's OS user ("Me
    (root)" in the assign dialog, "root" on its notes and sends) while the team, the
    audit trail and ``ofcrm team list`` know it by its login. Its login, unless it set
    ``chatter_name``."""
    login = make_url(team.url).username
    assert login is not None and login != getpass.getuser()
    context = AppContext(Settings(database_url=team.url))
    try:
        assert context.identity.kind is Kind.MANAGER and context.settings.chatter_name == login
        app = OfcrmApp(context, get_account(context.db, "mia"), clock=lambda: NOW)
        # Only the account's chatters may own its conversations: the manager is not
        # offered a choice the assignment would refuse (it was, as "Me (root)").
        asa = team.chatter("asa", "mia")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await press(pilot, "at")
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            await wait_for(pilot, lambda: bool(dialog.values))
            assert login not in dialog.values and asa in dialog.values
            labels = [str(dialog.query_one(OptionList).get_option_at_index(i).prompt)
                      for i in range(len(dialog.values))]
            assert not any(label.startswith("Me (") for label in labels)
    finally:
        context.close()
    named = AppContext(Settings(database_url=team.url, chatter_name="boss"))
    try:
        assert named.identity.kind is Kind.MANAGER and named.settings.chatter_name == "boss"
    finally:
        named.close()
    worker = team.worker("wyn")
    as_worker = AppContext(Settings(database_url=team.url_of(worker)))
    try:
        assert as_worker.settings.chatter_name == getpass.getuser()  # (not opened yet)
        assert as_worker.identity.kind is Kind.WORKER and as_worker.settings.chatter_name == worker
    finally:
        as_worker.close()
