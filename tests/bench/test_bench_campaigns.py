"""The campaign bench's launch on a small account: what it sends is a text the app takes."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_campaigns  # noqa: E402

from ofcrm_tui.store.database import Database  # noqa: E402
from ofcrm_tui.store.models import Account, Fan, OutboundMessage  # noqa: E402


def test_the_launch_sends_to_every_active_fan_and_leaves_nothing_queued(db: Database) -> None:
    with db.write() as session:
        account = Account(name="bench", base_url="http://bench.invalid")
        session.add(account)
        session.flush()
        for number, status in enumerate(("active", "active", "expired"), start=1):
            session.add(Fan(account_id=account.id, platform_user_id=number, username=f"fan{number}",
                            subscription_status=status))
        account_id = account.id
    launched = bench_campaigns.launch(db, account_id)
    assert launched.recipients == 2
    with db.read() as session:
        assert session.query(OutboundMessage).count() == 0
