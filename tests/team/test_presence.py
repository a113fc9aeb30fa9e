"""Presence rows: one statement a beat, what the others see, lapses and leaving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select

from ofcrm_tui.core import team
from ofcrm_tui.core.fans import edits
from ofcrm_tui.core.team import Beat, Present
from ofcrm_tui.core.team.chatters import team_day
from ofcrm_tui.core.team.presence import FORGET_AFTER, online
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import OutboundMessage, TeamPresence
from tests.team.conftest import NOW, Team

EXPIRY = 6.0


def _beat(t: Team, app_id: str, chatter: str, conversation: int | None = None, *,
          typing: bool = False, seconds: float = 0) -> team.TeamView:
    now = NOW + timedelta(seconds=seconds)
    report = Beat(t.account.id, chatter, conversation, now if typing else None)
    return team.beat(t.db, app_id, report, now=now, expiry_seconds=EXPIRY)


def test_a_beat_sees_the_other_chatters_live_rows_only(crew: Team) -> None:
    first, second = crew.conversations[:2]
    assert _beat(crew, "app-a", "ana", first).present == ()
    view = _beat(crew, "app-s", "sam", first, typing=True)
    assert view.present == (Present("ana", first, False),)
    _beat(crew, "app-s2", "sam", second)  # sam in a second app, on another conversation
    _beat(crew, "app-a2", "ana", second)  # ana's own other app: never "someone else"
    view = _beat(crew, "app-a", "ana", first, seconds=1)
    assert view.present == (Present("sam", first, True), Present("sam", second, False))
    assert view.on(first) == (Present("sam", first, True),)
    assert view.by_conversation() == {first: (Present("sam", first, True),),
                                      second: (Present("sam", second, False),)}
    # Sam's apps stop beating: after the expiry they are gone for ana.
    assert _beat(crew, "app-a", "ana", first, seconds=EXPIRY + 0.5).present == ()


def test_one_chatter_in_two_apps_on_one_conversation_shows_once_typing_if_either(
    crew: Team,
) -> None:
    first = crew.conversations[0]
    _beat(crew, "s1", "sam", first)
    _beat(crew, "s2", "sam", first, typing=True)
    assert _beat(crew, "a", "ana").present == (Present("sam", first, True),)


def test_a_beat_is_one_statement(crew: Team) -> None:
    _beat(crew, "app-s", "sam", crew.conversations[0])
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(crew.db.engine, "before_cursor_execute", record)
    try:
        view = _beat(crew, "app-a", "ana")
    finally:
        event.remove(crew.db.engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "team_presence" in statements[0]
    assert view.present == (Present("sam", crew.conversations[0], False),)


def test_leaving_deletes_the_row_and_rows_long_lapsed(crew: Team) -> None:
    first = crew.conversations[0]
    _beat(crew, "old", "zoe", first, seconds=-FORGET_AFTER.total_seconds() - 10)
    _beat(crew, "recent", "bob", first, seconds=-EXPIRY * 2)  # lapsed, not for long
    _beat(crew, "sam-app", "sam", first)
    team.leave(crew.db, "sam-app", crew.account.id, now=NOW)
    with crew.db.read() as session:
        left = set(session.scalars(select(TeamPresence.app_id)))
    assert left == {"recent"}


def test_online_and_the_day_of_each_chatter(crew: Team) -> None:
    first, second = crew.conversations[:2]
    _beat(crew, "s1", "sam", first, typing=True)
    _beat(crew, "s2", "sam", second, seconds=1)
    _beat(crew, "a1", "ana", seconds=2)
    found = {o.chatter: o for o in online(crew.db, crew.account.id, now=NOW + timedelta(
        seconds=2), expiry_seconds=EXPIRY)}
    assert set(found) == {"sam", "ana"}
    assert (found["sam"].apps, found["sam"].conversation_id, found["sam"].typing) == (
        2, first, True)
    assert found["sam"].fan_username and found["ana"].conversation_id is None
    for fan, chatter in ((crew.fans[first], "sam"), (crew.fans[second], "sam"),
                         (crew.fans[second], "bob")):
        team.send(crew.db, crew.account.id, fan, "hi", by=team.Sender(chatter, NOW), seen=None)
    # A message that failed was not a send (it counts again once retried and sent).
    failed = team.send(crew.db, crew.account.id, crew.fans[first], "no", by=team.Sender("bob", NOW),
                       seen=None)
    with crew.db.write() as session:
        session.get(OutboundMessage, failed).state = OutboundState.FAILED
    days = team_day(crew.db, crew.account.id, now=NOW + timedelta(seconds=2),
                    day_start=NOW - timedelta(hours=12), expiry_seconds=EXPIRY)
    assert [(d.chatter, d.online is not None, d.sends) for d in days] == [
        ("sam", True, 2), ("ana", True, 0), ("bob", False, 1)]
    with crew.db.read() as session:
        assert session.scalar(select(func.count()).select_from(TeamPresence)) == 3


def test_a_beat_on_a_conversation_deleted_meanwhile_beats_on_none(crew: Team) -> None:
    """Another chatter deleted the open conversation's fan: the beat goes on, on none."""
    first = crew.conversations[0]
    _beat(crew, "app-a", "ana", first)
    edits.delete_fan(crew.db, crew.account.id, crew.fans[first])
    _beat(crew, "app-a", "ana", first, seconds=1)
    assert _beat(crew, "app-s", "sam", seconds=1).present == (Present("ana", None, False),)
