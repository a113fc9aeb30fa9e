"""Creating and deleting fans on the fans screen: the new fan dialog, its keys, a refused
fan kept in the dialog with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from textual.widgets import Input

from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.fan_new import NewFanDialog
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from tests.tui.conftest import World
from tests.tui.fans_pilot import open_fans
from tests.tui.pilot import press, settle, type_text, wait_for


pytestmark = pytest.mark.anyio


async def test_create_and_delete_a_fan(world: World) -> None:
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_fans(pilot)
        await press(pilot, "n")
        for field in ("newbie", "New Bie", "[b]Nb[/b]"):
            await type_text(pilot, field)
            await press(pilot, "enter")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        assert detail.detail.profile.username == "newbie"
        assert detail.detail.profile.platform_user_id is None
        assert "(not on the platform)" in str(detail.query_one("#fan-profile").render())
        await press(pilot, "D")
        choice = pilot.app.screen
        await wait_for(pilot, lambda: bool(choice.query("OptionList Option")) or
                       choice.query_one("OptionList").option_count > 0)
        options = choice.query_one("OptionList")
        assert str(options.get_option_at_index(0).prompt) == "Keep the fan"  # what Enter does
        question = str(options.get_option_at_index(1).prompt)
        # A fan by hand, with nothing that goes with them: no counts, no "next sync".
        assert question == "Delete [b]Nb[/b] (@newbie)?"
        await press(pilot, "j", "enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FansScreen))
        await wait_for(pilot, lambda: screen.fans.counted and screen.fans.count == 30)
        # The toast names the fan gone ("Fan deleted" did not), their nickname literally.
        said = [str(n.message) for n in pilot.app._notifications]
        assert "Deleted [b]Nb[/b] (@newbie)" in said, said
        with world.context.db.read() as session:
            assert session.scalar(select(Fan.id).where(Fan.username == "newbie")) is None
        # the same username twice is refused in one line, in the dialog
        await press(pilot, "n")
        await type_text(pilot, "newbie")
        await press(pilot, "ctrl+s")
        assert isinstance(pilot.app.screen, FanDetailScreen)
        await press(pilot, "escape", "n")
        await type_text(pilot, "newbie")
        await press(pilot, "ctrl+s")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFanDialog)
        assert "already has a fan @newbie" in str(dialog.query_one("#fan-new-error").render())


async def test_a_refused_new_fan_keeps_the_dialog_open_with_the_reason(world: World) -> None:
    """A bad username: the dialog stays, shows why in one line, keeps what was typed
    and puts the cursor back on the username, its text selected (typed over:
    ``test_form_refusals``); an arrow keeps it to be corrected; once it is, the fan is
    added."""
    async with world.app().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, "n")
        await type_text(pilot, "bad name")
        await press(pilot, "enter")
        await type_text(pilot, "Ann")
        await press(pilot, "enter")
        await type_text(pilot, "annie")
        await press(pilot, "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, NewFanDialog)
        error = dialog.query_one("#fan-new-error")
        assert error.display and "username 'bad name' contains spaces" in str(error.render())
        assert error.region.height == 1
        assert dialog.query_one("#fan-new-dialog").content_region.contains_region(error.region)
        values = [dialog.query_one(f"#fan-new-{f}", Input).value for f in ("username", "name", "nickname")]
        assert values == ["bad name", "Ann", "annie"]
        username = dialog.query_one("#fan-new-username", Input)
        assert pilot.app.focused is username
        await press(pilot, "end", "backspace")
        # the field changed: the refusal's reason no longer holds and goes
        assert not error.display and "contains spaces" not in str(error.render())
        await press(pilot, "backspace", "backspace", "backspace", "backspace")
        await type_text(pilot, "_name")  # corrected, not typed over
        assert username.value == "bad_name"
        await press(pilot, "ctrl+s")
        detail = pilot.app.screen
        assert isinstance(detail, FanDetailScreen)
        await wait_for(pilot, lambda: detail.detail is not None)
        assert detail.detail.profile.username == "bad_name"


@pytest.mark.parametrize("key", ["plus", "n"])
async def test_both_keys_the_footer_names_open_the_new_fan_dialog(world: World, key: str) -> None:
    """Textual names the ``+`` key ``plus``: bound as ``plus_sign`` it did nothing."""
    async with world.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_fans(pilot)
        await press(pilot, key)
        assert isinstance(pilot.app.screen, NewFanDialog)
