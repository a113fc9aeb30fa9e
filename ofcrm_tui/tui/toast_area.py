"""Toasts kept over one part of a screen (``keep_toasts_over``), for a screen where
each corner holds something being read or typed: the file picker (its path and first
files top right, its buttons bottom right, its box's border around: they go over the
file list's bottom right); the Failed screen (the reason and the retry limit under its
list, the keys under them: over the list, off the cursor's row); the fan import (the
dialog down to its options, off its report); analytics (the revenue chart's lines, off
its legend, amounts and dates); the fans screen (over its list's bottom right, inside
its border: measured, the rack cut a two-line notice's last line); the inbox (over the
thread pane from its top, off the reply box: measured, the rack cut "N new messages
from A, B and 4 more" at 80 columns where its line broke); the campaign composer (over
its side panel, off the preview while it is a refusal).

Off a region (``clear_of``: the cursor's row, the report) the toasts take one side of
it, at the part's edge away from it: the larger side when they come (or the side
``top`` names, while they fit there), and that side while they are up, for as long as
they fit there. So they move only when the region
would come under them, never as it merely crosses the middle (on the Failed screen they
changed sides as the cursor did, at each key).

The rack (Textual's ``ToastRack``, docked) is given the size and margins that put it
over the part's inside (its border and scrollbar left clear) after each layout, so it
follows the part as the screen is resized. Its height is set, not measured: measured,
it was one line short when the toasts' width (45% of the rack's) came to a line break,
and the last toast's last line went over the part's border."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.css.query import NoMatches
from textual.css.scalar import Scalar
from textual.geometry import Region, Spacing
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import Toast, ToastRack

ClearOf = Callable[[], Region | None]
# A widget (its inside, its border and scrollbar left clear) or a region worked out
# after each layout.
Part = Widget | Callable[[], Region]


def _side(area: Region, clear: Region | None, on_top: bool) -> Region:
    """The part of ``area`` above ``clear`` (``on_top``) or below it: the whole
    ``area`` when ``clear`` is out of it."""
    if clear is None or not clear.overlaps(area):
        return area
    if on_top:
        return Region(area.x, area.y, area.width, max(0, clear.y - area.y))
    return Region(area.x, clear.bottom, area.width, max(0, area.bottom - clear.bottom))


def _span(area: Region, clear: Region | None, on_top: bool | None,
          needed: int) -> tuple[Region, bool]:
    """Where the toasts go and whether on top: on the side ``on_top`` says while they
    fit there (``needed`` lines; None: no side yet), else on the larger (below on a tie);
    the whole ``area`` when ``clear`` fills it."""
    if on_top is not None and _side(area, clear, on_top).height >= needed:
        return _side(area, clear, on_top), on_top
    above, below = _side(area, clear, True), _side(area, clear, False)
    if below.height >= above.height:
        return (below, False) if below.height else (area, False)
    return above, True


class ToastArea:
    """Where one screen's toasts go, and the side they took (kept while they are up)."""

    def __init__(self, screen: Screen[Any], part: Part, clear_of: ClearOf | None = None,
                 top: bool | None = None) -> None:
        self.screen = screen
        self.part = part
        self.clear_of = clear_of
        self.top = top  # the side the toasts take when they come (None: the larger)
        self.on_top: bool | None = None  # the side taken by the toasts up (None: none up)

    def fit(self) -> None:
        """Put the screen's toasts over the inside of the part as it is laid out now,
        off the region ``clear_of()`` names, if any."""
        try:
            rack = self.screen.get_child_by_type(ToastRack)
        except NoMatches:
            return  # notifications off (the app runs without them)
        part = self.part
        area = part.scrollable_content_region if isinstance(part, Widget) else part()
        if not area.area:
            return  # not laid out yet, or out of view (scrolled away): they stay put
        needed = _lines(rack)
        kept = self.on_top if rack.display and needed else self.top
        area, self.on_top = _span(area, self.clear_of() if self.clear_of else None, kept, needed)
        _place(rack, self.screen.region, area, self.on_top)


def _lines(rack: ToastRack) -> int:
    """The lines the toasts up take, their margins too, as laid out (0: none up). Their
    holders, hidden, have no size: the toasts' own are added up."""
    return sum(toast.outer_size.height + toast.styles.margin.height
               for toast in rack.query(Toast) if toast.outer_size.height)


def _place(rack: ToastRack, whole: Region, area: Region, on_top: bool) -> None:
    """Dock ``rack`` (in ``whole``, the screen) over ``area``, its toasts from its top
    or bottom."""
    # The rack keeps a gutter for a scrollbar (never drawn: it is hidden) on its right:
    # over the part's own scrollbar and border, the toasts as wide as the part's inside.
    styles = rack.styles
    gutter = styles.scrollbar_size_vertical if styles.overflow_y == "scroll" else 0
    right = max(0, whole.right - area.right - gutter)
    dock, align = ("top", "top") if on_top else ("bottom", "bottom")
    if on_top:
        margin = Spacing(area.y - whole.y, right, 0, area.x - whole.x)
    else:
        margin = Spacing(0, right, whole.bottom - area.bottom, area.x - whole.x)
    # Docked, the rack's width is not narrowed by its margins: it is set.
    width = Scalar.from_number(whole.right - right - area.x)
    height = Scalar.from_number(area.height)
    wanted = {"dock": dock, "align_vertical": align, "margin": margin, "width": width,
              "height": height, "max_height": height}
    for name, value in wanted.items():
        if getattr(styles, name) != value:  # set only when it moved: each set lays out again
            setattr(styles, name, value)


def keep_toasts_over(
    screen: Screen[Any], part: Part, clear_of: ClearOf | None = None, top: bool | None = None
) -> Callable[[], None]:
    """From now on ``screen``'s toasts stand over ``part`` (off ``clear_of()``; from its
    top or bottom as ``top`` says while they fit there, else on the larger side), refitted
    after each layout of the screen (a resize moves the part). Returns the refit, for
    what moves without a layout (``clear_of``'s region: a cursor's row)."""
    area = ToastArea(screen, part, clear_of, top)
    screen.screen_layout_refresh_signal.subscribe(screen, lambda _: area.fit())
    return area.fit
