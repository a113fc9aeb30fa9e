"""The collision guard: what counts as another chatter's answer, typing order, and a
race of two sends serialised by the database."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ofcrm_tui.core import team
from ofcrm_tui.core.team import Beat, Collision, Seen, Sender, ThreadMark
from ofcrm_tui.core.team import guard as guard_module
from ofcrm_tui.store.enums import Direction
from ofcrm_tui.store.models import Message, OutboundMessage
from tests.team.conftest import NOW, Team


def _queued(crew: Team, fan: int) -> list[tuple[str, str]]:
    with crew.db.read() as session:
        return [tuple(r) for r in session.execute(
            select(OutboundMessage.created_by, OutboundMessage.text)
            .where(OutboundMessage.fan_id == fan).order_by(OutboundMessage.id))]


def test_a_message_another_chatter_queued_after_the_mark_stops_the_reply(crew: Team) -> None:
    conversation = crew.conversations[0]
    fan = crew.fans[conversation]
    drawn = team.thread_mark(crew.db, crew.account.id, conversation)
    team.send(crew.db, crew.account.id, fan, "mine [b]first[/b]", by=Sender("sam", NOW),
              seen=Seen(drawn))
    with pytest.raises(Collision) as caught:
        team.send(crew.db, crew.account.id, fan, "hello", seen=Seen(drawn),
                  by=Sender("ana", NOW + timedelta(seconds=42)))
    assert [(s.chatter, s.text, s.pending) for s in caught.value.sends] == [
        ("sam", "mine [b]first[/b]", True)]
    assert str(caught.value) == "sam queued a message 42 s ago: “mine [b]first[/b]”"
    assert _queued(crew, fan) == [("sam", "mine [b]first[/b]")]
    # Seen since (the thread drawn again): no longer news. The chatter's own rows never are.
    seen = Seen(team.thread_mark(crew.db, crew.account.id, conversation))
    team.send(crew.db, crew.account.id, fan, "hello", by=Sender("ana", NOW), seen=seen)
    team.send(crew.db, crew.account.id, fan, "again", by=Sender("ana", NOW), seen=seen)
    assert len(_queued(crew, fan)) == 3


def test_messages_sent_outside_ofcrm_count_and_campaign_rows_do_not(crew: Team) -> None:
    conversation = crew.conversations[1]
    fan = crew.fans[conversation]
    drawn = team.thread_mark(crew.db, crew.account.id, conversation)
    team.send(crew.db, crew.account.id, fan, "campaign", by=Sender("bob", NOW), seen=None,
              kind="campaign")
    team.send(crew.db, crew.account.id, fan, "ok", by=Sender("ana", NOW), seen=Seen(drawn))
    with crew.db.write() as session:  # sent on the platform's site, then synced
        session.add(Message(
            account_id=crew.account.id, conversation_id=conversation, fan_id=fan,
            platform_message_id=drawn.platform_message_id + 1, direction=Direction.OUTBOUND,
            text="from the website", created_at=NOW - timedelta(seconds=5), sent_by=None))
    with pytest.raises(Collision, match="someone outside ofcrm sent a message 5 s ago"):
        team.send(crew.db, crew.account.id, fan, "x", by=Sender("ana", NOW), seen=Seen(drawn))


def test_the_command_lines_window(crew: Team) -> None:
    fan = crew.fans[crew.conversations[2]]
    team.send(crew.db, crew.account.id, fan, "earlier", by=Sender("sam", NOW), seen=None)
    window = Seen(window_seconds=120)
    with pytest.raises(Collision, match="sam queued a message 2 min ago"):
        team.send(crew.db, crew.account.id, fan, "x", seen=window,
                  by=Sender("ana", NOW + timedelta(seconds=120)))
    team.send(crew.db, crew.account.id, fan, "later", seen=window,
              by=Sender("ana", NOW + timedelta(seconds=121)))


def _typing(crew: Team, app_id: str, chatter: str, conversation: int, since_s: float) -> None:
    at = NOW + timedelta(seconds=since_s)
    team.beat(crew.db, app_id, Beat(crew.account.id, chatter, conversation, at), now=NOW,
              expiry_seconds=6)


def test_the_first_to_type_holds_the_conversation(crew: Team) -> None:
    conversation = crew.conversations[3]
    fan = crew.fans[conversation]
    mark = team.thread_mark(crew.db, crew.account.id, conversation)
    _typing(crew, "sam-app", "sam", conversation, 0)
    _typing(crew, "ana-app", "ana", conversation, 1)
    with pytest.raises(Collision, match="^sam is typing to this fan$"):
        team.send(crew.db, crew.account.id, fan, "x", seen=Seen(mark),
                  by=Sender("ana", NOW, app_id="ana-app"))
    # The command line types nowhere: anyone typing stops it.
    with pytest.raises(Collision, match="ana, sam are typing"):
        team.send(crew.db, crew.account.id, fan, "x", by=Sender("bob", NOW), seen=Seen(mark))
    # Sam started first: sam's send goes, and sam stops typing in the same transaction.
    team.send(crew.db, crew.account.id, fan, "sam's", seen=Seen(mark),
              by=Sender("sam", NOW, app_id="sam-app"))
    view = team.beat(crew.db, "bob-app", Beat(crew.account.id, "bob"), now=NOW,
                     expiry_seconds=6)
    assert view.on(conversation) == (team.Present("ana", conversation, True),
                                     team.Present("sam", conversation, False))
    with pytest.raises(Collision, match="^sam queued a message"):
        team.send(crew.db, crew.account.id, fan, "x", seen=Seen(mark),
                  by=Sender("ana", NOW, app_id="ana-app"))


def test_a_lapsed_typist_does_not_count(crew: Team) -> None:
    conversation = crew.conversations[4]
    _typing(crew, "sam-app", "sam", conversation, 0)
    later = Sender("ana", NOW + timedelta(seconds=7))
    team.send(crew.db, crew.account.id, crew.fans[conversation], "x", by=later,
              seen=Seen(team.thread_mark(crew.db, crew.account.id, conversation)))


def test_two_sends_at_once_one_goes_one_is_stopped(
    crew: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads, then waits a moment before the insert: without the lock that
    makes sends to one fan take turns, both would find nothing and both would queue."""
    conversation = crew.conversations[5]
    fan = crew.fans[conversation]
    mark = team.thread_mark(crew.db, crew.account.id, conversation)
    slow = guard_module._other_rows

    def other_rows(*args: object, **kwargs: object) -> list[team.OtherSend]:
        found = slow(*args, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.3)
        return found

    monkeypatch.setattr(guard_module, "_other_rows", other_rows)
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def send(chatter: str) -> None:
        start.wait()
        try:
            results[chatter] = team.send(crew.db, crew.account.id, fan, f"from {chatter}",
                                         by=Sender(chatter, NOW), seen=Seen(mark))
        except Collision as exc:
            results[chatter] = exc

    threads = [threading.Thread(target=send, args=(name,)) for name in ("ana", "sam")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    stopped = [name for name, result in results.items() if isinstance(result, Collision)]
    assert len(stopped) == 1 and len(results) == 2
    sent = [name for name in results if name not in stopped]
    assert _queued(crew, fan) == [(sent[0], f"from {sent[0]}")]
    assert str(results[stopped[0]]).startswith(f"{sent[0]} queued a message")


def test_a_thread_mark_is_the_newest_message_and_queue_row(crew: Team) -> None:
    conversation = crew.conversations[0]
    with crew.db.read() as session:
        newest = session.scalar(select(func.max(Message.platform_message_id)).where(
            Message.conversation_id == conversation))
    assert team.thread_mark(crew.db, crew.account.id, conversation) == ThreadMark(newest, 0)
    row = team.send(crew.db, crew.account.id, crew.fans[conversation], "x",
                    by=Sender("ana", NOW), seen=None)
    assert team.thread_mark(crew.db, crew.account.id, conversation) == ThreadMark(newest, row)
    assert team.thread_mark(crew.db, crew.account.id + 1, conversation) == ThreadMark()
    with crew.db.write() as session:
        session.execute(update(OutboundMessage).values(state="cancelled"))
    # A cancelled row is nothing sent.
    team.send(crew.db, crew.account.id, crew.fans[conversation], "y", by=Sender("sam", NOW),
              seen=Seen(ThreadMark(newest, 0)))
