"""The audit trail, newest first: a window onto SQL (``PagedList``), one line an event."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from ofcrm_tui.core import access
from ofcrm_tui.core.access import AuditRow, AuditSpan
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.timefmt import Clock, stamp
from ofcrm_tui.tui.widgets.paged_list import PagedList


@dataclass(frozen=True)
class AuditSource:
    db: Database
    span: AuditSpan

    def window(self, offset: int, limit: int, anchor: AuditRow | None) -> list[AuditRow]:
        return access.audit_window(self.db, self.span, offset, limit, anchor)

    def count(self) -> int:
        return access.count_audit(self.db, self.span)

    def position(self, key: int) -> int | None:
        return access.audit_position(self.db, self.span, key)

    def key(self, row: AuditRow) -> int:
        return row.id


class AuditList(PagedList[AuditRow]):
    COMPONENT_PREFIX = "audit-list"
    COMPONENT_CLASSES = {"audit-list--cursor", "audit-list--placeholder", "audit-list--time",
                         "audit-list--action"}

    class Opened(PagedList.Opened):
        """An event was opened (nothing to open: the line is the event)."""

    class Listed(PagedList.Listed):
        pass

    class Counted(PagedList.Counted):
        pass

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.note = "No audit events yet"  # what the list says when empty

    def render_row(self, row: AuditRow, part: int, width: int) -> Text:
        text = Text(f"{stamp(row.at, self.clock()):>12}  ", style=self._style("time"))
        text.append(clean(row.actor, single_line=True)[:16].ljust(17))
        text.append(row.action.replace("_", " ").ljust(19), style=self._style("action"))
        if row.account_name or row.account_id:
            text.append(clean(row.account_name or f"#{row.account_id}", single_line=True)[:16]
                        + "  ")
        if row.rows is not None:
            text.append(f"{row.rows:,} rows  ")
        text.append(clean(row.detail, single_line=True), style="dim")
        return text

    def no_rows_text(self) -> str:
        return self.note
