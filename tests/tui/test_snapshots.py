"""Snapshots of the main screens on fixed data with a frozen clock.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the SVGs in ``tests/tui/__snapshots__`` before committing them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from ofcrm_tui.core import metrics, outbox
from ofcrm_tui.store.models import Conversation, Media, Message, MetricEvent, OutboundMessage
from tests.tui.conftest import HOSTILE, NOW, World
from tests.tui.pilot import settle

SIZE = (120, 36)


def freeze_status(world: World) -> None:
    """The last poll three seconds before the frozen now, whenever the test runs."""
    with world.context.db.write() as session:
        session.execute(
            update(MetricEvent)
            .where(MetricEvent.name == metrics.POLL)
            .values(recorded_at=NOW - timedelta(seconds=3))
        )


def craft_thread(world: World) -> int:
    """Replace the newest conversation's messages with one of every kind; returns its id."""
    db, account_id = world.context.db, world.account.id
    with db.write() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.account_id == account_id)
            # The top of the inbox (by the fan's last message): what enter opens.
            .order_by(Conversation.last_fan_message_at.desc(), Conversation.id.desc())
        ).first()
        media = session.scalars(select(Media.platform_media_id).where(
            Media.account_id == account_id).order_by(Media.platform_media_id).limit(3)).all()
        session.execute(delete(Message).where(Message.conversation_id == conversation.id))
        base = dict(account_id=account_id, conversation_id=conversation.id,
                    fan_id=conversation.fan_id)
        kinds = [
            dict(direction="in", text="hey, are you there? 👀"),
            dict(direction="out", text="always for you", sent_by="tester"),
            dict(direction="in", text="for the last set", is_tip=True, tip_cents=2000),
            dict(direction="out", text="a little preview…", price_cents=1999, is_opened=True,
                 media_count=3, media_ids=media),
            dict(direction="out", text="the full video", price_cents=4500, media_count=1,
                 media_ids=media[:1]),
            dict(direction="in", text=HOSTILE + "\nand a second line"),
        ]
        for step, kind in enumerate(kinds):
            session.add(Message(**base, platform_message_id=9_000_000 + step,
                                created_at=NOW - timedelta(hours=6 - step), **kind))
        conversation.unread_count = 0
        conversation.last_message_at = NOW - timedelta(minutes=1)
        conversation.last_message_preview = "and a second line"
        fan_id = conversation.fan_id
        conversation_id = conversation.id
    states = ["queued", "sending", "unknown", "failed"]
    for minutes, state in enumerate(states):
        row = outbox.enqueue(db, account_id, fan_id, f"reply that is {state}", created_by="tester",
                             now=NOW - timedelta(minutes=50 - minutes))
        with db.write() as session:
            session.execute(update(OutboundMessage).where(OutboundMessage.id == row).values(
                state=state, last_error="403: the fan's subscription has expired"
                if state == "failed" else None))
    return conversation_id


def test_inbox(world: World, snap_compare) -> None:  # noqa: ANN001 - the syrupy fixture
    freeze_status(world)
    assert snap_compare(world.app(), terminal_size=SIZE, run_before=settle)


def test_thread_with_every_message_kind(world: World, snap_compare) -> None:  # noqa: ANN001
    craft_thread(world)
    freeze_status(world)

    async def open_it(pilot) -> None:  # noqa: ANN001 - a Pilot
        await settle(pilot)
        for key in ("enter", "tab"):
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(world.app(), terminal_size=(120, 50), run_before=open_it)


def test_composer_with_a_ppv_price(world: World, snap_compare) -> None:  # noqa: ANN001
    freeze_status(world)
    keys = ("enter", "r", *"only for you tonight", "ctrl+o", "tab", "space", "shift+tab",
            *"25", "enter", "escape")  # leave the composer: a blinking cursor is a coin flip

    async def compose(pilot) -> None:  # noqa: ANN001 - a Pilot
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=compose)


def test_help(world: World, snap_compare) -> None:  # noqa: ANN001
    freeze_status(world)

    async def show_help(pilot) -> None:  # noqa: ANN001 - a Pilot
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=show_help)


def test_inbox_at_80x24_with_an_open_thread(world: World, snap_compare) -> None:  # noqa: ANN001
    craft_thread(world)
    freeze_status(world)

    async def open_it(pilot) -> None:  # noqa: ANN001 - a Pilot
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=open_it)


def test_offer_dialog_at_80x24(world: World, snap_compare) -> None:  # noqa: ANN001
    freeze_status(world)

    async def offer(pilot) -> None:  # noqa: ANN001 - a Pilot
        await settle(pilot)
        for key in ("enter", "r", "ctrl+o", "tab", "space"):
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(world.app(), terminal_size=(80, 24), run_before=offer)
