"""A fan's note deleted from the fan's screen (``d``): the note picked (at once when it is
the fan's only one, as ``e`` does), a question quoting its first words (keeping first),
the delete in a thread worker; the key in the footer and the help. A note deleted while
it was being edited."""

from __future__ import annotations

import pytest
from textual.widgets import Label, OptionList, TextArea
from textual.widgets._footer import FooterKey

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.tui.dialogs.choice import ChoiceDialog
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.dialogs.help import HelpScreen
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.pilot import burst, let_go, press, settle, type_text, wait_for
from tests.tui.fans_pilot import open_fans

pytestmark = pytest.mark.anyio

LONG = "prefers short voice notes in the evening, never on Sundays, and asks about the dog"


async def _detail(world: World, pilot, *bodies: str) -> FanDetailScreen:  # noqa: ANN001
    """The top fan's screen, read, with ``bodies`` as notes (the last the newest)."""
    fans = await open_fans(pilot)
    fan_id = fans.fans.row_at(0).fan_id
    for body in bodies:
        edits.add_note(world.context.db, world.account.id, fan_id, body, author="tester")
    await press(pilot, "enter")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None and len(detail.notes) == len(bodies))
    return detail


async def _question(pilot) -> ChoiceDialog:  # noqa: ANN001
    question = pilot.app.screen
    assert isinstance(question, ChoiceDialog)
    await wait_for(pilot, lambda: question.query_one(OptionList).option_count == 2)
    return question


def _notes(world: World, detail: FanDetailScreen) -> list[str]:
    return [n.body for n in profile.notes_page(world.context.db, world.account.id, detail.fan_id)]


def _said(pilot) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in pilot.app._notifications]  # noqa: SLF001


async def test_d_asks_naming_the_note_then_deletes_it(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _detail(world, pilot, LONG, "likes cats")
        footer = [key.description for key in detail.query(FooterKey) if key.display]
        assert "Del note" in footer
        await press(pilot, "d")
        which = pilot.app.screen
        assert isinstance(which, ChoiceDialog) and which.title_text == "Delete which note?"
        await wait_for(pilot, lambda: which.query_one(OptionList).option_count == 2)
        await press(pilot, "j", "enter")  # the older one: LONG
        question = await _question(pilot)
        assert question.title_text == "Delete this note?"
        quoted = str(question.query_one(".choice-body", Label).render())
        assert quoted.startswith("“prefers short voice notes in the evening") and "…”" in quoted
        assert "dog" not in quoted  # its first words only
        first = question.query_one(OptionList).get_option_at_index(0)
        assert str(first.prompt) == "Keep the note"  # what an Enter by habit does
        await press(pilot, "enter")
        await settle(pilot)
        assert pilot.app.screen is detail and _notes(world, detail) == ["likes cats", LONG]
        await press(pilot, "d", "j", "enter")
        await _question(pilot)
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: [n.body for n in detail.notes] == ["likes cats"])
        assert _notes(world, detail) == ["likes cats"]
        assert "Note deleted" in _said(pilot)
        # The only note left: straight to the question.
        await press(pilot, "d")
        question = await _question(pilot)
        assert str(question.query_one(".choice-body", Label).render()).startswith("“likes cats”")
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: detail.notes == [])
        assert _notes(world, detail) == []
        await press(pilot, "d")
        assert pilot.app.screen is detail
        assert _said(pilot)[-1] == "No notes yet: a adds one"


@pytest.mark.parametrize(("key", "verb"), [("d", "Delete"), ("e", "Edit")])
async def test_the_note_pickers_footer_names_enter_by_what_it_does(
    world: World, key: str, verb: str,
) -> None:
    """It named only "esc Back": Enter, which picks, is named first, by its verb."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _detail(world, pilot, "likes cats", "likes dogs")
        await press(pilot, key)
        which = pilot.app.screen
        assert isinstance(which, ChoiceDialog)
        await wait_for(pilot, lambda: which.query_one(OptionList).option_count == 2)
        shown = [(k.key, k.description) for k in which.query(FooterKey) if k.display]
        assert shown[:2] == [("enter", verb), ("escape", "Back")]


async def test_the_next_pick_typed_fast_lists_the_notes_after_the_delete(world: World) -> None:
    """``Down Enter d`` in one burst on the question: the picker listed the note just
    deleted (picking it said it was deleted already); it waits for the notes read after
    the delete, and the keys typed behind it wait too."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _detail(world, pilot, "likes cats", "likes dogs", "likes owls")
        await press(pilot, "d")
        which = pilot.app.screen
        assert isinstance(which, ChoiceDialog)
        await wait_for(pilot, lambda: which.query_one(OptionList).option_count == 3)
        await press(pilot, "enter")  # the newest: owls
        await _question(pilot)
        burst(app, "down", "enter", "d")
        await let_go(pilot)
        which = pilot.app.screen
        assert isinstance(which, ChoiceDialog) and which.title_text == "Delete which note?"
        await wait_for(pilot, lambda: which.query_one(OptionList).option_count > 0)
        assert _notes(world, detail) == ["likes dogs", "likes cats"]
        options = which.query_one(OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(listed) == 2 and not any("owls" in line for line in listed), listed


async def test_e_opens_the_only_note_without_asking_which(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _detail(world, pilot, "likes cats")
        await press(pilot, "e")
        dialog = pilot.app.screen
        assert isinstance(dialog, NoteDialog) and dialog.body == "likes cats"


async def test_a_note_changed_after_the_question_is_kept(world: World) -> None:
    """The question quoted the note as it was: changed meanwhile (the chatter's other
    app), it stays as changed, and the screen says so and shows it."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _detail(world, pilot, "likes cats")
        await press(pilot, "d")
        await _question(pilot)
        edits.edit_note(world.context.db, world.account.id, detail.notes[0].id, "likes dogs",
                        by=detail.notes[0].author)
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: [n.body for n in detail.notes] == ["likes dogs"])
        assert _notes(world, detail) == ["likes dogs"]
        assert "Someone else changed this note meanwhile: not deleted" in _said(pilot)


async def test_a_note_deleted_while_edited_is_saved_as_a_new_one(world: World) -> None:
    """Deleted meanwhile (another chatter's app) while its edit was open: the text typed
    is saved as a new note, and the screen says so (it was refused, and lost)."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        detail = await _detail(world, pilot, "likes cats")
        await press(pilot, "e")
        dialog = pilot.app.screen
        assert isinstance(dialog, NoteDialog)
        edits.delete_note(world.context.db, world.account.id, detail.notes[0].id,
                          by=detail.notes[0].author)
        await type_text(pilot, " and dogs")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: [n.body for n in detail.notes] == ["likes cats and dogs"])
        assert _notes(world, detail) == ["likes cats and dogs"]
        assert ("This note was deleted meanwhile: yours is saved as a new note"
                in _said(pilot))


@pytest.mark.parametrize(("keymap", "key"), [({}, "d"), ({"fan.delete_note": "x"}, "x")])
async def test_a_note_emptied_is_not_saved_and_the_key_that_deletes_it_is_named(
    world: World, keymap: dict[str, str], key: str,
) -> None:
    """ctrl+s on a note whose text was cleared says how to delete it instead, by the
    key the keymap binds; a new note left empty has nothing to delete."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.set_keymap(keymap)
        detail = await _detail(world, pilot, "likes cats")
        await press(pilot, "e")
        dialog = pilot.app.screen
        assert isinstance(dialog, NoteDialog)
        dialog.query_one(TextArea).clear()
        await press(pilot, "ctrl+s")
        assert pilot.app.screen is dialog
        assert _said(pilot)[-1] == f"An empty note is not saved: {key} deletes it"
        await press(pilot, "escape", "j", "enter")  # discard the cleared text
        assert pilot.app.screen is detail and _notes(world, detail) == ["likes cats"]
        await press(pilot, "a", "ctrl+s")
        assert _said(pilot)[-1] == "An empty note is not saved"


async def test_the_help_names_the_key(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await _detail(world, pilot)
        await press(pilot, "question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = [(keys, text) for _, owner in help_screen.sections
                for keys, text, _id in help_screen._rows(owner)]  # noqa: SLF001
        assert ("d", "Del note") in rows


async def test_the_fans_hints_name_the_keys_the_keymap_binds(world: World) -> None:
    """The sections' headings and the notices name keys: those the user's keymap binds,
    not the defaults written into the text."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.set_keymap({"fan.add_note": "y", "fan.edit_note": "u", "fan.delete_note": "x",
                        "fan.add_tag": "g", "fan.conversation": "v", "fan.more": "o"})
        detail = await _detail(world, pilot)
        shown = {name: str(detail.query_one(f"#fan-{name}").render()).splitlines()[:2]
                 for name in ("tags", "notes", "messages", "purchases")}
        assert shown["notes"][0] == "Notes (y adds, u edits, x deletes)"
        assert shown["purchases"][1] == "Purchases and tips (o: older)"
        assert "Last messages (v opens the conversation)" in shown["messages"]
        assert detail.detail is not None and detail.detail.profile.tags == ()
        assert shown["tags"][1] == "none (g adds one)"
        await press(pilot, "x")
        assert _said(pilot)[-1] == "No notes yet: y adds one"
