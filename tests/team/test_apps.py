"""Two chatters' apps on one database (SQLite file and PostgreSQL): presence and typing,
the collision guard, a race of two sends, assignment and its filters."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from ofcrm_tui.core import team
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.models import OutboundMessage
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.tui import presence as presence_module
from ofcrm_tui.tui import status_read
from ofcrm_tui.tui.dialogs.collision import CollisionDialog
from ofcrm_tui.tui.dialogs.owned import OwnedDialog
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.team.conftest import NOW, Team
from tests.tui.pilot import (
    burst, composer, conversations, inbox, lines, press, settle, thread, wait_for,
)

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


async def keys(pilot: Pilot[object], *keys: str) -> None:
    """Press ``keys`` (settling once, after them all)."""
    await pilot.press(*keys)
    await settle(pilot)


async def beats(*pilots: Pilot[object]) -> None:
    """Each app beats in turn: it writes what it does and reads what the others do."""
    for pilot in pilots:
        pilot.app.presence.beat()  # type: ignore[attr-defined]
        await settle(pilot)


def header(pilot: Pilot[object]) -> str:
    return inbox(pilot).query_one(ThreadHeader).render().plain


def row_lines(pilot: Pilot[object], index: int) -> str:
    shown = lines(conversations(pilot))
    return " | ".join(shown[2 * index: 2 * index + 2])


def queued(crew: Team) -> list[tuple[str, str]]:
    with crew.db.read() as session:
        return [tuple(r) for r in session.execute(
            select(OutboundMessage.created_by, OutboundMessage.text).order_by(OutboundMessage.id))]


async def test_presence_and_typing_appear_and_clear(crew: Team) -> None:
    ana, sam = crew.app("ana"), crew.app("sam")
    async with ana.run_test(size=SIZE) as a, sam.run_test(size=SIZE) as s:
        await press(s, "enter")  # sam opens the first conversation
        await beats(s, a)
        assert "●sam" in row_lines(a, 0) and "●" not in row_lines(a, 1)
        await press(a, "enter")  # ana opens it too
        assert "sam is viewing" in header(a)
        await press(s, "r", "h", "i")  # sam types
        await beats(a)
        assert "sam is typing…" in header(a) and "●sam…" in row_lines(a, 0)
        assert "ana is viewing" in header(s)  # (sam's beats read ana's row)
        crew.clock.advance(presence_module.TYPING_SECONDS)  # no key since: typing ends
        sam.presence.check_typing()
        await settle(s)
        await beats(a)
        assert "sam is viewing" in header(a)
        await press(s, "escape", "j", "enter")  # sam moves to the next conversation
        await beats(a)
        assert "sam" not in header(a) and "●sam" in row_lines(a, 1)
        # Sam's unsent "hi" is sam's draft: not in ana's composer, nor marked in her list.
        await press(a, "j", "k", "enter")
        assert composer(a).text == "" and "✎" not in row_lines(a, 0)
        await press(s, "k", "enter")
        assert composer(s).text == "hi" and "✎" in row_lines(s, 0)
        await press(s, "j", "enter")
        await press(s, "q")  # sam quits: the row goes with the app
        await settle(s)
        await beats(a)
        assert "●" not in " ".join(lines(conversations(a)))
        assert sam.return_code == 0


def collision_text(pilot: Pilot[object]) -> str:
    dialog = pilot.app.screen
    assert isinstance(dialog, CollisionDialog), dialog
    return str(dialog.query_one("#collision-text").render())


@pytest.mark.slow
async def test_the_guard_asks_about_what_was_sent_since_the_thread_was_drawn_and_races(
    crew: Team, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each app would draw the other's sends on its own within a status interval (and
    # then knows of them): here both send within one.
    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 3600.0)
    ana, sam = crew.app("ana"), crew.app("sam")
    async with ana.run_test(size=SIZE) as a, sam.run_test(size=SIZE) as s:
        await press(a, "enter")  # ana's thread is drawn
        await press(s, "enter", "r")
        await keys(s, *"[b]mine[/b]", "ctrl+s")  # then sam replies
        assert queued(crew) == [("sam", "[b]mine[/b]")]
        await press(a, "r")
        await keys(a, *"hello", "ctrl+s")
        shown = collision_text(a)
        assert "sam queued a message 0 s ago:" in shown and "│ [b]mine[/b]" in shown
        await press(a, "d")  # keep it as a draft: nothing queued, nothing lost
        assert composer(a).text == "hello" and len(queued(crew)) == 1
        # The thread has been drawn again with sam's message in it: now it goes.
        await press(a, "ctrl+s")
        assert queued(crew)[-1] == ("ana", "hello") and composer(a).text == ""
        # Sam's thread was drawn before ana's reply: sam is asked, and sends anyway.
        await keys(s, *"more", "ctrl+s")
        assert "ana queued a message 0 s ago:" in collision_text(s)
        await press(s, "s")
        assert queued(crew)[-1] == ("sam", "more")
        await keys(a, *"bye", "ctrl+s")
        assert "sam queued a message" in collision_text(a)
        await press(a, "x")  # discard
        assert composer(a).text == "" and [w for w, _ in queued(crew)] == ["sam", "ana", "sam"]
        # Both reply to the next fan at once: one send goes, the other is asked.
        await press(a, "escape", "j", "enter", "r")
        await keys(a, *"from ana")
        await press(s, "escape", "j", "enter", "r")
        await keys(s, *"from sam")
        await beats(a, s)
        await a.press("ctrl+s")  # both sent before either's send is through
        await s.press("ctrl+s")
        await settle(a)
        await settle(s)
        asked = [p for p in (a, s) if isinstance(p.app.screen, CollisionDialog)]
        assert len(asked) == 1 and len(queued(crew)) == 4
        await press(asked[0], "s")  # send anyway
        assert sorted(w for w, _ in queued(crew)[3:]) == ["ana", "sam"]



@pytest.mark.slow
async def test_a_send_made_while_the_chatter_types_is_asked_about_though_the_thread_drew_it(
    crew: Team,
) -> None:
    """The thread draws another chatter's send by itself (the app follows the database),
    but what counts as seen is what it showed when the reply began."""
    async with crew.app("ana").run_test(size=SIZE) as a:
        await press(a, "enter", "r")
        await keys(a, *"hel")  # ana begins her reply
        began = thread(a).mark
        conversation = inbox(a).open_row.conversation_id
        team.send(crew.db, crew.account.id, crew.fans[conversation], "mine",  # sam's app
                  by=team.Sender("sam", utcnow()), seen=None)
        await wait_for(a, lambda: thread(a).mark != began, timeout=10)  # drawn by itself
        await keys(a, *"lo", "ctrl+s")
        assert "sam queued a message" in collision_text(a)
        await press(a, "s")  # send anyway
        assert queued(crew)[-1] == ("ana", "hello")
        await keys(a, *"bye", "ctrl+s")  # a new reply, begun with sam's message in view
        assert queued(crew)[-1] == ("ana", "bye")


async def test_assignment_its_filters_and_the_question_before_typing(crew: Team) -> None:
    ana, sam = crew.app("ana"), crew.app("sam")
    everyone = len(crew.conversations)
    async with ana.run_test(size=SIZE) as a, sam.run_test(size=SIZE) as s:
        await press(s, "enter")  # sam is online: a chatter ana can pick
        await beats(s, a)
        await press(a, "at", "j", "enter")  # the first conversation to sam
        assert "→sam" in row_lines(a, 0)
        await beats(s)  # sam's next beat sees the assignments move: the list reloads
        await settle(s)
        assert "→you" in row_lines(s, 0) and "→you" in header(s)
        await press(s, "m")
        assert conversations(s).count == 1
        assert str(conversations(s).border_title) == "Inbox  1 · mine"
        await press(s, "m")
        assert conversations(s).count == everyone - 1
        assert str(conversations(s).border_title) == f"Inbox  {everyone - 1:,} · unassigned"
        await press(s, "m")
        assert conversations(s).count == everyone
        # Ana types into sam's conversation: asked first, and takes it.
        await press(a, "enter", "r")
        assert isinstance(a.app.screen, OwnedDialog)
        await press(a, "t")  # a letter: the reply's, kept
        assert isinstance(a.app.screen, OwnedDialog) and a.app.screen.typed == "t"
        await press(a, "ctrl+t")  # take it
        assert composer(a).has_focus and "→you" in header(a)
        await beats(s)
        await settle(s)
        assert "→ana" in row_lines(s, 0) and "→ana" in header(s)
        await a.app.run_action("screen.unassign")
        # Each list follows on its own (a loaded machine drew ana's a moment later).
        await wait_for(a, lambda: "→" not in row_lines(a, 0))
        await beats(s)
        await wait_for(s, lambda: "→" not in row_lines(s, 0) + header(s))


async def test_a_reply_typed_and_sent_in_one_burst_still_asks_about_the_owner(
    crew: Team,
) -> None:
    ana, sam = crew.app("ana"), crew.app("sam")
    async with ana.run_test(size=SIZE) as a, sam.run_test(size=SIZE) as s:
        await press(s, "enter")  # sam is online: a chatter ana can pick
        await beats(s, a)
        await press(a, "at", "j", "enter")  # the first conversation to sam
        assert "→sam" in row_lines(a, 0)
        before = queued(crew)
        burst(a.app, "enter", "r", *"mine now", "ctrl+s")
        await settle(a)
        assert isinstance(a.app.screen, OwnedDialog)
        assert queued(crew) == before
        await press(a, "ctrl+g")  # reply anyway
        assert composer(a).text == "mine now"
        await press(a, "ctrl+s")
        assert queued(crew)[len(before):] == [("ana", "mine now")]



@pytest.mark.parametrize("unassigner", ["ana", "sam"])
async def test_reply_anyway_is_asked_again_once_the_conversation_left_its_owner(
    crew: Team, unassigner: str,
) -> None:
    """QA: ana chose Reply anyway on sam's conversation, unassigned it, sam took it again:
    ana's next reply went with no question. It holds while the conversation stays with
    sam, not once it comes back to him; also when sam let it go while ana was on another
    conversation."""
    ana, sam = crew.app("ana"), crew.app("sam")
    async with ana.run_test(size=SIZE) as a, sam.run_test(size=SIZE) as s:
        await press(s, "enter")  # sam is online: a chatter ana can pick
        await beats(s, a)
        await press(a, "at", "j", "enter")  # the first conversation to sam
        await press(a, "enter", "r", "h")
        assert isinstance(a.app.screen, OwnedDialog)
        await press(a, "ctrl+g")  # reply anyway
        await press(a, "escape")  # to the list; the reply stays as a draft
        if unassigner == "ana":
            await a.app.run_action("screen.unassign")
            await wait_for(a, lambda: "→" not in row_lines(a, 0))
        else:
            await press(a, "j", "enter")  # ana reads another conversation
            await beats(s)
            await s.app.run_action("screen.unassign")
        await beats(s, a)
        await wait_for(s, lambda: "→" not in header(s))
        await wait_for(a, lambda: "→" not in row_lines(a, 0))
        await s.app.run_action("screen.assign_me")
        await wait_for(s, lambda: "→you" in header(s))
        await beats(a)
        await wait_for(a, lambda: "→sam" in row_lines(a, 0))
        if unassigner == "sam":
            await press(a, "escape", "k", "enter")
        assert "→sam" in header(a)
        await press(a, "r", "i")
        assert isinstance(a.app.screen, OwnedDialog)


async def test_the_owners_watched_are_read_again_in_one_query(crew: Team) -> None:
    """A beat that sees the assignments move reads again the owner of the open
    conversation and of each one the chatter chose to reply to anyway: one query for
    them all (it was one each)."""
    first, second, third = crew.conversations[:3]
    ana = crew.app("ana")
    async with ana.run_test(size=SIZE) as a:
        await press(a, "enter")  # ana opens the first conversation
        await beats(a)  # the assignments' version ana's app starts from
        screen = inbox(a)
        screen._owner_ok.update({second: "sam", third: "sam"})  # "reply anyway" to sam's
        for conversation, chatter in ((first, "sam"), (second, "sam"), (third, "bob")):
            team.assign(crew.db, crew.account.id, conversation, chatter, by="sam", now=NOW)
        with diagnostics.captured_sql(ana.context.db) as statements:
            await beats(a)
            await wait_for(a, lambda: third not in screen._owner_ok)
        assert "→sam" in header(a)
        assert screen._owner_ok == {second: "sam"}  # bob's now: asked again
        # (The list's own query reads each row's owner in a subquery, of its rows.)
        reads = [s for s, _ in statements if s.startswith("SELECT conversation_assignments.")]
        assert len(reads) == 1, reads
