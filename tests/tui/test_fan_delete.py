"""A fan deleted while their conversation is open in the inbox: the inbox lets go of it
(header, thread, composer) and shows the row that took its place, or, where the chatter
was typing the reply, highlights that row with the focus on the list, under a notice
that keeps what is typed on (on the clipboard with the reply) until Enter or Esc."""

from __future__ import annotations

import pytest

from ofcrm_tui.core import outbox
from ofcrm_tui.tui.dialogs.reply_gone import ReplyGoneDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.widgets.composer import Composer
from ofcrm_tui.tui.twice import UNSEEN_SECONDS
from ofcrm_tui.tui.widgets.thread_header import ThreadHeader
from tests.tui.conftest import World
from tests.tui.pilot import (
    TwiceClock,
    burst,
    composer,
    conversations,
    inbox,
    let_go,
    lines,
    press,
    settle,
    type_text,
    wait_for,
)

pytestmark = pytest.mark.anyio


async def delete_shown_fan(pilot) -> None:  # noqa: ANN001
    """``D`` on the fan shown (the detail) or highlighted (the fans list), then the
    delete (the second choice)."""
    await press(pilot, "D")
    choice = pilot.app.screen
    await wait_for(pilot, lambda: choice.query_one("OptionList").option_count == 2)
    await press(pilot, "j", "enter")


def inbox_under(pilot) -> InboxScreen:  # noqa: ANN001
    """The inbox, shown or under a notice."""
    return next(s for s in pilot.app.screen_stack if isinstance(s, InboxScreen))


def listed_fans(pilot) -> set[int]:  # noqa: ANN001
    listed = inbox_under(pilot).conversations
    rows = (listed.row_at(i) for i in range(listed.count))
    return {row.fan_id for row in rows if row is not None}


async def open_top(pilot) -> tuple[InboxScreen, int]:  # noqa: ANN001
    """The inbox with its top conversation open, and that conversation's fan."""
    await settle(pilot)
    await press(pilot, "enter")
    screen = inbox(pilot)
    await wait_for(pilot, lambda: screen.open_row is not None)
    return screen, screen.open_row.fan_id


async def assert_let_go(pilot, fan_id: int, typed: str = "") -> None:  # noqa: ANN001
    """The row that took the deleted fan's place is shown, its reply box empty but for
    what was ``typed`` after the let-go."""
    screen = inbox(pilot)
    await wait_for(pilot, lambda: screen.open_row is not None and screen.open_row.fan_id != fan_id)
    assert fan_id not in listed_fans(pilot)
    # Compared by conversation: whether the new one is already read depends on whether
    # the inbox's focus came back before it was opened (going into it reads it).
    shown = screen.open_row.conversation_id
    assert conversations(pilot).cursor_row.conversation_id == shown
    assert conversations(pilot).open_id == shown
    assert screen.query_one(ThreadHeader).row.conversation_id == shown
    assert composer(pilot).target.fan.conversation_id == shown and composer(pilot).text == typed
    assert not [n for n in pilot.app._notifications if n.severity == "error"]


async def test_a_fan_deleted_from_the_inbox_leaves_no_conversation_open(
    world: World,
) -> None:
    async with world.app().run_test(size=(160, 45)) as pilot:
        screen, fan_id = await open_top(pilot)
        await press(pilot, "r")
        await type_text(pilot, "see you")
        await press(pilot, "escape", "i")
        assert isinstance(pilot.app.screen, FanDetailScreen)
        await delete_shown_fan(pilot)
        await wait_for(pilot, lambda: pilot.app.screen is screen)
        await assert_let_go(pilot, fan_id)
        # the reply goes to the fan now shown
        await press(pilot, "tab", "tab")
        await type_text(pilot, "hello")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: composer(pilot).text == "")  # queued
        assert not [n for n in pilot.app._notifications if "not sent" in str(n.message)]


async def test_a_fan_deleted_from_the_fans_screen_leaves_no_conversation_open(
    world: World,
) -> None:
    async with world.app().run_test(size=(160, 45)) as pilot:
        screen, fan_id = await open_top(pilot)
        await press(pilot, "3")
        fans = pilot.app.screen
        assert isinstance(fans, FansScreen)
        await wait_for(pilot, lambda: fans.fans.loaded and fans.fans.counted)
        await wait_for(pilot, lambda: fans.fans.cursor_row is not None)
        while fans.fans.cursor_row.fan_id != fan_id:
            await press(pilot, "j")
        await delete_shown_fan(pilot)  # the list's own D
        await wait_for(pilot, lambda: pilot.app.screen is fans and fans.fans.count == 29)
        await press(pilot, "1")
        assert pilot.app.screen is screen
        await assert_let_go(pilot, fan_id)


async def test_a_reply_typed_to_a_fan_deleted_elsewhere_is_not_lost_without_a_word(
    world: World,
) -> None:
    """Deleted by another chatter or the CLI while the reply is being typed: the draft has
    nowhere to go, so the text goes to the clipboard and a notice quotes it."""
    from ofcrm_tui.core.fans import edits
    from ofcrm_tui.tui.messages import DataChanged

    async with world.app().run_test(size=(160, 45)) as pilot:
        screen, fan_id = await open_top(pilot)
        name = screen.open_row.display_name
        await press(pilot, "r")
        await type_text(pilot, "see you at eight")
        edits.delete_fan(world.context.db, world.account.id, fan_id)
        pilot.app.changes.publish(DataChanged.of("fans", "inbox"))
        await wait_for(pilot, lambda: fan_id not in listed_fans(pilot))
        assert screen.open_row is None
        assert pilot.app.clipboard == "see you at eight"
        notice = pilot.app.screen
        assert isinstance(notice, ReplyGoneDialog)
        text = str(notice.query_one("#reply-gone-text").render())
        assert f"{name} was deleted meanwhile" in text and "on the clipboard" in text, text


async def _delete_while_replying(world: World, pilot, *, at_let_go: tuple[str, ...] = ()):  # noqa: ANN001, ANN202
    """The top conversation open, a reply typed in its focused box, its fan deleted by
    another app (the CLI, another chatter), seen by the app's own status read (what
    another process writes). ``at_let_go``: keys read just as the reply is let go (typed
    on, before the notice is up). Then the inbox has let go of the fan: nothing open,
    the focus on the list (the row that took the fan's place highlighted) under the
    notice, which is returned."""
    from ofcrm_tui.core.fans import edits

    screen, fan_id = await open_top(pilot)
    await press(pilot, "r")
    await type_text(pilot, "see you")
    await composer(pilot).save_draft().wait()  # a pause: its save does not meet the delete
    if at_let_go:
        box = composer(pilot)
        letting_go = box.let_go

        def let_go_then_keys() -> str:
            unsent = letting_go()
            burst(pilot.app, *at_let_go)
            return unsent

        box.let_go = let_go_then_keys  # type: ignore[method-assign]
    edits.delete_fan(world.context.db, world.account.id, fan_id)
    await wait_for(pilot, lambda: fan_id not in listed_fans(pilot))
    await let_go(pilot)
    notice = pilot.app.screen
    assert isinstance(notice, ReplyGoneDialog)
    assert screen.focused is screen.conversations
    assert screen.open_row is None and screen.conversations.open_id is None
    assert screen.conversations.cursor_row.fan_id != fan_id
    return notice


@pytest.fixture
def status_often(monkeypatch: pytest.MonkeyPatch) -> None:
    from ofcrm_tui.tui import status_read

    monkeypatch.setattr(status_read, "STATUS_EVERY_SECONDS", 0.2)


def nothing_opened_or_sent(pilot, queued: object) -> None:  # noqa: ANN001
    screen = inbox_under(pilot)
    box = screen.query_one(Composer)
    assert screen.open_row is None and screen.conversations.open_id is None
    assert box.target is None and box.text == "" and screen.focused is not box
    assert outbox.queue_status(pilot.app.context.db, pilot.app.account.id).counts == queued


def queue(world: World) -> object:
    return outbox.queue_status(world.context.db, world.account.id).counts


async def test_the_keys_typed_on_after_a_reply_is_cut_off_go_to_the_clipboard(
    world: World, status_often: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QA: the chatter typing a reply when the fan is deleted elsewhere types on for a
    moment: on the list, ``o`` reordered it, ``u`` opened the next unread conversation
    and ``r`` its reply box, which took the rest (ctrl+s sent it to that fan). The
    notice takes them: the clipboard has the whole reply; only Enter closes it (twice in
    a burst, it opens nothing)."""
    clock = TwiceClock(monkeypatch)
    async with world.app().run_test(size=(160, 45)) as pilot:
        queued = queue(world)
        notice = await _delete_while_replying(world, pilot)
        screen = inbox_under(pilot)
        order = screen.flt.order
        assert pilot.app.clipboard == "see you"
        await press(pilot, "space", "o", "u", "r", "x", "backspace", "ctrl+s")
        assert pilot.app.screen is notice and notice.typed == " our"
        assert pilot.app.clipboard == "see you our"
        assert screen.flt.order == order
        nothing_opened_or_sent(pilot, queued)
        clock.advance(UNSEEN_SECONDS)  # a pause: the chatter has read the notice
        burst(pilot.app, "enter", "enter")
        await let_go(pilot)
        assert pilot.app.screen is screen and screen.focused is screen.conversations
        nothing_opened_or_sent(pilot, queued)
        assert pilot.app.clipboard == "see you our"


async def test_an_enter_typed_on_without_a_pause_is_the_replys_new_line(
    world: World, status_often: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter in a reply typed on without looking up (a new line in the box) does not
    close the notice and let the next words act on the list: it is the reply's, until
    the chatter pauses."""
    clock = TwiceClock(monkeypatch)
    async with world.app().run_test(size=(160, 45)) as pilot:
        queued = queue(world)
        notice = await _delete_while_replying(world, pilot)
        await press(pilot, "enter", "o", "k")
        assert pilot.app.screen is notice and notice.typed == "\nok"
        assert pilot.app.clipboard == "see you\nok"
        clock.advance(UNSEEN_SECONDS / 2)
        await press(pilot, "enter")
        assert pilot.app.screen is notice and notice.typed == "\nok\n"
        clock.advance(UNSEEN_SECONDS)
        await press(pilot, "enter")
        screen = inbox_under(pilot)
        assert pilot.app.screen is screen and screen.focused is screen.conversations
        nothing_opened_or_sent(pilot, queued)


async def test_the_keys_read_before_the_cut_off_notice_is_up_land_in_it(
    world: World, status_often: None,
) -> None:
    async with world.app().run_test(size=(160, 45)) as pilot:
        queued = queue(world)
        notice = await _delete_while_replying(world, pilot, at_let_go=("space", "o", "u", "r"))
        assert notice.typed == " our" and pilot.app.clipboard == "see you our"
        nothing_opened_or_sent(pilot, queued)
        await press(pilot, "escape")
        screen = inbox_under(pilot)
        assert pilot.app.screen is screen and screen.focused is screen.conversations


async def test_the_cut_off_notice_names_the_keys_it_takes(
    world: World, status_often: None,
) -> None:
    """Its footer named only Enter (Esc closed it too, on the same action): it names
    both, and its text says that what is typed while it is up joins the reply kept; the
    notice whole at 80x24."""
    from textual.widgets._footer import FooterKey

    async with world.app().run_test(size=(80, 24)) as pilot:
        notice = await _delete_while_replying(world, pilot)
        keys = [(key.key, key.description) for key in notice.query(FooterKey)]
        assert keys[:2] == [("enter", "OK"), ("escape", "Close")], keys
        text = " ".join(" ".join(lines(notice.query_one("#reply-gone-text"))).split())
        assert text.endswith("Your unsent reply is on the clipboard, with what you type here.")
        box = notice.query_one("#reply-gone-dialog")
        assert notice.region.contains_region(box.region)
        await press(pilot, "escape")
        screen = inbox_under(pilot)
        assert pilot.app.screen is screen and screen.focused is screen.conversations
