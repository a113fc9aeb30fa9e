"""Toasts kept over one part of a screen (``keep_toasts_over``), for a screen where
each corner holds something being read or typed: the file picker (its path and first
files top right, its buttons bottom right, its box's border around: they go over the
file list's bottom right); the Failed screen (the reason and the retry limit under its
list, the keys under them: over the list's bottom right, or its top right while the
cursor's row is in the list's lower half); the fan import (bottom right of the dialog
down to its options, right of them: under them are the next step and the border).

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
from textual.widgets._toast import ToastRack

ClearOf = Callable[[], Region | None]
# A widget (its inside, its border and scrollbar left clear) or a region worked out
# after each layout.
Part = Widget | Callable[[], Region]


def _span(area: Region, row: Region | None) -> tuple[Region, bool]:
    """The part of ``area`` on the larger side of ``row`` (below on a tie), and whether
    it is the upper side: the whole ``area`` when ``row`` is out of it or fills it."""
    if row is None or not row.overlaps(area):
        return area, False
    above = Region(area.x, area.y, area.width, max(0, row.y - area.y))
    below = Region(area.x, row.bottom, area.width, max(0, area.bottom - row.bottom))
    if below.height >= above.height:
        return (below, False) if below.height else (area, False)
    return above, True


def fit_toasts(screen: Screen[Any], part: Part, clear_of: ClearOf | None = None) -> None:
    """Put ``screen``'s toasts over the inside of ``part`` as it is laid out now, off
    the region ``clear_of()`` names (on its larger side) if any."""
    try:
        rack = screen.get_child_by_type(ToastRack)
    except NoMatches:
        return  # notifications off (the app runs without them)
    area = part.scrollable_content_region if isinstance(part, Widget) else part()
    whole = screen.region
    if not area.area:
        return  # not laid out yet
    area, on_top = _span(area, clear_of() if clear_of else None)
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
    screen: Screen[Any], part: Part, clear_of: ClearOf | None = None
) -> Callable[[], None]:
    """From now on ``screen``'s toasts stand over ``part`` (off ``clear_of()``), refitted
    after each layout of the screen (a resize moves the part). Returns the refit, for
    what moves without a layout (``clear_of``'s region: a cursor's row)."""

    def refit() -> None:
        fit_toasts(screen, part, clear_of)

    screen.screen_layout_refresh_signal.subscribe(screen, lambda _: refit())
    return refit
