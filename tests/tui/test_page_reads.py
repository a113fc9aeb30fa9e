"""Where a reload puts the cursor (``page_reads.load``): on its row, on its screen line,
or, for a row that moved up (``below`` given), in the place it left."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ofcrm_tui.tui.widgets.page_reads import END, Kept, load


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


def _cursor(
    keys: list[int], keep_id: int, below: int | None, old: tuple[int, int]
) -> tuple[int, int]:
    """The row the cursor is on after the reload, and its screen line (``old``: the
    cursor's index and the top row before it; 10 rows fit)."""
    snapshot, settled = load(Keys(keys), keep_id, Kept(*old), 10, None, below)
    assert settled
    return keys[snapshot.cursor], snapshot.cursor - snapshot.top


LIST = list(range(100, 130))


@pytest.mark.parametrize(("keys", "cursor"), [
    # Nothing moved, or rows came above: the cursor stays on 112, on its line (2).
    (LIST, 112),
    ([140, 141, *LIST], 112),
    # 112 went to the top: its place, the row above 113 (111), rows come above or not.
    ([112, *LIST[:12], *LIST[13:]], 111),
    ([112, 140, *LIST[:12], *LIST[13:]], 111),
    # The row below (113) went to the top, not 112: the cursor stays on 112.
    ([113, *LIST[:13], *LIST[14:]], 112),
])
def test_the_cursor_stays_on_its_row_unless_the_row_moved_up_away_from_its_place(
    keys: list[int], cursor: int
) -> None:
    assert _cursor(keys, 112, 113, (12, 10)) == (cursor, 2)
    assert _cursor(keys, 112, None, (12, 10))[0] == 112  # no place asked: its row


def test_the_last_row_moved_up_leaves_the_cursor_on_the_new_last_row() -> None:
    moved = [129, 140, *LIST[:-1]]
    assert _cursor(moved, 129, END, (29, 25)) == (128, 4)
    assert _cursor([140, *LIST], 129, END, (29, 25)) == (129, 4)


@pytest.mark.parametrize(("keys", "kept", "below", "old", "cursor"), [
    # 112 left (read, in the unread-only inbox): on 113, the row that was below it,
    # whether rows came above or not (its old line then held 111, the row above it).
    ([*LIST[:12], *LIST[13:]], 112, 113, (12, 10), 113),
    ([140, 141, *LIST[:12], *LIST[13:]], 112, 113, (12, 10), 113),
    # The last row left: on the new last one.
    (LIST[:-1], 129, END, (29, 25), 128),
])
def test_a_row_gone_leaves_the_cursor_on_the_row_that_was_below_it(
    keys: list[int], kept: int, below: int, old: tuple[int, int], cursor: int
) -> None:
    assert _cursor(keys, kept, below, old)[0] == cursor


@dataclass(frozen=True)
class Moving(Keys):
    """Positions read before a row came to the top, the rows read after."""

    before: list[int]

    def position(self, key: int) -> int | None:
        return self.before.index(key) if key in self.before else None


def test_a_row_arriving_between_the_reads_leaves_the_cursor_in_the_place_kept() -> None:
    before = [112, *LIST[:12], *LIST[13:]]
    snapshot, settled = load(Moving([140, *before], before), 112, Kept(12, 10), 10, None, 113)
    assert not settled  # read again
    assert snapshot.pages[0][snapshot.cursor] == 111  # above 113, where the rows put it


@pytest.mark.parametrize(("top", "shown_top"), [(0, 0), (1, 3)])
def test_at_its_top_a_list_stays_there_else_its_cursor_row_keeps_its_line(
    top: int, shown_top: int
) -> None:
    """Two rows arrive above the cursor's (its index 3): a list at its top stays there
    (the newest in sight); scrolled by one, it scrolls by two more."""
    snapshot, _ = load(Keys([140, 141, *LIST]), 103, Kept(3, top), 10, None)
    assert (snapshot.cursor, snapshot.top) == (5, shown_top)


@dataclass(frozen=True)
class Asked(Keys):
    """``Keys`` noting each position it is asked."""

    asked: list[int]

    def position(self, key: int) -> int | None:
        self.asked.append(key)
        return super().position(key)


@pytest.mark.parametrize(("prefer", "cursor", "asked"), [
    (105, 105, [105]),  # listed: the cursor on it, its position read once
    (99, 112, [99, 112, 113]),  # not listed: the kept row's (and the one below it)
])
def test_a_preferred_row_listed_takes_the_cursor_its_position_read_once(
    prefer: int, cursor: int, asked: list[int]
) -> None:
    """``prefer`` (the Failed list's retried row) was read twice a reload: once to see
    that it was listed, once to place the cursor on it."""
    source = Asked(LIST, [])
    snapshot, settled = load(source, 112, Kept(12, 10), 10, None, 113, prefer=prefer)
    assert settled and snapshot.pages[0][snapshot.cursor] == cursor
    assert source.asked == asked
