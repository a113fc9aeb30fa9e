"""The pages a list holds: read once, anchored on the page before, the oldest not shown
dropped past ``MAX_PAGES``."""

from __future__ import annotations

from dataclasses import dataclass

from ofcrm_tui.tui.widgets.page_cache import MAX_PAGES, PageCache, visible_pages
from ofcrm_tui.tui.widgets.page_reads import PAGE_SIZE


@dataclass(frozen=True)
class Row:
    key: int
    unread: bool = False


def _rows(page: int) -> list[int]:
    return list(range(page * PAGE_SIZE, (page + 1) * PAGE_SIZE))


def test_a_page_is_read_once_after_the_last_row_of_the_page_before() -> None:
    cache: PageCache[int] = PageCache()
    assert cache.claim(0) and not cache.claim(0)  # being read
    assert not cache.holds([0])
    cache.put(0, _rows(0), shown=[0])
    assert cache.holds([0]) and not cache.claim(0)  # held
    assert cache.anchor(1) == PAGE_SIZE - 1 and cache.anchor(3) is None
    assert cache.row_at(PAGE_SIZE - 1) == PAGE_SIZE - 1 and cache.row_at(PAGE_SIZE) is None


def test_past_the_most_pages_the_oldest_not_shown_go() -> None:
    cache: PageCache[int] = PageCache()
    for page in range(MAX_PAGES + 2):
        cache.put(page, _rows(page), shown=[0, page])
    # Page 0 is shown: pages 1 and 2, the oldest besides, went.
    assert cache.holds([0, *range(3, MAX_PAGES + 2)])
    assert cache.row_at(PAGE_SIZE) is None and cache.row_at(2 * PAGE_SIZE) is None


def test_rows_found_and_changed_where_they_are_held() -> None:
    cache: PageCache[Row] = PageCache()
    cache.hold({2: [Row(key % 3) for key in range(PAGE_SIZE)]})
    zeros = [2 * PAGE_SIZE + index for index in range(0, PAGE_SIZE, 3)]
    assert cache.positions(lambda row: row.key == 0) == zeros
    cache.patch(lambda row: row.key == 0, unread=True)
    assert [cache.row_at(index) for index in zeros] == [Row(0, unread=True)] * len(zeros)
    assert cache.row_at(2 * PAGE_SIZE + 1) == Row(1)


def test_the_pages_a_view_shows() -> None:
    assert visible_pages(top=0, page_rows=20, count=0) == []
    assert visible_pages(top=0, page_rows=20, count=5) == [0]
    assert visible_pages(top=PAGE_SIZE - 5, page_rows=20, count=10 * PAGE_SIZE) == [0, 1]
