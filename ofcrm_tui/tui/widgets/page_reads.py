"""What a ``PagedList`` reads, in its thread workers: the source of its rows, and the
rows to show after a reload (around the kept row, first rows before the count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Generic, NamedTuple, Protocol, TypeVar

PAGE_SIZE = 100
# The kept row's position and the rows are separate reads: when they disagree (the list
# changed in between), read again, this many times at most.
RELOAD_TRIES = 3

RowT = TypeVar("RowT")


class PageSource(Protocol[RowT]):
    """What a list shows: its query, read in thread workers (so: immutable, and holding
    the database, not the widget). ``anchor`` is the row before ``offset`` when known,
    for a keyset read instead of an OFFSET."""

    def window(self, offset: int, limit: int, anchor: RowT | None) -> list[RowT]: ...

    def count(self) -> int: ...

    def position(self, key: int) -> int | None:
        """The row's index in the list, or None if the query does not list it."""
        ...

    def key(self, row: RowT) -> int:
        """The row's id, stable across reloads (the cursor follows it)."""
        ...


@dataclass(frozen=True)
class Snapshot(Generic[RowT]):
    """A view of the list, loaded in one worker run."""

    count: int  # exact, or (``counted`` False) the count before the reload or the rows read
    counted: bool
    cursor: int
    top: int
    pages: dict[int, list[RowT]]


@dataclass(frozen=True)
class NoRows(Generic[RowT]):
    """``source`` once the database no longer lets this role read its account
    (the list's ``let_go``): it lists nothing and asks nothing of SQL."""

    source: PageSource[RowT]

    def window(self, offset: int, limit: int, anchor: RowT | None) -> list[RowT]:
        return []

    def count(self) -> int:
        return 0

    def position(self, key: int) -> int | None:
        return None

    def key(self, row: RowT) -> int:
        return self.source.key(row)


class Kept(NamedTuple):
    """Where the cursor was on the screen before a reload: its index and the top row."""

    cursor: int
    top: int


def place(cursor: int, page_rows: int, keep: Kept | None) -> int:
    """The top row to show: the cursor in view on a fresh load; on a refresh, the
    cursor's row on the screen line it had, or the top kept if the list was there
    (the rows arriving at the top come into sight, the cursor's row going down with
    its own, as far as the view's bottom)."""
    if keep is None:
        top = 0 if cursor < page_rows - 1 else cursor - page_rows // 3
    else:
        top = keep.top + cursor - keep.cursor
        if keep.top == 0 and cursor < page_rows - 1:
            top = 0
    return max(0, top)


# ``below`` for a kept row that is the list's last: the end of the list is below it.
END = -1


def kept_at(
    source: PageSource[RowT], keep_id: int | None, below: int | None, prefer: int | None = None
) -> tuple[int | None, tuple[int, int] | None]:
    """Where the cursor goes: on ``prefer``'s row when it is listed; else on ``keep_id``'s;
    or, given ``below`` (the key of the row that was below it, or ``END``) and the kept
    row moved up away from that one, in its place: on the row now just above
    ``below``'s; and the kept row gone from the list, on ``below``'s (the last row for
    ``END``). With the read that placed it, as (position, key), for ``load`` to check
    against the rows it reads."""
    if prefer is not None and (found := source.position(prefer)) is not None:
        return found, (found, prefer)
    if keep_id is None:
        return None, None
    if (found := source.position(keep_id)) is None:
        if below == END:
            return max(source.count() - 1, 0), None
        if below is not None and (after := source.position(below)) is not None:
            return after, (after, below)
        return None, None
    if below is not None:
        after = source.count() if below == END else source.position(below)
        # (Not when ``below``'s row went up past it: the kept row did not move.)
        if after is not None and after - 1 > found:
            return after - 1, None if below == END else (after, below)
    return found, (found, keep_id)


def load(
    source: PageSource[RowT],
    keep_id: int | None,
    keep: Kept | None,
    page_rows: int,
    known: int | None,
    below: int | None = None,
    prefer: int | None = None,
) -> tuple[Snapshot[RowT], bool]:
    """The rows to show (around ``prefer`` or ``keep_id``, the first listed, or the
    kept row's place: ``kept_at``), and whether the row checked is at the position found
    for it (False: the list changed between the reads, e.g. a sync committed; read
    again). ``known``: the list's exact count before this reload, kept until the new one
    is in (so a refresh never shrinks the list)."""
    found, checked = kept_at(source, keep_id, below, prefer)
    wanted = found if found is not None else (keep.cursor if keep else 0)
    top = place(wanted, page_rows, keep)
    pages: dict[int, list[RowT]] = {}
    if top + page_rows < PAGE_SIZE and wanted < PAGE_SIZE:
        # All on the first page: show it now, count afterwards.
        pages[0] = source.window(0, PAGE_SIZE, None)
        counted = len(pages[0]) < PAGE_SIZE  # a short first page is the whole list
        count = len(pages[0]) if counted else max(len(pages[0]), known or 0)
    else:
        counted, count = True, source.count()
    position = found if found is not None else min(wanted, max(count - 1, 0))
    top = min(top, max(count - 1, 0))
    for page in range(top // PAGE_SIZE, (top + page_rows) // PAGE_SIZE + 1):
        if page not in pages and page * PAGE_SIZE < count:
            previous = pages.get(page - 1)
            pages[page] = source.window(
                page * PAGE_SIZE, PAGE_SIZE, previous[-1] if previous else None
            )
    snapshot = Snapshot(count, counted, position, top, pages)
    if checked is None or found is None:
        return snapshot, True
    checked_at, checked_key = checked
    page = pages.get(checked_at // PAGE_SIZE)
    if page is None:
        return snapshot, True
    index = checked_at % PAGE_SIZE
    if index < len(page) and source.key(page[index]) == checked_key:
        return snapshot, True
    # The list changed between the reads. The rows read are what will be shown: if the
    # row checked is among them the cursor goes by it, on its screen line, so that the
    # last try (writes landing between every read) leaves it on its row, not on the
    # neighbour now at its old position.
    followed = follow(snapshot, source, checked_key, keep, page_rows, found - checked_at)
    return followed or snapshot, False


def follow(
    snapshot: Snapshot[RowT],
    source: PageSource[RowT],
    key: int,
    keep: Kept | None,
    page_rows: int,
    shift: int = 0,
) -> Snapshot[RowT] | None:
    """``snapshot`` with its cursor on row ``key`` (``shift`` rows from it), on the
    screen line ``keep`` gives it; None if the rows read do not hold it."""
    shown = next(positions(snapshot.pages, lambda row: source.key(row) == key), None)
    return None if shown is None else at(snapshot, max(shown + shift, 0), keep, page_rows)


def positions(pages: Mapping[int, list[RowT]], matches: Callable[[RowT], bool]) -> Iterator[int]:
    """The indices in the list of the rows of ``pages`` (by page number) that ``matches``."""
    return (number * PAGE_SIZE + index for number, rows in pages.items()
            for index, row in enumerate(rows) if matches(row))


def at(
    snapshot: Snapshot[RowT], cursor: int, keep: Kept | None, page_rows: int
) -> Snapshot[RowT]:
    """``snapshot`` with its cursor on row number ``cursor`` (within its count), on the
    screen line ``keep`` gives it."""
    last = max(snapshot.count - 1, 0)
    cursor = min(cursor, last)
    return replace(snapshot, cursor=cursor, top=min(place(cursor, page_rows, keep), last))
