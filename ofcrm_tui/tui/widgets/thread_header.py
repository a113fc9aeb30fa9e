"""Who the open conversation is with: name, username, subscription, spend, tags; and in
team mode, who owns it and who else is on it ("sam is typing…")."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from ofcrm_tui.core.inbox import ConversationRow
from ofcrm_tui.core.team import Present
from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.tui.sanitize import clean
from ofcrm_tui.tui.widgets.styling import span_style


def who_is_here(people: tuple[Present, ...]) -> str:
    """``sam is typing…``, ``ana is viewing``, ``sam and ana are viewing``…"""
    typing = [clean(p.chatter, single_line=True) for p in people if p.typing]
    viewing = [clean(p.chatter, single_line=True) for p in people if not p.typing]
    parts = []
    for names, verb in ((typing, "typing…"), (viewing, "viewing")):
        if names:
            joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            parts.append(f"{joined} {'is' if len(names) == 1 else 'are'} {verb}")
    return "; ".join(parts)


class ThreadHeader(Static):
    COMPONENT_CLASSES = {
        "thread-header--name",
        "thread-header--dim",
        "thread-header--money",
        "thread-header--expired",
        "thread-header--typing",
        "thread-header--viewing",
        "thread-header--owner",
    }

    def _style(self, name: str) -> Style:
        return span_style(self, f"thread-header--{name}")

    def __init__(self, *, me: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.me = me
        self.row: ConversationRow | None = None
        self.people: tuple[Present, ...] = ()

    def show(self, row: ConversationRow | None) -> None:
        self.row = row
        self.refresh()

    def show_people(self, people: tuple[Present, ...]) -> None:
        """The other chatters on this conversation now (typing ones first)."""
        if people != self.people:
            self.people = people
            self.refresh()

    def _team(self) -> Text:
        """Who else is here, then who owns it: shown whatever else must give way."""
        text = Text()
        here = who_is_here(self.people)
        if here:
            typing = any(p.typing for p in self.people)
            text.append("  " + here, self._style("typing" if typing else "viewing"))
        owner = self.row.owner if self.row else None
        if owner is not None:
            name = "you" if owner == self.me else clean(owner, single_line=True)
            text.append(f"  →{name}", self._style("owner"))
        return text

    def render(self) -> Text:
        """Name, @username, subscription, spend, the team part, tags; on a narrow pane
        the tags go first, then the username, then the name is shortened: the spend and
        the team part always show."""
        row, width = self.row, max(1, self.content_size.width)
        if row is None:
            return Text()
        dim = self._style("dim")
        status = clean(row.subscription_status, single_line=True)
        tail = Text("  ·  ", dim)
        tail.append(status, self._style("expired") if status != "active" else "")
        tail.append("  ·  ", dim)
        tail.append(f"spent {format_cents(row.total_spent_cents)}", self._style("money"))
        tail.append_text(self._team())
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
