"""Where a reload puts the cursor (``page_reads.load``): on its row, on its screen line."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ofcrm_tui.tui.widgets.page_reads import Kept, load


@dataclass(frozen=True)
class Keys:
    """A list of keys in order, as a ``PageSource``."""

    keys: list[int]

    def window(self, offset: int, limit: int, anchor: int | None) -> list[int]:
        return self.keys[offset:offset + limit]

    def count(self) -> int:
        return len(self.keys)

    def position(self, key: int) -> int | None:
        return self.keys.index(key) if key in self.keys else None

    def key(self, row: int) -> int:
        return row


LIST = list(range(100, 130))


@pytest.mark.parametrize(("top_stays", "top"), [(True, 0), (False, 2)])
def test_at_its_top_a_list_stays_there_or_its_cursor_row_keeps_its_line(
    top_stays: bool, top: int
) -> None:
    """Two rows arrive above the cursor's (its index 3, the list at its top): the list
    stays at its top (``TOP_STAYS``, a log's newest in sight) or scrolls by two."""
    snapshot, _ = load(Keys([140, 141, *LIST]), 103, Kept(3, 0, top_stays), 10, None)
    assert (snapshot.cursor, snapshot.top) == (5, top)
