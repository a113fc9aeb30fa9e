"""The conversation list's rows: what a row holds and the SQL that reads rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, exists, literal, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.inbox.filter import InboxError, InboxFilter, Order, sort_column
from ofcrm_tui.core.threads import message_preview
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import (
    Assignment,
    Conversation,
    Draft,
    Fan,
    FanTag,
    OutboundMessage,
    Tag,
    fan_display_name,
)
from ofcrm_tui.store.probe import ProbeOnly

_C = Conversation.__table__.c
_F = Fan.__table__.c


@dataclass(frozen=True)
class FailedSend:
    """The newest message to a fan that failed and waits to be retried or discarded."""

    preview: str  # as the list previews a message (raw text: the UI neutralises it)
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class ConversationRow:
    conversation_id: int
    fan_id: int
    platform_user_id: int
    display_name: str  # nickname, else name, else username
    username: str
    preview: str  # last message text (raw fan text: the UI neutralises it)
    last_message_at: datetime | None
    last_direction: str | None  # "in" / "out"
    unread_count: int
    total_spent_cents: int
    subscription_status: str
    tags: tuple[str, ...]
    # The fan's name on the platform, for saved-reply placeholders (never the nickname:
    # the team's private label for the fan).
    name: str = ""
    has_draft: bool = False  # the chatter left unsent text or an offer in it
    last_fan_message_at: datetime | None = None  # the sort key of the "fan" order
    owner: str | None = None  # the chatter it is assigned to (raw: the UI neutralises it)
    # The chatter who sent the last message from ofcrm (None: inbound, or sent elsewhere).
    last_sent_by: str | None = None
    failed: FailedSend | None = None

    def sorted_at(self, order: Order) -> datetime | None:
        """The time the list sorts this row on in ``order`` (the time the row shows)."""
        return self.last_fan_message_at if order == "fan" else self.last_message_at

    @property
    def failed_last(self) -> bool:
        """The failed message was written after the conversation's last message: it
        stands where a sent reply would (a newer message, either way, stands there)."""
        if self.failed is None:
            return False
        return self.last_message_at is None or self.failed.created_at > self.last_message_at


def row_columns(me: str) -> tuple[Any, ...]:
    """The columns of a list row; ``has_draft``: a draft of chatter ``me`` (or one saved
    before drafts were per chatter)."""
    d = Draft.__table__.c
    return (
        _C.id,
        _C.fan_id,
        _F.platform_user_id,
        _F.nickname,
        _F.name,
        _F.username,
        _C.last_message_preview,
        _C.last_message_at,
        _C.last_message_direction,
        _C.unread_count,
        _F.total_spent_cents,
        _F.subscription_status,
        # A unique index's lookup per row shown (a chatter's draft, or one from before).
        exists().where(d.conversation_id == _C.id, d.chatter.in_(sorted({me, ""})))
        .label("has_draft"),
        _C.last_fan_message_at,
        # A primary key lookup per row shown.
        select(Assignment.chatter)
        .where(Assignment.conversation_id == _C.id, Assignment.account_id == _C.account_id)
        .scalar_subquery()
        .label("owner"),
        _C.last_message_sent_by,
    )


def newest_first(flt: InboxFilter) -> tuple[Any, Any]:
    """The list's ORDER BY."""
    return sort_column(flt).desc(), _C.id.desc()


def sort_key(flt: InboxFilter, row: ConversationRow) -> tuple[datetime | None, int]:
    """``row``'s key in ``flt``'s order, for keyset reads after it."""
    return row.sorted_at(flt.order), row.conversation_id


def _row(values: Any, tags: tuple[str, ...], failed: FailedSend | None) -> ConversationRow:
    (
        conversation_id,
        fan_id,
        platform_user_id,
        nickname,
        name,
        username,
        preview,
        last_at,
        direction,
        unread,
        spent,
        status,
        has_draft,
        last_fan_at,
        owner,
        last_sent_by,
    ) = values
    return ConversationRow(
        conversation_id=conversation_id,
        fan_id=fan_id,
        platform_user_id=platform_user_id,
        display_name=fan_display_name(nickname, name, username),
        username=username,
        preview=preview,
        last_message_at=last_at,
        last_direction=direction,
        unread_count=unread,
        total_spent_cents=spent,
        subscription_status=status,
        tags=tags,
        name=name,
        has_draft=bool(has_draft),
        last_fan_message_at=last_fan_at,
        owner=owner,
        last_sent_by=last_sent_by,
        failed=failed,
    )


def _fan_tags(session: Session, account_id: int, fan_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not fan_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(FanTag.fan_id, Tag.name)
        .join(Tag, Tag.id == FanTag.tag_id)
        .where(ProbeOnly(FanTag.account_id) == account_id, FanTag.fan_id.in_(fan_ids))
        .order_by(Tag.name)
    )
    for fan_id, name in rows:
        found.setdefault(fan_id, []).append(name)
    return {fan_id: tuple(names) for fan_id, names in found.items()}


def _failed_sends(session: Session, account_id: int, fan_ids: list[int]) -> dict[int, FailedSend]:
    """The newest failed message to each of these fans that has one."""
    if not fan_ids:
        return {}
    o = OutboundMessage.__table__.c
    found = session.execute(
        select(o.fan_id, o.id, o.text, o.price_cents, o.media_ids, o.created_by, o.created_at)
        # By ix_outbound_failed_fan (0041): the page's fans' failed rows alone (the
        # account's may be a whole campaign's; the fans' all, every campaign's). The
        # state is written out, as the partial index's WHERE.
        .where(o.fan_id.in_(fan_ids), ProbeOnly(o.account_id) == account_id,
               o.state == literal(OutboundState.FAILED.value, String, literal_execute=True))
    ).all()
    newest: dict[int, FailedSend] = {}
    for row in sorted(found, key=lambda row: (row.created_at, row.id)):
        preview = message_preview(row.text, price_cents=row.price_cents,
                                  media_count=len(row.media_ids or ()))
        newest[row.fan_id] = FailedSend(preview, row.created_by, row.created_at)
    return newest


def rows(session: Session, account_id: int, values: Sequence[Any]) -> list[ConversationRow]:
    """``ConversationRow`` values of the ``row_columns`` read, with their fans' tags and
    failed messages."""
    fan_ids = [value[1] for value in values]
    tags = _fan_tags(session, account_id, fan_ids)
    failed = _failed_sends(session, account_id, fan_ids)
    return [_row(value, tags.get(value[1], ()), failed.get(value[1])) for value in values]


def rows_of(account_id: int, flt: InboxFilter, keys: Select[Any]) -> Select[Any]:
    """The list rows of the conversations whose ids ``keys`` selects, in ``flt``'s order."""
    return (
        select(*row_columns(flt.me))
        .select_from(Conversation.__table__)
        .join(Fan.__table__, _F.id == _C.fan_id)
        .where(_C.id.in_(keys), ProbeOnly(_C.account_id) == account_id)
        .order_by(*newest_first(flt))
    )


def conversation_rows(
    db: Database, account_id: int, conversation_ids: Sequence[int], *, me: str = ""
) -> list[ConversationRow]:
    """The list rows of these conversations (those of the account), in no set order;
    ``me``: the chatter whose drafts they mark."""
    statement = (
        select(*row_columns(me))
        .select_from(Conversation.__table__)
        .join(Fan.__table__, _F.id == _C.fan_id)
        .where(
            _C.account_id == account_id,
            _F.account_id == account_id,
            _C.id.in_(list(conversation_ids)),
        )
    )
    with db.read() as session:
        return rows(session, account_id, session.execute(statement).all())


def conversation_header(db: Database, account_id: int, conversation_id: int) -> ConversationRow:
    found = conversation_rows(db, account_id, [conversation_id])
    if not found:
        raise InboxError(f"no conversation #{conversation_id} in this account")
    return found[0]
