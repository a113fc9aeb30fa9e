"""What is typed on the fan detail is not lost: a value the rules refuse stays where it
was typed, with the reason; Esc on changed text asks first (keeping it is the first
choice)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, TextArea

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.pilot import let_go, press, settle, type_text, wait_for
from tests.tui.test_fans_detail import open_from_inbox
from tests.tui.test_key_burst_escape import typed

pytestmark = pytest.mark.anyio


async def discard_question(pilot) -> ChoiceDialog:  # noqa: ANN001
    question = pilot.app.screen
    assert isinstance(question, ChoiceDialog)
    await wait_for(pilot, lambda: question.query_one(OptionList).option_count == 2)
    first = question.query_one(OptionList).get_option_at_index(0)
    assert str(first.prompt) == "Keep editing"  # what an Enter by habit does
    return question


def errors(pilot) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in pilot.app._notifications if n.severity == "error"]


async def open_note(
    world: World, pilot, existing: bool,  # noqa: ANN001
) -> tuple[FanDetailScreen, NoteDialog]:
    """The note dialog on the inbox's top fan: a new note, or (``existing``) the edit of
    the note "likes cats"."""
    detail = await open_from_inbox(pilot)
    if existing:
        edits.add_note(world.context.db, world.account.id, detail.fan_id, "likes cats",
                       author="tester")
        await press(pilot, "escape", "i")
        detail = pilot.app.screen
        await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == 1)
        await press(pilot, "e")  # the only note: no question which
    else:
        await press(pilot, "a")
    dialog = pilot.app.screen
    assert isinstance(dialog, NoteDialog)
    return detail, dialog


@pytest.mark.parametrize("existing", [False, True], ids=["add", "edit"])
async def test_esc_on_a_changed_note_asks_before_throwing_it_away(
    world: World, existing: bool,
) -> None:
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail, dialog = await open_note(world, pilot, existing)
        await type_text(pilot, " and dogs")
        await press(pilot, "escape")
        await discard_question(pilot)
        await press(pilot, "enter")  # keep editing
        assert pilot.app.screen is dialog
        body = dialog.query_one(TextArea)
        assert body.text.endswith(" and dogs") and body.has_focus
        await press(pilot, "escape", "j", "enter")  # discard
        assert pilot.app.screen is detail
        expected = ["likes cats"] if existing else []
        assert [n.body for n in profile.notes_page(db, account, detail.fan_id)] == expected
        # unchanged: Esc closes at once
        await press(pilot, "a", "escape")
        assert pilot.app.screen is detail


@pytest.mark.parametrize(("text", "said"), [
    ("x" * 5_001, "note is 5,001 characters long"),
    ("", "An empty note is not saved"),  # said, not a ctrl+s that does nothing
    (" \n ", "An empty note is not saved"),
], ids=["too-long", "empty", "blank"])
async def test_a_refused_note_keeps_the_dialog_open_with_its_text(
    world: World, text: str, said: str,
) -> None:
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        await press(pilot, "a")
        dialog = pilot.app.screen
        dialog.query_one(TextArea).insert(text)
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog
        assert dialog.query_one(TextArea).text == text
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any(said in notice for notice in notices), notices
        assert detail.notes == []


@pytest.mark.parametrize(("key", "what", "too_long", "fixed"), [
    ("n", "nickname", "N" * 300, "Short"),
    ("t", "tag", "t" * 65, "short"),
])
async def test_a_refused_nickname_or_tag_stays_in_the_line(
    world: World, key: str, what: str, too_long: str, fixed: str,
) -> None:
    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        await press(pilot, key)
        line = detail.query_one("#fan-edit", Input)
        line.value = too_long
        await press(pilot, "enter")
        assert line.display and line.has_focus and line.value == too_long
        assert detail.editing == what
        reason = f"not saved: {what} is {len(too_long)} characters long"
        assert any(e.startswith(reason) for e in errors(pilot)), errors(pilot)
        # Esc asks; kept, it is corrected and saved
        await press(pilot, "escape")
        await discard_question(pilot)
        await press(pilot, "enter")
        assert pilot.app.screen is detail and line.display and line.value == too_long
        line.value = fixed
        await press(pilot, "enter")
        assert not line.display
        await wait_for(pilot, lambda: fixed in (detail.detail.profile.nickname,
                                                *detail.detail.profile.tags))
        # typed again, then thrown away
        await press(pilot, key)
        await type_text(pilot, "zz")
        await press(pilot, "escape", "j", "enter")
        assert isinstance(pilot.app.screen, FanDetailScreen) and not line.display
        fan = profile.fan_profile(db, account, detail.fan_id)
        assert fan.nickname == (fixed if what == "nickname" else "")
        # unchanged: Esc closes at once
        await press(pilot, key, "escape")
        assert pilot.app.screen is detail and not line.display


@pytest.mark.parametrize("key", ["n", "t"])
async def test_esc_and_enter_in_one_burst_answer_the_question_and_keep_the_text(
    world: World, key: str,
) -> None:
    """The Enter read behind the Esc waits for the question Esc asks, whose first choice
    keeps the text (it went nowhere: the line closed, the text thrown away unasked)."""
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail = await open_from_inbox(pilot)
        await press(pilot, key)
        line = detail.query_one("#fan-edit", Input)
        typed(pilot.app, "xyz\x1b\r")
        await let_go(pilot)
        assert pilot.app.screen is detail
        assert line.display and line.has_focus and line.value.endswith("xyz")


def warnings(pilot) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in pilot.app._notifications if n.severity == "warning"]


@pytest.mark.parametrize("existing", [False, True], ids=["add", "edit"])
@pytest.mark.parametrize("told", ["before", "never", "saving"])
async def test_a_note_typed_for_a_fan_deleted_elsewhere_goes_to_the_clipboard(
    world: World, existing: bool, told: str,
) -> None:
    """Deleted by another chatter or the CLI while the note is typed: the note has nowhere
    to go, so its text goes to the clipboard and a notice quotes it, as a reply's does.
    The app's data-change path (``told``) heard of it before the save, never, or while it
    saves: the fan's screen, read again, closes before the save has run (a background
    poll's change), and the save's worker goes with it."""
    from ofcrm_tui.tui.messages import DataChanged

    db, account = world.context.db, world.account.id
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        detail, _ = await open_note(world, pilot, existing)
        name = detail.detail.profile.display_name
        await type_text(pilot, " call on friday")
        edits.delete_fan(db, account, detail.fan_id)
        if told == "before":
            pilot.app.changes.publish(DataChanged.of("fans", "inbox"))
            await wait_for(pilot, lambda: detail._gone)
        elif told == "saving":
            detail._save = lambda *args, **kwargs: pilot.app.changes.publish(
                DataChanged.of("fans", "inbox"))
        await press(pilot, "ctrl+s")
        note = ("likes cats" if existing else "") + " call on friday"
        await wait_for(pilot, lambda: pilot.app.clipboard == note)
        assert any(name in text and note in text for text in warnings(pilot)), warnings(pilot)
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, (NoteDialog, FanDetailScreen)))
