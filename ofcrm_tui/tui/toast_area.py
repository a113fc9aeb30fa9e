"""Toasts kept over one part of a screen (``keep_toasts_over``), for a screen where
each corner holds something being read or typed: the file picker (its path and first
files top right, its buttons bottom right, its box's border around: they go over the
file list's bottom right).

The rack (Textual's ``ToastRack``, docked at the bottom) is given the width and margins
that put it over the part's inside (its border and scrollbar left clear) after each
layout, so it follows the part as the screen is resized; as high as the part at most."""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.css.scalar import Scalar
from textual.geometry import Spacing
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import ToastRack


def fit_toasts(screen: Screen[Any], part: Widget) -> None:
    """Put ``screen``'s toasts over the inside of ``part`` as it is laid out now."""
    try:
        rack = screen.get_child_by_type(ToastRack)
    except NoMatches:
        return  # notifications off (the app runs without them)
    area, whole = part.scrollable_content_region, screen.region
    if not area.area:
        return  # not laid out yet
    # The rack keeps a gutter for a scrollbar (never drawn: it is hidden) on its right:
    # over the part's own scrollbar and border, the toasts as wide as the part's inside.
    styles = rack.styles
    gutter = styles.scrollbar_size_vertical if styles.overflow_y == "scroll" else 0
    right = max(0, whole.right - area.right - gutter)
    margin = Spacing(0, right, whole.bottom - area.bottom, area.x - whole.x)
    if styles.margin != margin:
        styles.margin = margin
    # Docked, the rack's width is not narrowed by its margins: it is set.
    width = Scalar.from_number(whole.right - right - area.x)
    height = Scalar.from_number(area.height)
    if styles.width != width:
        styles.width = width
    if styles.max_height != height:
        styles.max_height = height


def keep_toasts_over(screen: Screen[Any], part: Widget) -> None:
    """From now on ``screen``'s toasts stand over ``part``, refitted after each layout of
    the screen (a resize moves the part)."""
    screen.screen_layout_refresh_signal.subscribe(screen, lambda _: fit_toasts(screen, part))
