"""The fans list: one account's fans through the fan filter, in one of four orders, one
line each, on the virtual paging list (``paged_list.py``). Each order has its column to
check it by: the name, Spent, Active, and, sorted by subscription, Since (in Active's
place: the order's dates, which the others' columns did not show).

Columns give way to the terminal's width: first they narrow (80 columns keep them all),
then the last active time goes, then the last message, the tags and the status; the name
takes what is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from sqlalchemy import Select

from ofcrm_tui.core.fans import FanFilter, fan_ids, listing
from ofcrm_tui.core.fans.listing import FanRow, FanSort
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, local_now, short_time
from ofcrm_tui.tui.widgets.paged_list import PagedList

NAME_MIN = 22
# (column, title, width, narrow width), in the order they are dropped when even their
# narrow widths do not fit. The narrow widths hold every value but a spend of $100,000.
COLUMNS: tuple[tuple[str, str, int, int], ...] = (
    ("active", "Active", 9, 8),
    ("message", "Last msg", 9, 8),
    ("tags", "Tags", 18, 16),
    ("status", "Status", 8, 7),
    ("spent", "Spent", 11, 10),
)
SHOWN_ORDER = ("status", "spent", "active", "message", "tags")
# Sorted by subscription, the Active column shows when each fan subscribed instead.
SINCE = ("since", "Since")
SORT_NAMES = {
    FanSort.SPEND: "by spend",
    FanSort.LAST_ACTIVE: "by last active",
    FanSort.SUBSCRIBED: "by subscribed since",
    FanSort.NAME: "by name",
}


def layout(width: int, sort: FanSort) -> list[tuple[str, str, int]]:
    """The columns (after the name) that fit in ``width`` cells, left to right, for the
    list in the ``sort`` order."""
    kept = [(key, title, wide) for key, title, wide, _ in COLUMNS]
    if NAME_MIN + sum(w + 1 for _, _, w in kept) > width:
        kept = [(key, title, narrow) for key, title, _, narrow in COLUMNS]
    while kept and NAME_MIN + sum(w + 1 for _, _, w in kept) > width:
        kept.pop(0)
    kept.sort(key=lambda column: SHOWN_ORDER.index(column[0]))
    if sort is FanSort.SUBSCRIBED:
        kept = [(*SINCE, w) if key == "active" else (key, title, w) for key, title, w in kept]
    return kept


def header(width: int, sort: FanSort) -> Text:
    """The title line over the list, for the same width and order."""
    columns = layout(width, sort)
    name_width = max(1, width - sum(w + 1 for _, _, w in columns) - 1)
    text = Text(" " + "Fan".ljust(name_width)[:name_width])
    for key, title, column_width in columns:
        text.append(" " + (title.rjust if key == "spent" else title.ljust)(column_width))
    return text


def describe_filter(flt: FanFilter) -> list[str]:
    """The search and filter in a few words each, for the list's title: the parts all
    hold (``·``); the tags are any of theirs (``#vip or #whale``), the left-out ones
    none (``not #a · not #b``)."""
    parts = [f"“{clean(flt.search, single_line=True)}”"] if flt.search else []
    if flt.tags_in:
        parts.append(" or ".join(f"#{clean(t, single_line=True)}" for t in flt.tags_in))
    parts += [f"not #{clean(t, single_line=True)}" for t in flt.tags_out]
    if flt.status:
        parts.append(flt.status)
    if flt.min_spent_cents is not None:
        parts.append(f"≥ {format_cents(flt.min_spent_cents)}")
    if flt.max_spent_cents is not None:
        parts.append(f"≤ {format_cents(flt.max_spent_cents)}")
    if flt.active_after is not None:
        parts.append(f"active since {flt.active_after:%Y-%m-%d}")
    if flt.active_before is not None:
        parts.append(f"inactive since {flt.active_before:%Y-%m-%d}")
    if flt.purchased is not None:
        parts.append("purchased" if flt.purchased else "never purchased")
    return parts


@dataclass(frozen=True)
class FanSource:
    """What the list shows: one account's fans through one filter, in one order."""

    db: Database
    account_id: int
    flt: FanFilter = FanFilter()
    sort: FanSort = FanSort.SPEND

    def selected(self) -> Select[Any] | None:
        """The filter's fan ids (None: every fan of the account)."""
        return None if self.flt == FanFilter() else fan_ids(self.db, self.account_id, self.flt)

    def window(self, offset: int, limit: int, anchor: FanRow | None) -> list[FanRow]:
        return listing.fans_window(self.db, self.account_id, fan_ids=self.selected(),
                                   sort=self.sort, after=anchor, offset=offset, limit=limit)

    def count(self) -> int:
        return listing.count_fans(self.db, self.account_id, self.selected())

    def position(self, key: int) -> int | None:
        return listing.fan_position(self.db, self.account_id, key, fan_ids=self.selected(),
                                    sort=self.sort)

    def key(self, row: FanRow) -> int:
        return row.fan_id


class FanList(PagedList[FanRow]):
    """One line per fan: name and @username, then the columns that fit."""

    COMPONENT_PREFIX = "fan-list"
    COMPONENT_CLASSES = {
        "fan-list--cursor",
        "fan-list--dim",
        "fan-list--money",
        "fan-list--expired",
        "fan-list--tag",
        "fan-list--placeholder",
    }

    class Opened(PagedList.Opened):
        """The chatter opened a fan (enter, a click)."""

        row: FanRow

    class Listed(PagedList.Listed):
        """The list (re)loaded: its first rows are in (the count may follow)."""

    class Counted(PagedList.Counted):
        """The exact count is in: ``count`` fans match the filter."""

    source: FanSource | None

    def __init__(self, *, clock: Clock = local_now, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def no_rows_text(self) -> str:
        """What matched none, and the key that clears it (esc the search, x all)."""
        flt = self.source.flt if self.source else FanFilter()
        if flt == FanFilter():
            return "No fans yet"
        if flt == FanFilter(search=flt.search):
            clears = "esc clears the search"
        else:
            clears = "x clears the filter" + (" and the search" if flt.search else "")
        return f"No fans match {' · '.join(describe_filter(flt))}: {clears}"

    def render_row(self, row: FanRow, part: int, width: int) -> Text:
        columns = layout(width, self.source.sort if self.source else FanSort.SPEND)
        name_width = max(1, width - sum(w + 1 for _, _, w in columns) - 1)
        name = Text(" ").append_text(self._name_cell(row, name_width))
        name.truncate(name_width + 1, overflow="ellipsis", pad=True)
        now = self.clock()
        for key, _, column_width in columns:
            name.append(" ")
            name.append_text(self._cell(row, key, now, column_width))
        return name

    def _name_cell(self, row: FanRow, width: int) -> Text:
        """The name and @username in ``width`` cells: a long name is cut (an ellipsis
        says so) before the @username is, down to half the width."""
        name = Text(clean(row.display_name, single_line=True))
        if not row.username or row.username == row.display_name:
            return name
        at = Text(" @" + clean(row.username, single_line=True), self._style("dim"))
        if name.cell_len + at.cell_len > width:
            name.truncate(max(width - at.cell_len, min(name.cell_len, width // 2)),
                          overflow="ellipsis")
        return name.append_text(at)

    def _cell(self, row: FanRow, key: str, now: datetime, width: int) -> Text:
        if key == "spent":
            cell = Text(format_cents(row.total_spent_cents).rjust(width), self._style("money"))
        elif key == "status":
            status = row.subscription_status
            style = "" if status == "active" else self._style("expired" if status else "dim")
            cell = Text(status or listing.NO_STATUS, style)
        elif key == "active":
            cell = Text(short_time(row.last_seen_at, now), self._style("dim"))
        elif key == "since":
            cell = Text(short_time(row.subscribed_at, now), self._style("dim"))
        elif key == "message":
            cell = Text(short_time(row.last_message_at, now), self._style("dim"))
        else:
            cell = Text(" ".join("#" + clean(tag, single_line=True) for tag in row.tags),
                        self._style("tag"))
        cell.truncate(width, overflow="ellipsis", pad=True)
        return cell
