import pytest
from textual.widgets import TextArea
from textual.widgets._toast import Toast
from tests.tui.conftest import World
from tests.tui.pilot import settle, wait_for, press
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer

pytestmark = pytest.mark.anyio

@pytest.mark.parametrize("text", ["hi {nickname} see you", "hi {nam} there", "Weekend drop {name}, a set just for you, open it before Sunday " * 3])
async def test_repro(world: World, text) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        composer = app.screen
        await press(pilot, "tab")
        field = app.focused
        field.insert(text)
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        app.notify("Draft saved as 'Weekend drop' (not started)", timeout=30)
        app.notify("3 new messages · are you online tonight? are you", title="Ximena Quiroga", timeout=30)
        await settle(pilot)
        await pilot.pause(0.3)
        for w in ("#campaign-count", "#campaign-sample", "#campaign-preview"):
            print(w, composer.query_one(w).region, str(composer.query_one(w).render())[:300])
        print([t.region for t in composer.query(Toast)])
        app.save_screenshot(f"/tmp/notices/c{len(text)}.svg")
