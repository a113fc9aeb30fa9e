"""Taking a chatter off the team, or an account from a chatter, cuts a connection that
is already open at its next query: the grants are read at every statement."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ofcrm_tui.core import access, inbox
from ofcrm_tui.core.access import TeamError
from ofcrm_tui.store.enums import TeamKind
from tests.security.conftest import Team


def _fan_accounts(connection) -> set[int]:  # noqa: ANN001 - a SQLAlchemy Connection
    return set(connection.execute(text("SELECT DISTINCT account_id FROM fans")).scalars())


def test_removing_a_chatter_cuts_its_open_connection(team: Team) -> None:
    role = team.chatter("rex", "mia")
    db = team.connect(role)
    mia = team.accounts["mia"]
    with db.engine.connect() as connection:
        assert _fan_accounts(connection) == {mia}
        connection.commit()
        access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)
        with pytest.raises(DBAPIError) as caught:
            _fan_accounts(connection)  # the same connection, its next query
        assert "permission denied for table fans" in str(access.refusal(caught.value))
    # The app's own queries say it in one line too.
    with pytest.raises(DBAPIError) as caught:
        inbox.count_conversations(db, mia, inbox.InboxFilter())
    assert str(access.refusal(caught.value)).count("\n") == 0
    assert [m.role for m in access.members(team.owner) if m.role == role] == []
    with pytest.raises(TeamError, match="no chatter"):
        access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)


def test_taking_an_account_away_hides_it_at_the_next_query(team: Team) -> None:
    role = team.chatter("ivy", "mia", "zoe")
    db = team.connect(role)
    with db.engine.connect() as connection:
        assert _fan_accounts(connection) == set(team.accounts.values())
        connection.commit()
        access.add_chatter(team.owner, role, ["zoe"], groups=team.groups)
        assert _fan_accounts(connection) == {team.accounts["zoe"]}
        connection.commit()
    # Back on the team, with its login back.
    access.remove_member(team.owner, role, TeamKind.CHATTER, team.groups)
    member, _ = access.add_chatter(team.owner, role, ["mia"], groups=team.groups)
    assert member.can_login and member.accounts == ("mia",)
    assert inbox.count_conversations(db, team.accounts["mia"], inbox.InboxFilter()) == 30


def test_a_worker_added_as_a_chatter_is_told_the_command_that_removes_it(team: Team) -> None:
    role = team.worker("wes")
    with pytest.raises(access.TeamError, match=f"`ofcrm team remove-worker {role}`"):
        access.add_chatter(team.owner, role, ["mia"], groups=team.groups)
