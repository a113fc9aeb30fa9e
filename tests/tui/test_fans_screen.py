"""The fans screen's list: opening a fan and their conversation, sort, search and filter,
its title, an empty list, hostile names, a fan made by hand, the subscription column."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from sqlalchemy import select, update
from textual.widgets import Input, Static

from ofcrm_tui.core.fans import FanFilter
from ofcrm_tui.core.fans import edits, listing
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.timefmt import short_time
from ofcrm_tui.tui.widgets.thread_view import ThreadView
from tests.tui.conftest import HOSTILE, World
from tests.tui.fans_pilot import fan_text, fans_dialog, open_fans
from tests.tui.pilot import lines, press, settle, type_text, wait_for


pytestmark = pytest.mark.anyio


async def test_fans_list_opens_detail_and_conversation(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert screen.fans.count == 30
        top = screen.fans.cursor_row
        assert top is not None
        spends = [screen.fans.row_at(i).total_spent_cents for i in range(30)]
        assert spends == sorted(spends, reverse=True)
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen) and detail.fan_id == top.fan_id
        await wait_for(pilot, lambda: detail.detail is not None)
        await press(pilot, "c")
        inbox = pilot.app.screen
        assert isinstance(inbox, InboxScreen)
        await wait_for(pilot, lambda: inbox.open_row is not None)
        assert inbox.open_row.fan_id == top.fan_id
        await wait_for(pilot, lambda: bool(inbox.query_one(ThreadView).stored))


async def test_sort_search_and_filter(world: World) -> None:
    db, account = world.context.db, world.account.id
    with db.read() as session:
        fans = session.execute(select(Fan.id, Fan.username).where(Fan.account_id == account)
                               .order_by(Fan.id)).all()
    edits.add_note(db, account, fans[3].id, "owes us a pineapple story", author="t")
    edits.add_tags(db, account, fans[5].id, ["vip"])
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "s", "s")  # spend -> last active -> subscribed -> name
        await wait_for(pilot, lambda: screen.fans.loaded)
        names = [screen.fans.row_at(i).display_name.lower() for i in range(30)]
        assert names == sorted(names) and "by name" in str(screen.fans.border_title)
        await press(pilot, "slash", *"pineapple", "enter")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fans[3].id
        await press(pilot, "escape")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        await press(pilot, "f")
        dialog = pilot.app.screen
        assert isinstance(dialog, FanFilterDialog)
        dialog.query_one("#fan-filter-tags-in").value = "vip"
        await press(pilot, "ctrl+s")
        assert screen.flt == FanFilter(tags_in=("vip",))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fans[5].id
        assert str(screen.fans.border_title) == "Fans  1 · #vip · by name"
        await press(pilot, "f")
        pilot.app.screen.query_one("#fan-filter-min").value = "twelve"
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, FanFilterDialog)  # refused: stays open
        await press(pilot, "escape", "x")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)


async def test_the_title_names_a_filters_tags_as_stored(world: World) -> None:
    """QA: a filter on ``vip`` where the fans are tagged ``VIP`` titled the list
    ``#vip`` (and its rows ``#VIP``): it names the account's tag, the same fans listed;
    a tag no fan has stays as typed. ``f`` again shows the tag so too. Tags "any of"
    are joined by ``or``."""
    db, account = world.context.db, world.account.id
    with db.read() as session:
        fan = session.scalar(select(Fan.id).where(Fan.account_id == account).limit(1))
    edits.add_tags(db, account, fan, ["VIP"])
    async with world.app().run_test(size=(100, 30)) as pilot:
        screen, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        dialog.query_one("#fan-filter-tags-in", Input).value = "vip"
        dialog.query_one("#fan-filter-tags-out", Input).value = "Nobody"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fan
        assert str(screen.fans.border_title) == "Fans  1 · #VIP · not #Nobody · by spend"
        await press(pilot, "f")
        assert pilot.app.screen.query_one("#fan-filter-tags-in", Input).value == "VIP"
        # QA: ``viP, Nosuch`` without ``VIP`` titled ``#VIP · #Nosuch · not #VIP``: the
        # tags are any of them, not each (as the parts ``·`` joins are): ``or``.
        pilot.app.screen.query_one("#fan-filter-tags-in", Input).value = "viP, Nosuch"
        pilot.app.screen.query_one("#fan-filter-tags-out", Input).value = "VIP"
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert str(screen.fans.border_title) == "Fans  0 · #VIP or #Nosuch · not #VIP · by spend"


async def test_a_new_sort_shows_its_top(world: World) -> None:
    """``g j j j s``: the list came up "by last active" around the fan the cursor was
    on, a third down, the newest fans above it out of sight (only ``g`` showed them).
    A new order starts at its top, the cursor on its first fan; keys typed behind ``s``
    move from there."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "g", *["j"] * 12)
        moved = screen.fans.cursor_row
        await press(pilot, "s")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        newest = listing.fans_window(world.context.db, world.account.id,
                                     sort=listing.FanSort.LAST_ACTIVE, limit=2)
        assert moved.fan_id not in {row.fan_id for row in newest}
        assert (screen.fans.cursor, screen.fans.scroll_offset.y) == (0, 0)
        assert screen.fans.cursor_row.fan_id == newest[0].fan_id
        await press(pilot, "s", "j")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        assert screen.sort is listing.FanSort.SUBSCRIBED and screen.fans.cursor == 1
        assert screen.fans.scroll_offset.y == 0


async def test_the_filter_dialog_refuses_bad_spend_and_empty_ranges_keeping_what_was_typed(
    world: World,
) -> None:
    """``5x`` or ``1,50`` as a spend, a minimum above the maximum, active since after
    inactive since: the dialog says why, whole even at 80x24 (the line wraps), and stays
    open with all typed, nothing applied; ``$1,234.50`` is a spend, as the title shows it."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        screen, dialog = await fans_dialog(pilot, "f", FanFilterDialog)
        error = dialog.query_one("#fan-filter-error")

        async def type_in(box: str, text: str) -> None:
            field = dialog.query_one(f"#fan-filter-{box}", Input)
            dialog.set_focus(field)
            await settle(pilot)
            field.value = ""
            await type_text(pilot, text)

        async def refused(why: str, at: str, typed: dict[str, str]) -> None:
            await press(pilot, "ctrl+s")
            assert pilot.app.screen is dialog and error.display
            assert str(error.render()) == why
            assert " ".join(lines(error)).split() == why.split()  # all of it on the screen
            assert dialog.focused is dialog.query_one(f"#fan-filter-{at}")
            for box, text in typed.items():
                assert dialog.query_one(f"#fan-filter-{box}", Input).value == text

        await type_in("min", "5x")
        await refused("bad minimum spend '5x': give dollars, e.g. 25 or 9.99", "min", {"min": "5x"})
        await type_in("min", "1,50")
        await refused("bad minimum spend '1,50': a comma only groups thousands (1,234.50); "
                      "cents after a point (1.50)", "min", {"min": "1,50"})
        await type_in("min", "50")
        await type_in("max", "20")
        await refused("minimum spend $50.00 is above the maximum $20.00", "min",
                      {"min": "50", "max": "20"})
        await type_in("max", "")
        await type_in("after", "2026-11-20")
        await type_in("before", "2026-11-10")
        await refused("the last-active range 2026-11-20 to 2026-11-10 is empty", "after",
                      {"min": "50", "after": "2026-11-20", "before": "2026-11-10"})
        await type_in("before", "2026-11-21")
        await type_in("min", "$1,234.50")
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is screen
        assert screen.flt.min_spent_cents == 123450 and screen.flt.active_before is not None
        assert "≥ $1,234.50" in str(screen.fans.border_title)


async def test_an_empty_list_names_what_it_is_searched_and_filtered_by(world: World) -> None:
    """No fan matches: the title and the list say which search and filter, and the list
    which key clears them."""
    edits.add_tags(world.context.db, world.account.id, 1, ["vip"])
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "slash", *"nobody-here", "enter")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert str(screen.fans.border_title) == "Fans  0 · “nobody-here” · by last active"
        assert "No fans match “nobody-here”: esc clears the search" in fan_text(pilot)
        screen._set_filter(FanFilter(search="nobody-here", tags_in=("vip",)))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 0)
        assert "Fans  0 · “nobody-here” · #vip · by last active" == str(screen.fans.border_title)
        assert ("No fans match “nobody-here” · #vip: x clears the filter and the search"
                in fan_text(pilot))
        await press(pilot, "x")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        assert str(screen.fans.border_title) == "Fans  30 · by last active"


async def test_hostile_names_are_shown_literally(world: World) -> None:
    with world.context.db.write() as session:
        session.execute(update(Fan).where(Fan.account_id == world.account.id)
                        .values(nickname=HOSTILE, total_spent_cents=Fan.total_spent_cents))
    async with world.app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        shown = fan_text(pilot)
        assert "[bold red]look[/bold red]" in shown and "␛[31mred" in shown
        assert "\x1b" not in shown
        await press(pilot, "enter")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None)
        profile = str(detail.query_one("#fan-profile").render())
        assert "[bold red]look[/bold red]" in profile and "\x1b" not in profile


@pytest.mark.slow
@pytest.mark.parametrize("made", ["by-hand", "imported"])
async def test_a_fan_made_by_hand_shows_no_subscription_status(
    world: World, made: str, tmp_path: Path,
) -> None:
    """No platform id, no subscription data (as analytics counts them): the list's
    Status column and the detail's Subscription block say none, not "active" nor a
    price of $0.00; the platform id says why, true of a fan made here or imported."""
    from ofcrm_tui.core.fans.csv_import import import_fans

    db = world.context.db
    if made == "by-hand":
        fan = edits.create_fan(db, world.account.id, username="handmade1")
    else:
        path = tmp_path / "fans.csv"
        path.write_text("username,tags\nhandmade1,imported\n", encoding="utf-8")
        import_fans(db, world.account.id, path, author="tester")
        with db.read() as session:
            fan = session.scalars(select(Fan.id).where(Fan.username == "handmade1")).one()
    with db.write() as session:  # the biggest spender: the list's first row
        session.execute(update(Fan).where(Fan.id == fan).values(total_spent_cents=1_000_000))
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        assert screen.fans.cursor_row is not None and screen.fans.cursor_row.fan_id == fan
        assert lines(screen.fans)[0].split()[:3] == ["handmade1", "—", "$10,000.00"]
        await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        shown = str(detail.query_one("#fan-profile").render())
        assert "Status          —\n" in shown and "Price           —\n" in shown, shown
        assert "Platform id     — (not on the platform)\n" in shown, shown


def cells(line: str) -> list[str]:
    """``line`` a cell each: a wide character's second cell is empty."""
    return [part for char in line for part in ([char, ""] if cell_len(char) == 2 else [char])]


async def test_sorted_by_subscription_the_list_shows_since_when(world: World) -> None:
    """Sorted by subscription (``s s``) the rows came under Active, whose times are in no
    order: the column shows when each fan subscribed ("Since") while that is the order,
    at 80x24 beside all the others, under its title."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "s", "s")
        await wait_for(pilot, lambda: screen.fans.loaded and screen.fans.counted)
        assert screen.sort is listing.FanSort.SUBSCRIBED
        title = lines(screen.query_one("#fan-header", Static))[0]
        assert title.split() == ["Fan", "Status", "Spent", "Since", "Last", "msg", "Tags"]
        at = title.index("Since")
        drawn = lines(screen.fans)
        now = pilot.app.clock()
        rows = [screen.fans.row_at(i) for i in range(len(drawn))]
        assert [row.subscribed_at for row in rows] == sorted(
            (row.subscribed_at for row in rows), reverse=True)
        shown = ["".join(cells(line)[at:at + 8]).strip() for line in drawn]
        assert shown == [short_time(row.subscribed_at, now) for row in rows]
        assert len(set(shown)) > 1  # (dates told apart, not one day)
        await press(pilot, "s")  # by name: Active again
        await wait_for(pilot, lambda: screen.fans.loaded)
        title = lines(screen.query_one("#fan-header", Static))[0]
        assert "Active" in title and "Since" not in title


async def test_a_search_finds_names_without_their_accents(world: World) -> None:
    """"zoe" typed in the fans screen's search finds "Zoë" (both sides folded)."""
    db, account = world.context.db, world.account.id
    with db.write() as session:
        fan_id = session.scalars(select(Fan.id).where(Fan.account_id == account)
                                 .order_by(Fan.id).offset(7)).first()
        session.execute(update(Fan).where(Fan.id == fan_id).values(name="Zoë Ångström"))
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "slash", *"zoe angstrom", "enter")
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 1)
        assert screen.fans.cursor_row.fan_id == fan_id
