"""The vault reaches the database from the polls too (every ``MEDIA_EVERY``): without it a
team's workers, which only poll, never gave the chatters anything to sell."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from ofcrm_tui.core.sync import MEDIA_EVERY, InboundSync
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator.world import Media as SimMedia
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Media, SyncCursor
from ofcrm_tui.store.types import utcnow
from tests.support.accounts import add_simulated_account


def _vault(db: Database, account_id: int) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Media).where(Media.account_id == account_id))


def test_polls_bring_new_uploads_every_media_every(db: Database, simulator, monkeypatch) -> None:  # noqa: ANN001
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    with PlatformClient(base_url, sim.config.token) as client:
        sync = InboundSync(db, account.id, client)
        assert sync.poll().media == len(sim.world.media)  # never read: at the first poll
        before = _vault(db, account.id)
        with sim.lock:
            sim.world.media.append(SimMedia(99_999, "photo", sim.world.now()))
            sim.world.media_types[99_999] = "photo"
        assert sync.poll().media == 0 and _vault(db, account.id) == before  # not due yet
        with db.write() as session:
            session.execute(update(SyncCursor).where(
                SyncCursor.account_id == account.id, SyncCursor.stream == "media.checked_at",
            ).values(value=(utcnow() - MEDIA_EVERY - timedelta(seconds=1)).isoformat()))
        assert sync.poll().media == before + 1
    assert _vault(db, account.id) == before + 1
