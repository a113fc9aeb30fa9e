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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row: ConversationRow | None = None

    def show(self, row: ConversationRow | None) -> None:
        self.row = row
        self.refresh()

    def render(self) -> Text:
        """Name, @username, subscription, spend, tags; on a narrow pane the tags go
        first, then the username, then the name is shortened: the spend always shows."""
        row, width = self.row, max(1, self.content_size.width)
        if row is None:
            return Text()
        dim = self._style("dim")
        status = clean(row.subscription_status, single_line=True)
        tail = Text("  ·  ", dim)
        tail.append(status, self._style("expired") if status != "active" else "")
        tail.append("  ·  ", dim)
        tail.append(f"spent {format_cents(row.total_spent_cents)}", self._style("money"))
        handle = Text(f"  @{clean(row.username, single_line=True)}", dim)
        tags = Text("".join(f"  #{clean(tag, single_line=True)}" for tag in row.tags), dim)
        name = Text(clean(row.display_name, single_line=True), self._style("name"))
        for with_handle, with_tags in ((True, True), (True, False), (False, False)):
            extra = handle.cell_len * with_handle + tags.cell_len * with_tags
            if name.cell_len + tail.cell_len + extra <= width:
                break
        name.truncate(max(1, width - tail.cell_len - extra), overflow="ellipsis")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(name)
        if with_handle:
            text.append_text(handle)
        text.append_text(tail)
        if with_tags:
            text.append_text(tags)
        return text
