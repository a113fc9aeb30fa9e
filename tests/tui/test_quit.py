"""Quitting with messages still queued asks first: quit anyway, wait for them, or stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select
from textual.widgets import Button, Static
from textual.widgets._footer import FooterKey

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import limiter
from ofcrm_tui.store.models import Fan
from ofcrm_tui.tui.dialogs.quit import QuitDialog
from ofcrm_tui.tui.screens.inbox import InboxScreen
from ofcrm_tui.tui.twice import UNSEEN_SECONDS
from tests.tui.conftest import NOW, World
from tests.tui.pilot import TwiceClock, lines, press, settle, wait_for

pytestmark = pytest.mark.anyio

SIZES = [(160, 45), (80, 24)]


def queue_reply(world: World, text: str = "see you at 8") -> int:
    db, account_id = world.context.db, world.account.id
    with db.read() as session:
        fan = session.scalar(
            select(Fan.id).where(Fan.account_id == account_id, Fan.subscription_status == "active")
        )
    return outbox.enqueue(db, account_id, fan, text, created_by="tester", now=NOW)


def dialog_text(dialog: QuitDialog) -> str:
    return str(dialog.query_one("#quit-text", Static).render())


async def asked(pilot, *keys: str) -> QuitDialog:  # noqa: ANN001
    """The question ``q`` asks once the app is up (then ``keys`` pressed in it)."""
    await settle(pilot)
    await press(pilot, "q", *keys)
    dialog = pilot.app.screen
    assert isinstance(dialog, QuitDialog)
    return dialog


def assert_fits(dialog: QuitDialog, size: tuple[int, int]) -> None:
    width, height = size
    for button in dialog.query(Button):
        if not button.display:  # (Wait for them, once chosen)
            continue
        region = button.region
        assert region.width > 0 and region.right <= width and region.bottom <= height, button.id


async def test_nothing_queued_quits_at_once(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "q")
        assert not isinstance(app.screen, QuitDialog)
        assert app._exit  # noqa: SLF001 - app.exit() was called: the app is leaving


@pytest.mark.parametrize("size", SIZES)
async def test_queued_messages_ask_first_and_cancel_stays(
    world: World, size, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    clock = TwiceClock(monkeypatch)  # the second q at once, however busy the machine
    queue_reply(world)
    queue_reply(world, "and a second")
    with world.context.db.write() as session:  # the send window is full until 12:04
        limiter.block(session, world.account.id, NOW + timedelta(minutes=4))
    app = world.app()
    async with app.run_test(size=size) as pilot:
        dialog = await asked(pilot)
        text = dialog_text(dialog)
        assert "2 messages wait to be sent; the next at ~12:04." in text
        assert "sent when ofcrm or an `ofcrm worker` next runs" in text
        assert_fits(dialog, size)

        await press(pilot, "escape")  # cancel: the app runs on
        assert isinstance(app.screen, InboxScreen) and not app._exit  # noqa: SLF001
        await press(pilot, "q", "q")  # asked again: the second q, at once, never saw it
        assert isinstance(app.screen, QuitDialog) and not app._exit  # noqa: SLF001
        clock.advance(UNSEEN_SECONDS)
        await press(pilot, "q")  # read, then quit anyway
        assert app._exit  # noqa: SLF001
    assert outbox.queue_status(world.context.db, world.account.id).depth == 2  # still queued


async def test_in_the_demo_they_would_be_lost(world: World) -> None:
    queue_reply(world)
    app = world.app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        text = dialog_text(await asked(pilot))
        assert "1 message waits to be sent" in text
        assert "they will be lost" in text and "ofcrm worker" not in text


@pytest.mark.parametrize("size", SIZES)
async def test_wait_for_them_quits_once_they_are_out(world: World, size) -> None:  # noqa: ANN001
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        dialog = await asked(pilot, "w")
        assert "Waiting for them" in dialog_text(dialog) and "1 message waits" in dialog_text(dialog)
        assert_fits(dialog, size)
        # The button keeps its whole label (its width was Back's: it read "Stop").
        stop = dialog.query_one("#quit-cancel", Button)
        assert [line.strip() for line in lines(stop)] == ["Stop waiting"]
        await asyncio.sleep(1.2)
        assert not app._exit  # noqa: SLF001 - still queued: still waiting

        await asyncio.to_thread(world.drain)  # the sender sends it
        await wait_for(pilot, lambda: app._exit)  # noqa: SLF001
    assert len(world.sim.ledger()) == 1


@pytest.mark.parametrize("size", SIZES)
async def test_a_campaigns_messages_say_whose_they_are_and_how_long_they_take(
    world: World, size: tuple[int, int]
) -> None:
    """"31 messages wait" said neither that they were a campaign's nor how long they
    take: the campaign's name and its time at the send limit (as the composer says)."""
    from ofcrm_tui.core import campaigns
    from ofcrm_tui.core.campaigns import CampaignSpec, Segment

    queue_reply(world)
    created = campaigns.create(world.context.db, world.account.id,
                               CampaignSpec("VIP drop", "hi", Segment()), created_by="tester",
                               now=NOW)
    rows, limit = created.recipients, world.account.send_limit_per_minute
    reserve = world.context.settings.reply_reserve_per_minute
    minutes = -(-rows // (limit - reserve))  # campaigns leave the reserve to replies
    assert 1 < minutes < 60
    app = world.app()
    async with app.run_test(size=size) as pilot:
        dialog = await asked(pilot)
        text = " ".join(dialog_text(dialog).split())
        assert text.startswith(
            f'{rows + 1} messages wait to be sent ({rows} of campaign "VIP drop": about '
            f"{minutes} min at {limit}/min, {reserve} kept for replies); the next "), text
        assert_fits(dialog, size)


def footer_keys(dialog: QuitDialog) -> dict[str, str]:
    """The keys the dialog's footer names, and what it names them."""
    return {key.key: key.description for key in dialog.query(FooterKey)}


@pytest.mark.parametrize("size", SIZES)
async def test_the_footer_names_esc_as_its_button_does(world: World, size) -> None:  # noqa: ANN001
    """Esc and the button it stands for have one name: "Back" while asking (as every
    question's Esc: "Cancel" could be read as cancelling the messages), "Stop waiting"
    once waiting (the footer still said "esc Cancel"); ``w`` is no longer offered once
    waiting, nor its button shown (it was, greyed: the chatter had chosen it), and the
    text says how to quit anyway."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=size) as pilot:
        dialog = await asked(pilot)
        await settle(pilot)
        stop = dialog.query_one("#quit-cancel", Button)
        assert footer_keys(dialog) == {
            "q": "Quit anyway", "w": "Wait for them", "escape": "Back"}
        assert str(stop.label) == "Back"
        await press(pilot, "w")
        await wait_for(pilot, lambda: footer_keys(dialog).get("escape") == str(stop.label))
        assert footer_keys(dialog) == {"q": "Quit anyway", "escape": "Stop waiting"}
        assert "(q: quit anyway · esc: stop waiting)" in dialog_text(dialog)
        assert not dialog.query_one("#quit-wait", Button).display
        assert [str(b.label) for b in dialog.query(Button) if b.display] == [
            "Quit anyway", "Stop waiting"]
        await press(pilot, "escape")  # stops waiting: the app runs on
        assert isinstance(app.screen, InboxScreen) and not app._exit  # noqa: SLF001


async def test_waiting_names_the_keys_the_keymap_binds(world: World) -> None:
    """The text said "q" and "esc" whatever the user's ``[keymap]`` bound."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.set_keymap({"quit.anyway": "x", "quit.cancel": "ctrl+b"})
        dialog = await asked(pilot, "w")
        assert "(x: quit anyway · ^b: stop waiting)" in dialog_text(dialog)


async def test_waiting_can_be_stopped(world: World) -> None:
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "q", "w", "escape")
        assert isinstance(app.screen, InboxScreen)
        await asyncio.to_thread(world.drain)
        await asyncio.sleep(1.2)
        await settle(pilot)
        assert not app._exit  # noqa: SLF001 - no longer waiting to quit


@pytest.mark.parametrize("keys", [("tab", "enter"), ("w", "enter")], ids=["back", "stop"])
async def test_the_button_esc_stands_for_stays_in_the_app(world: World, keys: tuple[str, ...]) -> None:
    """The Back button (Tab to it from "Wait for them") and, once waiting, the Stop
    waiting button (focused) do what Esc does under either name: the app runs on, and
    does not quit once the messages are out."""
    queue_reply(world)
    app = world.app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await asked(pilot, keys[0])
        await wait_for(pilot, lambda: dialog.focused is dialog.query_one("#quit-cancel"))
        await press(pilot, *keys[1:])
        assert isinstance(app.screen, InboxScreen)
        await asyncio.to_thread(world.drain)
        await asyncio.sleep(1.2)
        await settle(pilot)
        assert not app._exit  # noqa: SLF001
