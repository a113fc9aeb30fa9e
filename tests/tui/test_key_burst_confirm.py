"""Keys typed right behind a key that saves, confirms or moves the focus a turn later,
in one burst (``test_key_burst.py``): the save takes what was there as it was read,
and the keys behind it act where they would have, typed one by one."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from ofcrm_tui.core.fans import edits, profile
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from tests.tui.conftest import World
from tests.tui.pilot import burst, press, settle, wait_for
from tests.tui.test_key_burst_lists import _fans

pytestmark = pytest.mark.anyio
SIZE = (120, 36)


async def _detail(pilot) -> FanDetailScreen:  # noqa: ANN001
    await _fans(pilot)
    await press(pilot, "enter")
    detail = pilot.app.screen
    assert isinstance(detail, FanDetailScreen)
    await wait_for(pilot, lambda: detail.detail is not None)
    return detail


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
