"""Fans: the fan filter (one compiled select for lists, segments and counts), search, lookup,
profile, notes and tags (edits), CSV import and export."""

from ofcrm_tui.core.fans.filter import (
    FanFilter,
    FilterError,
    Status,
    checked,
    fan_ids,
    row_conditions,
    set_conditions,
)
from ofcrm_tui.core.fans.resolve import FanError, FanRef, resolve_fan

__all__ = [
    "FanError",
    "FanFilter",
    "FanRef",
    "FilterError",
    "Status",
    "checked",
    "fan_ids",
    "resolve_fan",
    "row_conditions",
    "set_conditions",
]
