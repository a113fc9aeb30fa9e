"""Fan detail: opened from the inbox, nickname, tags and notes edited by keyboard,
saved at once, read back after a restart and shown by the inbox on its next reload."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.geometry import Region
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.jobs.events import PollCompleted
from ofcrm_tui.store.models import Message, Note
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.screens.fan_detail import PAGE, FanDetailScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.timefmt import short_time, stamp
from tests.tui.conftest import HOSTILE, NOW, World
from tests.tui.pilot import conversations, inbox, lines, press, settle, type_text, wait_for

pytestmark = pytest.mark.anyio


async def open_from_inbox(pilot) -> FanDetailScreen:  # noqa: ANN001
    await press(pilot, "enter")  # the top conversation
    await wait_for(pilot, lambda: inbox(pilot).open_row is not None)
    await press(pilot, "i")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None)
    return detail


@pytest.mark.slow
async def test_edit_nickname_tag_and_note_from_the_inbox(world: World) -> None:
    db, account = world.context.db, world.account.id
    edits.add_tags(db, account, edits.create_fan(db, account, username="someone"), ["whale"])
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        fan_id = detail.fan_id
        # nickname
        await press(pilot, "n")
        line = detail.query_one("#fan-edit", Input)
        assert line.has_focus
        line.value = ""
        await type_text(pilot, "Big Spender")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.nickname == "Big Spender")
        # a tag, completed from an existing one
        await press(pilot, "t", "w", "h")
        await wait_for(pilot, lambda: line._suggestion == "whale")
        await press(pilot, "right", "enter")
        await wait_for(pilot, lambda: detail.detail.profile.tags == ("whale",))
        await press(pilot, "t")
        await type_text(pilot, "new one")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.tags == ("new one", "whale"))
        await press(pilot, "T", "enter")  # remove the first one
        await wait_for(pilot, lambda: detail.detail.profile.tags == ("whale",))
        # a note, then an edit of it
        await press(pilot, "a")
        assert isinstance(pilot.app.screen, NoteDialog)
        await type_text(pilot, "likes cats")
        await press(pilot, "enter")
        await type_text(pilot, "and ")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: len(detail.notes) == 1)
        assert detail.notes[0].body == "likes cats\nand " and detail.notes[0].author == "tester"
        assert "tester" in str(detail.query_one("#fan-notes").render())
        await press(pilot, "e")  # the only note: no question which
        await type_text(pilot, "dogs")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: detail.notes and detail.notes[0].body.endswith("dogs"))
        # back in the inbox, the list shows the nickname
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, InboxScreen)
        await wait_for(pilot, lambda: "Big Spender" in "\n".join(lines(conversations(pilot))))
    # saved: read back by a new reader
    shown = profile.fan_profile(db, account, fan_id)
    assert (shown.nickname, shown.tags) == ("Big Spender", ("whale",))
    assert [n.body for n in profile.notes_page(db, account, fan_id)] == ["likes cats\nand dogs"]


async def test_detail_survives_a_restart_and_shows_notes_literally(world: World) -> None:
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        fan_id = detail.fan_id
    with db.write() as session:  # past the note rules (no control characters), as if old
        session.add(Note(account_id=account, fan_id=fan_id, author="[i]x[/i]", body=HOSTILE))
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        assert detail.fan_id == fan_id
        notes = str(detail.query_one("#fan-notes").render())
        assert "[bold red]look[/bold red]" in notes and "␛[31mred" in notes and "[i]x[/i]" in notes
        assert "\x1b" not in notes
        await press(pilot, "c")  # back to the conversation
        assert isinstance(pilot.app.screen, InboxScreen)
        assert inbox(pilot).open_row.fan_id == fan_id


async def test_fan_key_takes_the_highlighted_row_and_needs_one(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        second = conversations(pilot).row_at(1)
        await press(pilot, "j", "i")  # nothing open: the row under the cursor
        assert isinstance(pilot.app.screen, FanDetailScreen)
        assert pilot.app.screen.fan_id == second.fan_id
        await press(pilot, "escape", "slash")
        await type_text(pilot, "no such words anywhere")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: conversations(pilot).counted)
        assert conversations(pilot).count == 0
        await press(pilot, "i")
        assert isinstance(pilot.app.screen, InboxScreen)
        assert any("Open a conversation first" in n.message for n in pilot.app._notifications)


async def _fan_writes(world: World, pilot, platform_user_id: int, text: str) -> object:  # noqa: ANN001
    """The fan writes; a poll brings it in and the app hears of it as from its jobs."""
    message_id = world.sim.add_inbound_message(platform_user_id, text)
    report = await asyncio.to_thread(world.poll)
    pilot.app.job_event(PollCompleted(world.account.id, report))
    with world.context.db.read() as session:
        return session.scalar(select(Message.created_at).where(Message.platform_message_id == message_id))


@pytest.mark.parametrize("away", [False, True])
async def test_a_new_message_moves_last_seen_on_the_open_detail(world: World, away: bool) -> None:
    """On the detail, or on another screen meanwhile (the detail stays on the inbox's
    stack): the detail shows the fan's new message and last seen."""
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        before = detail.detail.profile.last_seen_at
        if away:
            await press(pilot, "2")
            assert not detail.is_current
        at = await _fan_writes(world, pilot, detail.detail.profile.platform_user_id, "are you up?")
        assert before is None or at > before
        if away:
            await settle(pilot)
            assert detail.detail.profile.last_seen_at == before  # nothing read while away
            await press(pilot, "1")
            assert pilot.app.screen is detail
        await wait_for(pilot, lambda: detail.detail.profile.last_seen_at == at)
        shown = str(detail.query_one("#fan-profile").render())
        assert f"Last seen       {stamp(at, pilot.app.clock())}" in shown, shown
        assert "fan: are you up?" in str(detail.query_one("#fan-messages").render())


async def test_tab_in_the_tag_line_completes_the_last_tag_or_stays(world: World) -> None:
    """Tab with nothing to complete keeps the focus in the tag line (letters stay typed,
    not the screen's shortcuts); after a comma it completes the tag being typed."""
    db, account = world.context.db, world.account.id
    edits.add_tags(db, account, edits.create_fan(db, account, username="someone"), ["whale", "vip"])
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        await press(pilot, "t")
        line = detail.query_one("#fan-edit", Input)
        await press(pilot, "tab")
        assert line.has_focus
        await type_text(pilot, "vip, a")
        assert line.has_focus and pilot.app.screen is detail and line.value == "vip, a"
        await press(pilot, "backspace", "w")
        await wait_for(pilot, lambda: line._suggestion == "vip, whale")
        await press(pilot, "tab")
        assert line.value == "vip, whale" and line.has_focus
        # typed with the # the app shows tags with: completed, the # kept as typed
        await press(pilot, *["backspace"] * len("whale"), "#", "w")
        await wait_for(pilot, lambda: line._suggestion == "vip, #whale")
        await press(pilot, "tab")
        assert line.value == "vip, #whale"
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.tags == ("vip", "whale"))


async def test_a_tag_added_gives_the_focus_back_to_the_pane_it_came_from(
    world: World,
) -> None:
    """QA (80x24): tab to the notes, ``t abc`` Enter: the focus went back to the left
    pane; it stays on the notes (and on the left one where ``t`` came from there)."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        right = detail.query_one("#fan-right")
        await press(pilot, "tab")
        assert right.has_focus
        await press(pilot, "t", "a", "b", "c", "enter")
        await wait_for(pilot, lambda: "abc" in detail.detail.profile.tags)
        assert right.has_focus
        await press(pilot, "tab", "n", "escape")
        assert detail.query_one("#fan-left").has_focus


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_edit_line_says_what_it_edits(world: World, size: tuple[int, int]) -> None:
    """QA: ``n`` opened a line with the nickname in it and nothing saying what it was
    (the nickname set hides the placeholder); its border names it, and the tag's."""
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        line = detail.query_one("#fan-edit", Input)

        def label() -> str:
            # The line's top border, as drawn.
            return line.render_lines(Region(0, 0, line.outer_size.width, 1))[0].text

        await press(pilot, "n")
        await type_text(pilot, "Big Spender")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.nickname == "Big Spender")
        await press(pilot, "n")
        assert line.has_focus and line.value == "Big Spender"
        assert "Nickname: enter saves" in label()
        await press(pilot, "escape", "t")
        assert line.has_focus and "Tags to add: enter adds" in label()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_footer_names_what_esc_does_while_the_edit_line_is_open(
    world: World, size: tuple[int, int]
) -> None:
    """The footer said "esc Back" with the nickname or tag line open, where Esc closes
    the line and the fan's screen stays: it says "Cancel edit" there, "Back" again once
    the line is closed (by Esc or Enter)."""
    async with world.app().run_test(size=size) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)

        def esc() -> list[str]:
            return [key.description for key in detail.query(FooterKey) if key.key == "escape"]

        assert esc() == ["Back"]
        for key, close in (("n", ("escape",)), ("t", ("escape",)), ("n", ("enter",))):
            await press(pilot, key)
            assert detail.query_one("#fan-edit", Input).has_focus
            assert esc() == ["Cancel edit"], key
            await press(pilot, *close)  # the line closes, nothing else
            assert pilot.app.screen is detail and detail.editing is None
            assert esc() == ["Back"]
        await press(pilot, "escape")  # back from the fan
        assert isinstance(pilot.app.screen, InboxScreen)


async def test_a_tag_typed_in_another_case_is_the_existing_tag(world: World) -> None:
    """``VIP`` typed (the completion offered ``vip``, but enter takes what was typed)
    tags the fan with the account's ``vip``; no second spelling is made."""
    db, account = world.context.db, world.account.id
    edits.add_tags(db, account, edits.create_fan(db, account, username="someone"), ["vip"])
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        await press(pilot, "t")
        await type_text(pilot, "VIP")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.tags == ("vip",))
    assert edits.tag_completions(db, account, "") == ["vip"]


async def test_a_new_nickname_renames_the_open_conversation_without_reopening_it(
    world: World,
) -> None:
    """Back in the inbox after a nickname change, the open thread's header, its
    message labels, the reply box's title and ``@``'s title name the fan anew; the
    thread's messages are not read again."""
    from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
    from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
    from tests.tui.pilot import composer, thread

    async with world.app().run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        old_name = detail.detail.profile.display_name
        await press(pilot, "n")
        detail.query_one("#fan-edit", Input).value = ""
        await type_text(pilot, "Big Spender")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: detail.detail.profile.nickname == "Big Spender")
        await press(pilot, "escape")
        screen = inbox(pilot)
        generation = thread(pilot).generation
        await wait_for(pilot, lambda: screen.open_row.display_name == "Big Spender")
        assert "Big Spender" in "\n".join(lines(screen.query_one(ThreadHeader)))
        labels = "\n".join(strip.text for strip in thread(pilot).strips.lines)
        assert "Big Spender" in labels and old_name not in labels
        assert str(composer(pilot).border_title) == "Reply to Big Spender"
        assert thread(pilot).generation == generation  # not opened again
        await press(pilot, "tab", "at")  # from the thread: the open conversation
        assert isinstance(pilot.app.screen, ChoiceDialog)
        assert pilot.app.screen.title_text == "Assign Big Spender to"


async def test_last_messages_name_the_chatter_who_sent_each(world: World) -> None:
    """Another chatter's message is theirs by name, as in the thread; the chatter's own
    (and one sent outside ofcrm) are "you"."""
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        fan = detail.detail.profile
        with world.context.db.write() as session:
            first = session.scalars(select(Message).where(Message.fan_id == fan.fan_id)).first()
            for number, (who, text) in enumerate(
                    (("sam", "hi from sam"), ("tester", "hi from me"), (None, "from the web"))):
                session.add(Message(
                    account_id=world.account.id, conversation_id=first.conversation_id,
                    fan_id=fan.fan_id, platform_message_id=9_000_000 + number, direction="out",
                    text=text, created_at=first.created_at, sent_by=who))
        await press(pilot, "escape")
        await press(pilot, "i")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None and any(
            m.text == "from the web" for m in detail.detail.messages))
        shown = str(detail.query_one("#fan-messages").render())
        assert "sam: hi from sam" in shown and "you: hi from me" in shown, shown
        assert "you: from the web" in shown and "you: hi from sam" not in shown


async def test_a_note_edited_by_someone_else_meanwhile_keeps_both_texts(world: World) -> None:
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        note = edits.add_note(db, account, detail.fan_id, "hold firm", author="ana")
        await press(pilot, "escape")
        await press(pilot, "i")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == 1)
        await press(pilot, "e")  # the only note: no question which
        dialog = pilot.app.screen
        assert isinstance(dialog, NoteDialog)
        edits.edit_note(db, account, note.id, "hold firm (sam agrees)", by="sam")  # meanwhile
        await type_text(pilot, " - ana v2")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: len(profile.notes_page(db, account, detail.fan_id)) == 2)
        bodies = {n.body for n in profile.notes_page(db, account, detail.fan_id)}
        assert bodies == {"hold firm (sam agrees)", "hold firm - ana v2"}
        await wait_for(pilot, lambda: any(
            "yours is saved as a new note" in n.message for n in pilot.app._notifications))


async def test_a_note_saved_by_someone_else_says_so_on_one_line_at_80x24(world: World) -> None:
    """sam's note saved here (the chatter "tester", a manager on a team's database): under
    its time and sam, who edited it and when, each on a line of its own at 80x24."""
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        edits.add_note(db, account, detail.fan_id, "calls on sundays", author="sam")
        await press(pilot, "escape", "i")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == 1)
        await press(pilot, "e")  # the only note
        assert isinstance(pilot.app.screen, NoteDialog)
        await type_text(pilot, " only")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: detail.notes and detail.notes[0].edited_by == "tester")
        note = detail.notes[0]
        await settle(pilot)
        assert lines(detail.query_one("#fan-notes"))[1:4] == [
            f"{stamp(note.created_at, NOW)} · sam", f"edited by tester {stamp(note.edited_at, NOW)}",
            "calls on sundays only"]


async def test_j_and_k_scroll_the_fans_detail_without_a_tab_first(world: World) -> None:
    """At 80x24 the lifetime value, tags and last messages are below the fold: j/k (as
    the arrows) scroll the pane with the focus, the left one as the screen opens, the
    other after a tab; the edit line types them. The footer names the key (the help
    too: ``test_help_keys``)."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await settle(pilot)
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        left, right = detail.query_one("#fan-left"), detail.query_one("#fan-right")
        await wait_for(pilot, lambda: left.max_scroll_y > 3)
        await press(pilot, "j", "j", "j", "j", "k")
        assert left.scroll_y == 3
        await press(pilot, "down", "up", "up")
        assert left.scroll_y == 2
        detail.set_focus(None)  # (a click on the header) the left pane still
        await press(pilot, "j")
        assert left.scroll_y == 3
        await press(pilot, "t", "j", "k")
        assert detail.query_one("#fan-edit", Input).value == "jk" and left.scroll_y == 3
        await press(pilot, "ctrl+u", "escape")
        await wait_for(pilot, lambda: detail.editing is None)
        for _ in range(PAGE):  # purchases enough for the right pane to scroll
            detail.purchases.append(detail.purchases[0])
        detail._draw()
        await wait_for(pilot, lambda: right.max_scroll_y > 0)
        await press(pilot, "tab", "j")
        assert right.has_focus and right.scroll_y == 1 and left.scroll_y == 3
        footer = [key.description for key in detail.query(FooterKey) if key.display]
        assert "Scroll" in footer


async def test_a_purchases_description_shows_at_80x24(world: World) -> None:
    """At 80 columns a purchase's line ended ``22 Nov 21:19 $14.99 subscripti…``: the
    day alone and narrower columns leave its description the room to show."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await settle(pilot)
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        older = NOW - timedelta(days=40)
        detail.purchases = [
            profile.Purchase(1, older, "subscription", 14_99, 11_99, "Renewal", "ok"),
            profile.Purchase(2, older, "post", 4_99, 3_99, "Beach set", "ok"),
            profile.Purchase(3, older, "message", 1_234_00, 987_20, "Bundle", "ok")]
        detail._draw()  # noqa: SLF001
        await settle(pilot)
        shown = [line.strip() for line in lines(detail.query_one("#fan-purchases"))]
        day = short_time(older, pilot.app.clock())
        assert f"{day}    $14.99 sub  Renewal" in shown
        assert f"{day}     $4.99 post Beach set" in shown
        assert f"{day} $1,234.00 PPV  Bundle" in shown
