"""Who the open conversation is with: name, username, subscription, spend, tags."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean


class ThreadHeader(Static):
    COMPONENT_CLASSES = {"thread-header--name", "thread-header--dim", "thread-header--money",
                         "thread-header--expired"}

    def show(self, row: ConversationRow | None) -> None:
        if row is None:
            self.update(Text("No conversation open: pick one and press enter",
                             style=self.get_component_rich_style("thread-header--dim")))
            return
        dim = self.get_component_rich_style("thread-header--dim")
        text = Text(clean(row.display_name, single_line=True),
                    style=self.get_component_rich_style("thread-header--name"))
        text.append(f"  @{clean(row.username, single_line=True)}", dim)
        text.append("  ·  ", dim)
        expired = row.subscription_status != "active"
        text.append(clean(row.subscription_status, single_line=True),
                    self.get_component_rich_style("thread-header--expired") if expired else "")
        text.append("  ·  ", dim)
        text.append(f"spent {format_cents(row.total_spent_cents)}",
                    self.get_component_rich_style("thread-header--money"))
        for tag in row.tags:
            text.append(f"  #{clean(tag, single_line=True)}", dim)
        self.update(text)
