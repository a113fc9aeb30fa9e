"""A ``PagedList``'s rows on the screen: ``ROW_HEIGHT`` lines each, scrolled by whole
rows, the cursor's drawn over its row; what the view shows (its rows, its pages) and
how each line is drawn from the rows held (a placeholder for a row not in yet, the
list's words when it has none); the rows above the view, counted in its border title.
Reading the rows is ``paged_list``'s."""

from __future__ import annotations

from typing import ClassVar, Generic

from rich.style import Style
from rich.text import Text
from textual.content import Content, ContentType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import _BorderTitle

from ofcrm_tui.tui.widgets.page_cache import PageCache, visible_pages
from ofcrm_tui.tui.widgets.page_reads import Kept, RowT
from ofcrm_tui.tui.widgets.styling import span_style

# A border's corners, the line beside each and a space either side of its title.
BORDER_LABEL_CELLS = 6


class _MarkedTitle(_BorderTitle):
    """The border title as the screen sets it, drawn with the rows above the view
    counted after it (``RowView.above``): every list says so, whatever its screen puts
    in its title, and however often (Textual's descriptor, ``set`` taken first)."""

    def __set__(self, obj: RowView[RowT], title: Text | ContentType | None) -> None:
        obj._title_set = title
        super().__set__(obj, obj._marked(title))


class RowView(ScrollView, Generic[RowT]):
    """``count`` rows, those held in ``_cache``, a ``cursor`` among them; subclasses
    name their component classes ``<COMPONENT_PREFIX>--cursor`` / ``--placeholder``."""

    ROW_HEIGHT: ClassVar[int] = 1
    COMPONENT_PREFIX: ClassVar[str]

    border_title = _MarkedTitle()
    # The title as the screen set it, and the rows above the view as its marker says:
    # scrolled, or arrived there out of sight while the cursor's row kept its line.
    _title_set: Text | ContentType | None = None
    above = 0

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count = 0
        self.cursor = 0
        self._cache: PageCache[RowT] = PageCache()

    # -- what a list defines -------------------------------------------------------

    def render_row(self, row: RowT, part: int, width: int) -> Text:
        """Line ``part`` (0 to ``ROW_HEIGHT`` - 1) of ``row``, at most ``width`` cells."""
        raise NotImplementedError

    def no_rows_text(self) -> str:
        """What an empty list says once loaded."""
        raise NotImplementedError

    @property
    def empty_text(self) -> str:
        """What an empty list says now."""
        return self.no_rows_text()

    # -- the rows ------------------------------------------------------------------

    @property
    def cursor_row(self) -> RowT | None:
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> RowT | None:
        return self._cache.row_at(index)

    # -- geometry ------------------------------------------------------------------

    def _page_rows(self) -> int:
        return max(1, self.container_size.height // self.ROW_HEIGHT + 1)

    def _top_row(self) -> int:
        return int(self.scroll_offset.y) // self.ROW_HEIGHT

    def _kept(self) -> Kept:
        """The cursor's place on the screen, for a reload to keep."""
        return Kept(self.cursor, self._top_row())

    def _visible_pages(self) -> list[int]:
        return visible_pages(self._top_row(), self._page_rows(), self.count)

    def _size_to_count(self) -> None:
        # Spare lines when the view's height is not a whole number of rows, so scrolled
        # to the end it starts with a whole row.
        spare = self.container_size.height % self.ROW_HEIGHT if self.count else 0
        self.virtual_size = Size(0, self.count * self.ROW_HEIGHT + spare)

    # -- the rows above the view, in the title -------------------------------------

    @property
    def above_mark(self) -> Text:
        """``  ↑13 above`` after the title while rows are above the view, else empty."""
        return Text(f"  ↑{self.above:,} above" if self.above else "", style="bold")

    @property
    def short_above_mark(self) -> Text:
        """``  ↑13``: the marker where the title and ``above_mark`` do not both fit."""
        return Text(f"  ↑{self.above:,}" if self.above else "", style="bold")

    def _count_above(self) -> bool:
        """Count the rows above the view again, the title marked with them; True if
        the count changed."""
        above = self._top_row() if self.count else 0
        if above == self.above:
            return False
        self.above = above
        self.border_title = self._title_set
        return True

    def _marked(self, title: Text | ContentType | None) -> Text | ContentType | None:
        """``title`` with the marker after it: its short form (``↑13``) when the title
        and ``↑13 above`` do not both fit the border (what the title says, a filter,
        goes before the marker's word), the title cut before it when even that does not
        fit, so the marker stays in sight."""
        mark = self.above_mark
        if title is None or not mark:
            return title
        head = Content.from_rich_text(title) if isinstance(title, Text) else self.render_str(title)
        border = self.outer_size.width - BORDER_LABEL_CELLS
        if border > 0 and head.cell_length + mark.cell_len > border:
            mark = self.short_above_mark
        room = border - mark.cell_len
        if room > 0 and head.cell_length > room:
            head = head.truncate(room, ellipsis=True)
        return head + Content.from_rich_text(mark)

    def _scroll_to_cursor(self) -> None:
        """Scroll as little as shows the cursor's row whole, by whole rows (the top line
        is always a row's first line)."""
        height = self.ROW_HEIGHT
        fit = max(1, self.container_size.height // height)
        top = min(self._top_row(), self.cursor)
        top = max(top, self.cursor - fit + 1)
        self.scroll_to(y=top * height, animate=False, immediate=True, force=True)

    # -- drawing -------------------------------------------------------------------

    def on_focus(self) -> None:
        self.refresh()  # the cursor is drawn differently with focus

    def on_blur(self) -> None:
        self.refresh()

    def _style(self, name: str) -> Style:
        return span_style(self, f"{self.COMPONENT_PREFIX}--{name}")

    def _width(self) -> int:
        return self.container_size.width - self.scrollbar_size_vertical

    def render_line(self, y: int) -> Strip:
        width = self._width()
        line = y + int(self.scroll_offset.y)
        index, part = divmod(line, self.ROW_HEIGHT)
        # An empty list says why on its second line.
        if index >= self.count and (self.count or line != 1):
            return Strip.blank(width, self.rich_style)
        if not self.count:
            text = Text(self.empty_text.center(width), style=self._style("placeholder"))
        elif (row := self.row_at(index)) is None:
            text = Text("  …" if part == 0 else "", style=self._style("placeholder"))
        else:
            text = self.render_row(row, part, width)
        text.truncate(width, overflow="ellipsis", pad=True)
        if self.count and index == self.cursor:
            # Under the spans, so a badge keeps its colour.
            text.style = self.get_component_rich_style(f"{self.COMPONENT_PREFIX}--cursor")
        return Strip(text.render(self.app.console), width).apply_style(self.rich_style)
