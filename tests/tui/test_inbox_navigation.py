"""Filters, search with n/N, and next unread, over the virtual conversation list."""

from __future__ import annotations

import asyncio
import threading

import pytest
from rich.text import Text
from sqlalchemy import select
from textual.geometry import Region
from textual.widgets import LoadingIndicator

from ofcrm_tui.core import inbox
from ofcrm_tui.core.inbox import InboxFilter
from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.store.models import Conversation, Fan, FanTag, Tag
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.inbox_list import fit_title
from ofcrm_tui.tui.widgets import thread_view as thread_view_module
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import World
from tests.tui.pilot import composer, conversations, lines, press, settle
from tests.tui.pilot import inbox as inbox_screen
from tests.tui.pilot import thread as thread_view

pytestmark = pytest.mark.anyio


def visible_rows(pilot) -> list[inbox.ConversationRow]:  # noqa: ANN001 - a Pilot
    rows = conversations(pilot)
    return [rows.row_at(i) for i in range(rows.count) if rows.row_at(i) is not None]


def tag_two_fans(world: World) -> set[int]:
    with world.context.db.write() as session:
        tag = Tag(account_id=world.account.id, name="vip")
        session.add(tag)
        session.flush()
        fan_ids = session.scalars(
            select(Conversation.fan_id).where(Conversation.account_id == world.account.id).limit(2)
        ).all()
        for fan_id in fan_ids:
            session.add(FanTag(fan_id=fan_id, tag_id=tag.id, account_id=world.account.id))
    return set(fan_ids)


async def test_filters_narrow_the_list_and_clear(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    tagged = tag_two_fans(world)
    total = inbox.count_conversations(db, account_id, InboxFilter())
    app = world.app()
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        assert conversations(pilot).count == total

        await press(pilot, "U")
        rows = visible_rows(pilot)
        assert 0 < len(rows) < total and all(row.unread_count for row in rows)
        assert str(conversations(pilot).border_title) == f"Inbox  {len(rows)} · unread"

        await press(pilot, "U", "dollar_sign")
        assert all(row.total_spent_cents > 0 for row in visible_rows(pilot))

        await press(pilot, "dollar_sign", "a")
        assert {row.subscription_status for row in visible_rows(pilot)} == {"active"}
        await press(pilot, "a")
        assert {row.subscription_status for row in visible_rows(pilot)} == {"expired"}
        await press(pilot, "a")
        assert conversations(pilot).count == total

        await press(pilot, "t", "down", "enter")
        assert {row.fan_id for row in visible_rows(pilot)} == tagged
        assert all("#" in lines(conversations(pilot))[i * 2][:4] for i in range(2))

        await press(pilot, "x")
        assert conversations(pilot).count == total
        assert str(conversations(pilot).border_title) == f"Inbox  {total}"
        assert conversations(pilot).border_subtitle is None


async def test_an_empty_filtered_list_says_which_key_clears_it(world: World) -> None:
    """Filters that match nothing: under "No conversations match", the key that clears
    them (the search, when only a search), as the keymap binds it; it fits 80 columns."""
    total = inbox.count_conversations(world.context.db, world.account.id, InboxFilter())
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"zzqqxx", "enter")
        assert [line.strip(" │") for line in lines(conversations(pilot))[1:3]] == [
            "No conversations match", "x clears the search"]
        app.set_keymap({"inbox.clear_filters": "X"})
        await press(pilot, "U")
        assert [line.strip(" │") for line in lines(conversations(pilot))[1:3]] == [
            "No conversations match", "X clears the filters"]
        await press(pilot, "X")
        assert conversations(pilot).count == total
        assert not any("clears" in line for line in lines(conversations(pilot)))


async def test_the_tag_filter_with_no_tags_says_how_to_add_one(world: World) -> None:
    """With no tag at all it offered only "All conversations": now a line (not a choice)
    says there are none yet and which keys add one (as remapped, if they are)."""
    from textual.widgets import OptionList

    from ofcrm_tui.tui.dialogs.choice import ChoiceDialog

    def shown(pilot) -> list[tuple[str, bool]]:  # noqa: ANN001 - a Pilot
        options = pilot.app.screen.query_one(OptionList)
        return [(str(options.get_option_at_index(i).prompt),
                 options.get_option_at_index(i).disabled) for i in range(options.option_count)]

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert isinstance(app.screen, ChoiceDialog)
        assert shown(pilot) == [("All conversations", False),
                                ("No tags yet: i opens the fan, t adds a tag", True)]
        await press(pilot, "j", "enter")  # the line is not a choice: still all of them
        assert inbox_screen(pilot).flt.tag is None and not isinstance(app.screen, ChoiceDialog)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.set_keymap({"inbox.fan_detail": "I"})
        await press(pilot, "t")
        assert shown(pilot)[1] == ("No tags yet: I opens the fan, t adds a tag", True)
    tag_two_fans(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        assert shown(pilot) == [("All conversations", False), ("#vip", False)]


async def test_search_finds_fans_and_message_text_and_n_steps_through(world: World) -> None:
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        user_ids = session.scalars(
            select(Fan.platform_user_id)
            .join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.subscription_status == "active")
            .order_by(Fan.id).limit(2)
        ).all()
    for user_id in user_ids:
        world.sim.add_inbound_message(user_id, "do you like pineapple pizza?")
    await asyncio.to_thread(world.poll)

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"pineapple", "enter")
        screen = inbox_screen(pilot)
        rows = visible_rows(pilot)
        assert sorted(row.platform_user_id for row in rows) == sorted(user_ids)
        assert screen.open_row.conversation_id == rows[0].conversation_id
        assert "· “pineapple”" in str(conversations(pilot).border_title)

        await press(pilot, "n")
        assert screen.open_row.conversation_id == rows[1].conversation_id
        await press(pilot, "N")
        assert screen.open_row.conversation_id == rows[0].conversation_id

        await press(pilot, "escape")
        assert screen.flt.query is None
        everything = inbox.count_conversations(db, account_id, InboxFilter())
        assert conversations(pilot).count == everything


def _unread(world: World, ids: list[int]) -> list[int]:
    with world.context.db.read() as session:
        counts = dict(session.execute(select(Conversation.id, Conversation.unread_count)
                                      .where(Conversation.id.in_(ids))).all())
    return [counts[i] for i in ids]


async def test_the_search_walk_shows_matches_without_marking_them_read(world: World) -> None:
    """enter, n and N showed each match by opening it, which marked it read: a chatter
    who only passed over the unread ones lost them. A match is read once the chatter
    opens it (enter) or goes into its thread or reply."""
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        user_ids = session.scalars(
            select(Fan.platform_user_id)
            .join(Conversation, Conversation.fan_id == Fan.id)
            .where(Fan.account_id == account_id, Fan.subscription_status == "active")
            .order_by(Fan.id).limit(3)
        ).all()
    for user_id in user_ids:
        world.sim.add_inbound_message(user_id, "do you like pineapple pizza?")
    await asyncio.to_thread(world.poll)

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox_screen(pilot)
        await press(pilot, "slash", *"pineapple", "enter", "n", "n", "N")
        rows = visible_rows(pilot)
        ids = [row.conversation_id for row in rows]
        assert len(ids) == 3 and all(_unread(world, ids))
        assert all(row.unread_count for row in visible_rows(pilot))  # bold still
        assert screen.open_row.conversation_id == ids[1]
        assert thread_view(pilot).source.conversation_id == ids[1]  # shown
        # A new message in it while it is shown: still only passed over.
        app.changes.publish(DataChanged.of(
            "inbox", inbound=(NewInbound(ids[1], "Fan", "still pineapple?", 0, 0),)))
        await settle(pilot)
        assert all(_unread(world, ids))

        await press(pilot, "r")  # into the reply: read
        assert _unread(world, ids)[1] == 0 and all(_unread(world, [ids[0], ids[2]]))
        assert conversations(pilot).row_at(1).unread_count == 0

        await press(pilot, "escape", "n", "enter")  # opened: read
        first, second, third = _unread(world, ids)
        assert first > 0 and second == third == 0


async def test_a_search_with_no_match_opens_nothing_later(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"zzyzx-nothing", "enter")
        assert conversations(pilot).count == 0
        assert "No conversations match" in "".join(lines(conversations(pilot)))
        await press(pilot, "escape")  # back to the whole inbox: still nothing opened
        assert conversations(pilot).count > 0
        assert inbox_screen(pilot).open_row is None


async def test_u_opens_the_next_unread_conversation_and_marks_it_read(world: World) -> None:
    db = world.context.db
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        first = inbox_screen(pilot).open_row
        assert first is not None and first.unread_count > 0
        cursor = conversations(pilot).cursor_row
        assert cursor.conversation_id == first.conversation_id and cursor.unread_count == 0

        await press(pilot, "u")
        second = inbox_screen(pilot).open_row
        assert second.conversation_id != first.conversation_id and second.unread_count > 0
    with db.read() as session:
        unread = dict(session.execute(
            select(Conversation.id, Conversation.unread_count).where(
                Conversation.id.in_([first.conversation_id, second.conversation_id]))).all())
    assert unread == {first.conversation_id: 0, second.conversation_id: 0}
    # Marked read on the platform too.
    with world.sim.lock:
        assert world.sim.world.chats[first.platform_user_id].unread == 0


async def test_u_starts_with_the_highlighted_conversation_when_it_is_unread(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        rows = visible_rows(pilot)
        unread = [index for index, row in enumerate(rows) if row.unread_count]
        assert len(unread) >= 2
        await press(pilot, *["j"] * unread[0])
        await press(pilot, "u")  # nothing open: the highlighted unread one
        assert inbox_screen(pilot).open_row.conversation_id == rows[unread[0]].conversation_id
        await press(pilot, "u")  # then the next one below
        assert inbox_screen(pilot).open_row.conversation_id == rows[unread[1]].conversation_id


async def test_opening_a_conversation_loads_it_without_a_loading_overlay(world: World) -> None:
    """The thread shows its own "Loading…" line while its page is read: Textual's
    ``loading`` reactive (a LoadingIndicator mounted over the widget, and the widget
    disabled meanwhile) is never switched on by opening or paging back."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        view = thread_view(pilot)
        first, second = conversations(pilot).row_at(0), conversations(pilot).row_at(1)
        inbox_screen(pilot)._open(first)
        assert view.placeholder == "Loading…"
        assert view.loading is False and not view.disabled
        await settle(pilot)
        assert view.stored and not app.screen.query(LoadingIndicator)

        # The open bar moves from the first row to the second.
        await press(pilot, "j", "enter")
        assert inbox_screen(pilot).open_row.conversation_id == second.conversation_id
        bars = [line.startswith("▌") for line in lines(conversations(pilot))[:4]]
        assert bars == [False, False, True, True]
        assert view.loading is False


async def test_opening_draws_the_page_header_and_composer_together(world: World) -> None:
    """Until the newest page is in, the previous conversation stays on screen (header,
    open bar, composer); a fast succession of opens ends on the last one, the earlier
    pages ignored, and each conversation opened unread is shown read."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen, view = inbox_screen(pilot), thread_view(pilot)
        header = screen.query_one(ThreadHeader)
        rows = [r for r in visible_rows(pilot) if r.unread_count][:3]
        assert len(rows) == 3
        screen._open(rows[0])
        await settle(pilot)
        before = str(header.render())
        assert rows[0].display_name in before

        screen._open(rows[1])
        screen._open(rows[2])
        # Nothing changed outside the thread view yet, and it still shows the first.
        assert str(header.render()) == before
        assert composer(pilot).target.fan.conversation_id == rows[0].conversation_id
        assert conversations(pilot).open_id == rows[0].conversation_id
        assert view.source.conversation_id == rows[0].conversation_id and view.stored
        assert view.placeholder == "Loading…"

        await settle(pilot)
        last = rows[2].conversation_id
        assert screen.open_row.conversation_id == last
        assert view.source.conversation_id == last and view.stored
        assert {m.platform_message_id for m in view.stored} == {
            m.platform_message_id for m in inbox.thread_page(
                world.context.db, world.account.id, last, limit=len(view.stored))}
        assert rows[2].display_name in str(header.render())
        assert composer(pilot).target.fan.conversation_id == last
        assert conversations(pilot).open_id == last
        for row in rows:
            shown = next(r for r in visible_rows(pilot) if r.conversation_id == row.conversation_id)
            assert shown.unread_count == 0


async def test_a_slow_page_shows_loading_with_the_new_header(world: World, monkeypatch) -> None:  # noqa: ANN001
    gate = threading.Event()
    real_page = inbox.thread_page

    def slow_page(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        gate.wait(5)
        return real_page(*args, **kwargs)

    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen, view = inbox_screen(pilot), thread_view(pilot)
        row = conversations(pilot).row_at(0)
        monkeypatch.setattr(thread_view_module.inbox, "thread_page", slow_page)
        screen._open(row)
        await asyncio.sleep(thread_view_module.LOADING_AFTER_SECONDS * 3)
        await pilot.pause()
        assert row.display_name in str(screen.query_one(ThreadHeader).render())
        assert composer(pilot).target.fan.conversation_id == row.conversation_id
        assert view.source.conversation_id == row.conversation_id and not view.stored
        assert "Loading…" in lines(view)[1]

        gate.set()
        await settle(pilot)
        assert view.stored and view.placeholder == "No messages yet"


@pytest.mark.parametrize("default", ["fan", "activity"])
async def test_the_subtitle_names_an_order_other_than_the_settings_one(
    world: World, default: str
) -> None:
    """``o`` says the order in the list's subtitle, whichever way it goes, instead of a
    toast for every press (they stacked up over the thread)."""
    world.context.settings = world.context.settings.model_copy(update={"inbox_order": default})
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert conversations(pilot).border_subtitle is None
        await press(pilot, "o")
        await settle(pilot)
        other = "by last activity" if default == "fan" else "by fan's last message"
        assert other in str(conversations(pilot).border_subtitle)
        await press(pilot, "o", "o")
        await settle(pilot)
        assert other in str(conversations(pilot).border_subtitle)
        assert not list(app._notifications)
        await press(pilot, "o")
        await settle(pilot)
        assert conversations(pilot).border_subtitle is None


def border_rows(pilot) -> tuple[str, str]:  # noqa: ANN001 - a Pilot
    """The list's top and bottom border rows as drawn."""
    rows = conversations(pilot)
    drawn = rows.render_lines(Region(0, 0, *rows.outer_size))
    return drawn[0].text, drawn[-1].text


async def test_the_title_names_every_filter_at_every_size(world: World) -> None:
    """QA: the title never named the filters (``Inbox  27`` with ``U`` on): they were in
    the subtitle, bottom right, and at 80x24 cut (``unread · purchased · by la…``). The
    filters are in the title, beside the count they narrow; what does not fit the list's
    width goes below, before the order; at 80x24 in shorter words, none cut; a resize
    fits them again."""
    app = world.app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "U", "dollar_sign", "o")
        count = conversations(pilot).count
        wide = (f"Inbox  {count} · unread · purchased", "by last activity")
        narrow = (f"Inbox  {count} · unread · paid", "by activity")
        for size, (title, subtitle) in (((160, 45), wide), ((80, 24), narrow), ((160, 45), wide)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            top, bottom = border_rows(pilot)
            assert f"─ {title} ─" in top and f"─ {subtitle} ─" in bottom, (size, top, bottom)
            assert "…" not in top + bottom


def test_a_narrow_title_puts_what_does_not_fit_below_in_short_words() -> None:
    head = Text("Inbox  6")
    assert [str(t) for t in fit_title(head, ["unread", "purchased"], None, 27)] == [
        "Inbox  6 · unread", "purchased"]
    assert [str(t) for t in fit_title(head, ["unread", "purchased", "#vip"], "activity", 27)] == [
        "Inbox  6 · unread · paid", "#vip · by activity"]
    assert [str(t) for t in fit_title(head, ["unread"], "fan", None)] == [
        "Inbox  6 · unread", "by fan's last message"]
    assert fit_title(head, [], None, 27) == (head, None)


async def test_fan_and_assign_keys_act_on_the_open_conversation_else_the_highlighted_row(
    world: World,
) -> None:
    """``i``, ``@``, assign to me: the open conversation wherever the focus is (the one
    the thread shows, as ``r``), even with the list's cursor on another row; the
    highlighted row only while none is open."""
    from ofcrm_tui.core import team
    from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
    from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen

    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = inbox_screen(pilot)
        opened, other = conversations(pilot).row_at(0), conversations(pilot).row_at(1)
        await press(pilot, "j", "i")  # nothing open: the highlighted row
        assert screen.open_row is None
        assert isinstance(pilot.app.screen, FanDetailScreen)
        assert pilot.app.screen.fan_id == other.fan_id
        await press(pilot, "escape", "k", "enter", "j")
        assert screen.open_row.conversation_id == opened.conversation_id
        assert conversations(pilot).cursor_row.conversation_id == other.conversation_id
        assert screen.focused is conversations(pilot)
        await press(pilot, "i")
        assert isinstance(pilot.app.screen, FanDetailScreen)
        assert pilot.app.screen.fan_id == opened.fan_id
        await press(pilot, "escape", "at")
        assert isinstance(pilot.app.screen, ChoiceDialog)
        assert pilot.app.screen.title_text == f"Assign {opened.display_name} to"
        await press(pilot, "escape")
        await pilot.app.run_action("screen.assign_me")
        await settle(pilot)
        db, account = world.context.db, world.account.id
        owners = team.owners_of(db, account, [opened.conversation_id, other.conversation_id])
        assert {c: o.chatter for c, o in owners.items()} == {opened.conversation_id: "tester"}
        await press(pilot, "tab")  # the thread: the open conversation too
        assert screen.focused is thread_view(pilot)
        await press(pilot, "i")
        assert pilot.app.screen.fan_id == opened.fan_id


async def test_u_with_no_unread_under_the_filter_says_it_is_the_filter(world: World) -> None:
    """The status bar counts every unread conversation: with none under the filter, ``u``
    says so, rather than that there are none at all."""
    db = world.context.db
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        expired = select(Fan.id).where(Fan.subscription_status == "expired")
        with db.write() as session:
            assert session.scalar(select(Conversation.id).where(Conversation.fan_id.in_(expired)))
            session.execute(Conversation.__table__.update()
                            .where(Conversation.fan_id.in_(expired)).values(unread_count=0))
        await press(pilot, "a", "a")  # expired fans only
        await settle(pilot)
        assert inbox_screen(pilot).flt.status == "expired"
        await press(pilot, "u")
        await settle(pilot)
        said = [str(n.message) for n in pilot.app._notifications]
        assert "No unread conversations under this filter" in said, said
