"""Who the open conversation is with: name, username, subscription, spend, tags."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.styling import span_style


class ThreadHeader(Static):
    COMPONENT_CLASSES = {
        "thread-header--name",
        "thread-header--dim",
        "thread-header--money",
        "thread-header--expired",
    }

    def _style(self, name: str) -> Style:
        return span_style(self, f"thread-header--{name}")

    def show(self, row: ConversationRow | None) -> None:
        text = Text()
        if row is not None:
            dim = self._style("dim")
            text.append(clean(row.display_name, single_line=True), self._style("name"))
            text.append(f"  @{clean(row.username, single_line=True)}  ·  ", dim)
            status = clean(row.subscription_status, single_line=True)
            text.append(status, self._style("expired") if status != "active" else "")
            text.append("  ·  ", dim)
            text.append(f"spent {format_cents(row.total_spent_cents)}", self._style("money"))
            for tag in row.tags:
                text.append(f"  #{clean(tag, single_line=True)}", dim)
        self.update(text)
