"""Textual's widget render caches let go of once their widget is gone.

Textual (8.2.8) caches ``StylesCache.get_inner_outer`` with ``lru_cache(1024)`` on the
method, so ``self`` is part of every key: the cache pins the ``StylesCache`` of up to
1024 removed widgets, each with its rendered lines (~985 dead ones after 48 minutes of a
shift). Its result depends on the two colors only, so here it is cached on them alone.
Upstream: Textualize/textual#6665 (open); this module goes once Textual fixes it
(then it is not installed, and ``tests/tui/test_released.py`` says so).
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style


@lru_cache(1024)
def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """The inner and outer background styles, as ``StylesCache.get_inner_outer``."""
    return Style(background=base_background + background), Style(background=base_background)


# Only over the method with the bug: a Textual that caches it otherwise is left as it is.
if hasattr(vars(StylesCache).get("get_inner_outer"), "cache_info"):
    StylesCache.get_inner_outer = staticmethod(inner_outer)  # type: ignore[method-assign,assignment]
