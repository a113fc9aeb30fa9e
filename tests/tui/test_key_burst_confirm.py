"""Keys typed right behind a key that saves, confirms or moves the focus a turn later,
in one burst (``test_key_burst.py``): the save takes what was typed before it, and the
keys behind it act where they would have, typed one by one."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.tui.dialogs.fan_filter import FanFilterDialog
from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog
from ofcrm_tui.tui.dialogs.fan_note import NoteDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.fans_pilot import fans_loaded
from tests.tui.pilot import burst, press, settle, wait_for

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


async def _detail(pilot) -> FanDetailScreen:  # noqa: ANN001
    await fans_loaded(pilot)
    await press(pilot, "enter")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None)
    return detail


async def test_keys_behind_ctrl_s_are_not_saved_with_the_new_fan(world: World) -> None:
    """``racefan Tab Name1 ctrl+s XYZ`` added a fan named "Name1XYZ"."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await fans_loaded(pilot)
        await press(pilot, "n")
        assert isinstance(app.screen, NewFanDialog)
        burst(app, *"racefan", "tab", *"Name1", "ctrl+s", *"XYZ")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, FanDetailScreen))
        fan = profile.fan_profile(world.context.db, world.account.id, app.screen.fan_id)
        assert (fan.username, fan.name) == ("racefan", "Name1")


async def test_a_new_fan_typed_field_by_field_with_enter(world: World) -> None:
    """Enter goes on to the next field, and in the last adds the fan: the keys behind
    each Enter went into the field it left."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await fans_loaded(pilot)
        await press(pilot, "n")
        burst(app, *"racefan", "enter", *"Name1", "enter", *"nick", "enter", *"XYZ")
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, FanDetailScreen))
        fan = profile.fan_profile(world.context.db, world.account.id, app.screen.fan_id)
        assert (fan.username, fan.name, fan.nickname) == ("racefan", "Name1", "nick")


async def test_keys_behind_a_refused_save_go_on_into_the_dialog(world: World) -> None:
    """No username: the dialog stays, and what was typed behind ctrl+s is in it."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        await fans_loaded(pilot)
        await press(pilot, "n")
        dialog = app.screen
        assert isinstance(dialog, NewFanDialog)
        burst(app, "tab", *"Name1", "ctrl+s", *"lena")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.query_one("#fan-new-username", Input).value == "lena"
        assert dialog.query_one("#fan-new-name", Input).value == "Name1"


async def test_a_key_behind_a_note_saved_acts_on_the_fan(world: World) -> None:
    """``note one ctrl+s t`` saved "note onet": now the note is saved as it was, and t
    opens the tag line."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _detail(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, NoteDialog)
        burst(app, *"note one", "ctrl+s", "t", *"x1")
        await settle(pilot)
        await wait_for(pilot, lambda: [n.body for n in detail.notes] == ["note one"])
        assert app.screen is detail and detail.editing == "tag"
        assert detail.query_one("#fan-edit", Input).value == "x1"


async def test_an_empty_note_refused_takes_the_keys_behind_it(world: World) -> None:
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _detail(pilot)
        await press(pilot, "a")
        burst(app, "ctrl+s", *"hey", "ctrl+s")
        await settle(pilot)
        await wait_for(pilot, lambda: [n.body for n in detail.notes] == ["hey"])
        assert app.screen is detail


@pytest.mark.parametrize("apply", ["ctrl+s", "enter"])
async def test_a_key_behind_the_filter_applied_acts_on_the_fans(world: World, apply: str) -> None:
    """``whale ctrl+s s`` filtered on "whales": now on "whale", and s sorts (Enter in a
    field applies too)."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await fans_loaded(pilot)
        sort = screen.sort
        await press(pilot, "f")
        assert isinstance(app.screen, FanFilterDialog)
        burst(app, *"whale", apply, "s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.flt.tags_in == ("whale",) and screen.sort != sort


@pytest.mark.parametrize(("keys", "nickname", "tags"), [
    (("t", *"a1", "enter", "t", *"b2", "enter"), None, ("a1", "b2")),
    (("n", "ctrl+u", *"Twenty", "enter", "t", *"qq1", "enter"), "Twenty", ("qq1",)),
])
async def test_edits_of_a_fan_in_one_burst_are_all_saved(
    world: World, keys: tuple[str, ...], nickname: str | None, tags: tuple[str, ...]
) -> None:
    """The keys behind Enter in the edit line went into it (Enter closed it later): the
    second edit was lost."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _detail(pilot)
        burst(app, *keys)
        await settle(pilot)
        fan = profile.fan_profile(world.context.db, world.account.id, detail.fan_id)
        assert fan.tags == tags
        if nickname is not None:
            assert fan.nickname == nickname
        assert app.screen is detail and not detail.query_one("#fan-edit", Input).display


async def test_tab_right_behind_the_letters_takes_the_suggestion(world: World) -> None:
    """``t w Tab``: the suggestion was not in yet when Tab was read (it did nothing)."""
    db, account = world.context.db, world.account.id
    edits.add_tags(db, account, edits.create_fan(db, account, username="someone"), ["whale"])
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        detail = await _detail(pilot)
        burst(app, "t", "w", "tab")
        await settle(pilot)
        assert detail.query_one("#fan-edit", Input).value == "whale"


async def test_choices_of_the_filters_drop_downs_in_one_burst(world: World) -> None:
    """The keys behind the Enter that opens a drop-down went to the closed drop-down
    (its list had not the focus yet): nothing was chosen."""
    app = world.app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await fans_loaded(pilot)
        await press(pilot, "f")
        dialog = app.screen
        assert isinstance(dialog, FanFilterDialog)
        burst(app, "tab", "tab", "enter", "down", "down", "enter",
              "tab", "enter", "down", "enter")
        # The keys held for a drop-down's list go once it has the focus, after a refresh:
        # on a loaded machine that can be after a settle (keys lost would time out here).
        await wait_for(pilot, lambda: dialog.query_one("#fan-filter-purchased", Select).value is True)
        assert dialog.query_one("#fan-filter-status", Select).value == "expired"
        burst(app, "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert (screen.flt.status, screen.flt.purchased) == ("expired", True)
