"""The inbox filter: the fan filter plus what only a conversation has (unread, owner), as SQL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, Select, literal, select

from ofcrm_tui.core.fans.filter import FanFilter, Status, row_conditions, set_conditions
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Assignment, Conversation, Fan, Tag
from ofcrm_tui.store.probe import ProbeOnly

_C = Conversation.__table__.c
_F = Fan.__table__.c


class InboxError(OfcrmError):
    pass


# "fan": by the fan's last message (a chatter's reply does not move a conversation);
# "activity": by the last message either way.
Order = Literal["fan", "activity"]


@dataclass(frozen=True)
class InboxFilter:
    unread_only: bool = False
    purchased_only: bool = False  # fans with total_spent_cents > 0
    tag: str | None = None  # tag name
    status: Status | None = None
    query: str | None = None  # `/` search: fan names and message text
    assigned_to: str | None = None  # owned by this chatter ("mine")
    unassigned: bool = False  # owned by nobody
    order: Order = "activity"  # how the list is sorted (not a filter: counts ignore it)
    me: str = ""  # the chatter whose drafts the rows mark (not a filter either)
    # Unread only: this conversation is listed read too (the one open, as mail clients
    # keep the message being read); see ``kept.py``.
    keep: int | None = None

    @property
    def filtering(self) -> bool:
        """Whether it leaves out any conversation."""
        return self != InboxFilter(order=self.order, me=self.me, keep=self.keep)

    @cached_property
    def fans(self) -> FanFilter:
        """The part of this filter that is about the fan."""
        return FanFilter(
            tags_in=() if self.tag is None else (self.tag,),
            status=self.status,
            purchased=True if self.purchased_only else None,
            search=self.query,
        )


def needs_fans(flt: InboxFilter) -> bool:
    """The filter reads the fan's row: its list joins fans."""
    return flt.fans.reads_fan_row


def set_driven(flt: InboxFilter) -> bool:
    """A tag or a search picks a set of fans first: such lists start from that set."""
    return flt.fans.picks_set


def sort_column(flt: InboxFilter) -> Any:
    """The time the list is sorted on, newest first (the id breaks ties)."""
    return _C.last_fan_message_at if flt.order == "fan" else _C.last_message_at


def conditions(
    db: Database, account_id: int, flt: InboxFilter, *, ordered: bool
) -> list[ColumnElement[bool]]:
    fans = flt.fans
    if ordered and fans.picks_set:
        # Read the set's conversations by fan id and sort them: walking the inbox in
        # order and testing each conversation against the set reads every row (and
        # each row's fan id from the table) when the set is small or old.
        found: list[ColumnElement[bool]] = [
            ProbeOnly(_C.account_id) == account_id,
            ProbeOnly(sort_column(flt)).is_not(None),
        ]
    else:
        # Listed: has a message. Both times are set together; a list tests the one it
        # sorts on, so its index alone answers.
        listed = sort_column(flt) if ordered else _C.last_message_at
        found = [_C.account_id == account_id, listed.is_not(None)]
    if flt.unread_only:
        # Spelled exactly as the partial index's WHERE (a literal 0, not a parameter),
        # so the planner can use ix_conversations_unread.
        found.append(_C.unread_count > literal(0, Integer, literal_execute=True))
    found += owner_conditions(account_id, flt)
    # Fan columns are tested on the joined row, never driving (see ProbeOnly).
    found += row_conditions(fans, Fan.__table__, probe_only=True)
    found += set_conditions(db, account_id, fans, _C.fan_id)
    return found


def owner_conditions(account_id: int, flt: InboxFilter) -> list[ColumnElement[bool]]:
    """Who owns the conversation (team mode's "mine" and "unassigned")."""
    a = Assignment.__table__.c
    found: list[ColumnElement[bool]] = []
    if flt.assigned_to is not None:
        found.append(_C.id.in_(select(a.conversation_id).where(
            a.account_id == account_id, a.chatter == flt.assigned_to)))
    if flt.unassigned:
        found.append(_C.id.not_in(select(a.conversation_id).where(a.account_id == account_id)))
    return found


def base(
    columns: Any,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    *,
    join: bool,
    ordered: bool,
) -> Select[Any]:
    """``columns`` of the account's listed conversations passing ``flt``.

    ``ordered``: for a query that reads in list order (a window, a position), as
    opposed to a count.
    """
    statement = select(*columns).select_from(Conversation.__table__)
    if join:
        statement = statement.join(Fan.__table__, _F.id == _C.fan_id).where(
            ProbeOnly(_F.account_id) == account_id
        )
    return statement.where(*conditions(db, account_id, flt, ordered=ordered))


def tags(db: Database, account_id: int) -> list[str]:
    """The account's tag names, for the filter by tag."""
    with db.read() as session:
        return list(
            session.scalars(select(Tag.name).where(Tag.account_id == account_id).order_by(Tag.name))
        )
