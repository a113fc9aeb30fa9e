"""The rows a ``PagedList`` holds: the pages read so far (at most ``MAX_PAGES``, the
oldest not shown dropped first), the pages being read, and which pages a view shows."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from typing import Generic

from ofcrm_tui.tui.widgets.page_reads import PAGE_SIZE, RowT, positions

MAX_PAGES = 12


def visible_pages(top: int, page_rows: int, count: int) -> list[int]:
    """The pages a view of ``page_rows`` rows from row ``top`` shows, of ``count`` rows."""
    if not count:
        return []
    last = min(count - 1, top + page_rows)
    return list(range(top // PAGE_SIZE, last // PAGE_SIZE + 1))


class PageCache(Generic[RowT]):
    """Pages of rows by number, in the order they came."""

    def __init__(self) -> None:
        self._pages: OrderedDict[int, list[RowT]] = OrderedDict()
        self._loading: set[int] = set()

    def clear(self) -> None:
        """Nothing held, nothing being read (a new query)."""
        self._pages.clear()
        self._loading.clear()

    def hold(self, pages: dict[int, list[RowT]]) -> None:
        """Hold just ``pages`` (a reload's), none being read."""
        self._pages = OrderedDict(pages)
        self._loading.clear()

    def row_at(self, index: int) -> RowT | None:
        page = self._pages.get(index // PAGE_SIZE)
        if page is None or index % PAGE_SIZE >= len(page):
            return None
        return page[index % PAGE_SIZE]

    def holds(self, pages: Iterable[int]) -> bool:
        """Whether ``pages`` are all in and no page is being read."""
        return not self._loading and all(page in self._pages for page in pages)

    def claim(self, page: int) -> bool:
        """Whether ``page`` is to be read (neither held nor being read): it is being read
        from now on."""
        if page in self._pages or page in self._loading:
            return False
        self._loading.add(page)
        return True

    def anchor(self, page: int) -> RowT | None:
        """The row before ``page``'s first, when held (a keyset read starts after it)."""
        before = self._pages.get(page - 1)
        return before[-1] if before else None

    def put(self, page: int, rows: list[RowT], shown: Collection[int]) -> None:
        """``page`` read: held, and past ``MAX_PAGES`` the oldest pages not ``shown`` go."""
        self._loading.discard(page)
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            oldest = next((p for p in self._pages if p not in shown), None)
            if oldest is None:
                break
            del self._pages[oldest]

    def positions(self, matches: Callable[[RowT], bool]) -> list[int]:
        """The indices in the list of the rows held that ``matches``."""
        return list(positions(self._pages, matches))

    def patch(self, matches: Callable[[RowT], bool], **changes: object) -> None:
        """The rows held that ``matches``, with ``changes`` (rows are frozen dataclasses)."""
        for page in self._pages.values():
            for index, row in enumerate(page):
                if matches(row):
                    page[index] = replace(row, **changes)  # type: ignore[type-var]
