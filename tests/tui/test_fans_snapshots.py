"""Snapshots of the fans screen and a fan's detail (fixed data, frozen clock); update
with ``pytest tests/tui/test_fans_snapshots.py --snapshot-update`` and look first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from ofcrm_tui.core.fans import edits
from ofcrm_tui.store.models import Fan, Note
from tests.tui.conftest import NOW, World
from tests.tui.pilot import press, settle
from tests.tui.test_snapshots import freeze_status

SIZE = (100, 30)


def _decorate(world: World) -> None:
    """Tags and a note on the top spender, so both show."""
    db, account = world.context.db, world.account.id
    with db.read() as session:
        top = session.scalars(select(Fan.id).where(Fan.account_id == account)
                              .order_by(Fan.total_spent_cents.desc(), Fan.id.desc())).first()
    edits.add_tags(db, account, top, ["vip", "whale"])
    edits.set_nickname(db, account, top, "[b]Top[/b] fan")
    note = edits.add_note(db, account, top, "Prefers videos.\nAsk about the trip.", author="tester")
    with db.write() as session:
        session.execute(update(Note).where(Note.id == note.id).values(
            created_at=NOW - timedelta(days=2), updated_at=NOW - timedelta(days=2)))


def test_fans_screen(world: World, snap_compare) -> None:  # noqa: ANN001 - the syrupy fixture
    _decorate(world)
    freeze_status(world)

    async def show(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "3")

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=show)


def test_fan_detail(world: World, snap_compare) -> None:  # noqa: ANN001
    _decorate(world)
    freeze_status(world)

    async def show(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "3", "enter")

    assert snap_compare(world.app(), terminal_size=SIZE, run_before=show)
