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

# The name is cut to this much (``Chr…``) before the team part gets short or the
# @username is cut.
NAME_LEAST = 4


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

    def _team(self, *, compact: bool) -> Text:
        """Who else is here, then who owns it (``compact``: ``●sam… →sam``)."""
        text = Text()
        if self.people:
            typing = any(p.typing for p in self.people)
            style = self._style("typing" if typing else "viewing")
            if compact:
                first = self.people[0]  # typing ones come first
                more = f"+{len(self.people) - 1}" if len(self.people) > 1 else ""
                name = clean(first.chatter, single_line=True)
                text.append(f"  ●{name}{'…' if first.typing else ''}{more}", style)
            else:
                text.append("  " + who_is_here(self.people), style)
        owner = self.row.owner if self.row else None
        if owner is not None:
            name = "you" if owner == self.me else clean(owner, single_line=True)
            text.append(f"  →{name}", self._style("owner"))
        return text

    def render(self) -> Text:
        """Name, @username, subscription, spend, the team part, tags. On a narrow pane,
        until the name has room: the tags go, then the subscription; then the name is
        shortened (with …), to ``NAME_LEAST`` before the team part gets short. The
        @username stays: two fans of one name are told apart by it; only a pane too
        narrow for ``NAME_LEAST`` of the name cuts it too. The spend and the team part
        always show."""
        row, width = self.row, max(1, self.content_size.width)
        if row is None:
            return Text()
        dim = self._style("dim")
        status = clean(row.subscription_status, single_line=True)
        subscription = Text("  ·  ", dim)
        subscription.append(status, self._style("expired") if status != "active" else "")
        spend = Text("  ·  ", dim)
        spend.append(f"spent {format_cents(row.total_spent_cents)}", self._style("money"))
        handle = Text(f"  @{clean(row.username, single_line=True)}", dim)
        tags = Text("".join(f"  #{clean(tag, single_line=True)}" for tag in row.tags), dim)
        name = Text(clean(row.display_name, single_line=True), self._style("name"))
        empty = Text()
        # (handle, subscription, compact team part, tags, the name's room)
        layouts = [
            (handle, subscription, False, tags, name.cell_len),
            (handle, subscription, False, empty, name.cell_len),
            (handle, empty, False, empty, name.cell_len),
        ]
        least = min(name.cell_len, NAME_LEAST)
        if self.people or row.owner is not None:
            layouts += [(handle, empty, False, empty, least), (handle, empty, True, empty, least)]
        for shown_handle, shown_subscription, compact, shown_tags, room in layouts:
            team = self._team(compact=compact)
            rest = (shown_handle.cell_len + shown_subscription.cell_len + spend.cell_len
                    + team.cell_len + shown_tags.cell_len)
            if room + rest <= width:
                break
        if width - rest < least:  # the handle gives way last, keeping its start
            shown_handle = shown_handle.copy()
            shown_handle.truncate(max(3, shown_handle.cell_len - (least - (width - rest))),
                                  overflow="ellipsis")
            rest = width - least
        name.truncate(max(1, width - rest), overflow="ellipsis")
        text = Text(no_wrap=True, overflow="ellipsis")
        for part in (name, shown_handle, shown_subscription, spend, team, shown_tags):
            text.append_text(part)
        return text
