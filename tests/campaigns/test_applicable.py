"""Which changes a campaign's state allows (what the app's footer offers for it)."""

from __future__ import annotations

import pytest

from ofcrm_tui.core.campaigns import CampaignRow, applicable
from tests.tui.conftest import NOW


def _row(status: str, *, started: bool = True, failed: int = 0) -> CampaignRow:
    return CampaignRow(id=1, name="Drop", status=status, text="hi", price_cents=0,  # type: ignore[arg-type]
                       media_count=0, created_at=NOW, scheduled_at=None,
                       started_at=NOW if started else None, recipients=3,
                       launch_error=None, failed=failed)


@pytest.mark.parametrize(("row", "changes"), [
    (_row("draft", started=False), {"edit", "cancel", "delete"}),
    (_row("scheduled", started=False), {"edit", "cancel"}),
    (_row("running"), {"pause", "cancel"}),
    (_row("running", failed=2), {"pause", "cancel", "retry"}),
    (_row("paused", failed=2), {"resume", "cancel"}),
    (_row("done"), set()),  # nothing left to cancel, nothing to retry
    (_row("done", failed=1), {"cancel", "retry"}),
    (_row("cancelled"), set()),  # it sent: it stays, for its results
    (_row("cancelled", started=False), {"delete"}),
])
def test_a_campaign_offers_the_changes_its_state_allows(
    row: CampaignRow, changes: set[str]
) -> None:
    assert applicable(row) == changes
