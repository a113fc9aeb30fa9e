"""Assignment: owners, the version other apps watch, auto-assign, the list's filters."""

from __future__ import annotations

import pytest

from ofcrm_tui.core import inbox, team
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.core.team import Beat, Seen, Sender, TeamError
from ofcrm_tui.store import diagnostics
from tests.team.conftest import NOW, Team


def _version(crew: Team) -> int:
    view = team.beat(crew.db, "watcher", Beat(crew.account.id, "watcher"), now=NOW,
                     expiry_seconds=6)
    return view.assignments_version


def test_assign_reassign_unassign_each_move_the_version(crew: Team) -> None:
    first = crew.conversations[0]
    assert _version(crew) == 0 and team.owners_of(crew.db, crew.account.id, [first]) == {}
    owner = team.assign(crew.db, crew.account.id, first, " sam ", by="ana", now=NOW)
    assert (owner.chatter, owner.assigned_by) == ("sam", "ana")
    assert team.owners_of(crew.db, crew.account.id, [first]) == {first: owner}
    assert _version(crew) == 1
    team.assign(crew.db, crew.account.id, first, "ana", by="ana", now=NOW)
    assert _version(crew) == 2
    assert team.unassign(crew.db, crew.account.id, first) == "ana"
    assert team.unassign(crew.db, crew.account.id, first) is None  # nothing changed
    assert _version(crew) == 3


def test_refusals(crew: Team) -> None:
    with pytest.raises(TeamError, match="blank"):
        team.assign(crew.db, crew.account.id, crew.conversations[0], "  ", by="ana", now=NOW)
    with pytest.raises(TeamError, match="no conversation #999999"):
        team.assign(crew.db, crew.account.id, 999_999, "sam", by="ana", now=NOW)
    with pytest.raises(TeamError, match="no conversation"):  # another account's id reads missing
        team.unassign(crew.db, crew.account.id + 1, crew.conversations[0])


def test_auto_assign_gives_an_unowned_conversation_to_the_first_to_reply(crew: Team) -> None:
    first, second = crew.conversations[:2]
    team.assign(crew.db, crew.account.id, second, "bob", by="bob", now=NOW)
    for conversation in (first, second):
        team.send(crew.db, crew.account.id, crew.fans[conversation], "hi", seen=None,
                  by=Sender("ana", NOW, auto_assign=True))
    team.send(crew.db, crew.account.id, crew.fans[first], "me too", seen=None,
              by=Sender("sam", NOW, auto_assign=True))
    owners = team.owners_of(crew.db, crew.account.id, [first, second])
    assert owners[first].chatter == "ana" and owners[second].chatter == "bob"
    assert _version(crew) == 2  # bob's assignment and ana's first reply


def test_mine_and_unassigned_filters_and_the_rows_owner(crew: Team) -> None:
    first, second, third = crew.conversations[:3]
    team.assign(crew.db, crew.account.id, first, "sam", by="sam", now=NOW)
    team.assign(crew.db, crew.account.id, third, "sam", by="ana", now=NOW)
    team.assign(crew.db, crew.account.id, second, "ana", by="ana", now=NOW)
    mine = InboxFilter(order="fan", assigned_to="sam")
    rows = inbox.conversations_window(crew.db, crew.account.id, mine, 0, 10)
    assert [(r.conversation_id, r.owner) for r in rows] == [(first, "sam"), (third, "sam")]
    assert inbox.count_conversations(crew.db, crew.account.id, mine) == 2
    assert inbox.position_of(crew.db, crew.account.id, mine, third) == 1
    free = InboxFilter(order="fan", unassigned=True)
    rows = inbox.conversations_window(crew.db, crew.account.id, free, 0, 100)
    assert [r.conversation_id for r in rows] == crew.conversations[3:]
    assert {r.owner for r in rows} == {None}
    assert inbox.count_conversations(crew.db, crew.account.id, free) == len(crew.conversations) - 3
    # With another filter and a search too.
    both = InboxFilter(order="fan", assigned_to="ana", query="zzzz-nothing")
    assert inbox.count_conversations(crew.db, crew.account.id, both) == 0


def test_known_chatters_are_online_owners_and_recent_senders(crew: Team) -> None:
    team.assign(crew.db, crew.account.id, crew.conversations[0], "owner", by="x", now=NOW)
    team.send(crew.db, crew.account.id, crew.fans[crew.conversations[1]], "hi", seen=None,
              by=Sender("Sender", NOW))
    team.send(crew.db, crew.account.id, crew.fans[crew.conversations[1]], "c", seen=None,
              by=Sender("campaigner", NOW), kind="campaign")
    team.beat(crew.db, "app", Beat(crew.account.id, "online"), now=NOW, expiry_seconds=6)
    names = team.known_chatters(crew.db, crew.account.id, now=NOW, expiry_seconds=6)
    assert names.names == ["online", "owner", "Sender"] and not names.roster
    assert Seen().mark is None  # (the default Seen guards against everything by others)


def test_owners_of_many_conversations_is_one_query(crew: Team) -> None:
    """The inbox reads the owners of the conversations it watches at once (it read them
    one query each)."""
    first, second, third = crew.conversations[:3]
    team.assign(crew.db, crew.account.id, first, "sam", by="ana", now=NOW)
    team.assign(crew.db, crew.account.id, third, "ana", by="ana", now=NOW)
    with diagnostics.captured_sql(crew.db) as statements:
        owners = team.owners_of(crew.db, crew.account.id, [first, second, third, third])
    assert len(statements) == 1
    assert {c: (o.chatter, o.assigned_by) for c, o in owners.items()} == {
        first: ("sam", "ana"), third: ("ana", "ana")}
    assert team.owners_of(crew.db, crew.account.id + 1, [first, third]) == {}  # its own only
    with diagnostics.captured_sql(crew.db) as statements:
        assert team.owners_of(crew.db, crew.account.id, []) == {}
    assert statements == []
