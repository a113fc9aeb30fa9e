"""The thread writer: message rows, conversation summaries and previews, for every writer.

The inbound sync, the sender (and reconciliation) and the data generator all write a
fan's thread; the columns of a message row and of a conversation's last-message summary
are built here only, so the inbox reads the same thing whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from ofcrm_tui.platform.money import format_cents
from ofcrm_tui.store.enums import Direction
from ofcrm_tui.store.models import Conversation, Fan, Message
from ofcrm_tui.store.upsert import later, upsert

if TYPE_CHECKING:  # the sync and the sender hand the platform's messages over
    from ofcrm_tui.platform.wire import Message as WireMessage

PREVIEW_LENGTH = 200
# The conversation columns a summary sets.
SUMMARY_COLUMNS = (
    "last_platform_message_id",
    "last_message_at",
    "last_message_preview",
    "last_message_direction",
    "last_message_sent_by",
)


def message_preview(
    text: str, *, tip_cents: int = 0, price_cents: int = 0, media_count: int = 0
) -> str:
    """A message as the inbox list previews it: one line, at most PREVIEW_LENGTH.

    Text is previewed as it is. A message without text says what it is instead:
    ``Tip $12.34``, else ``PPV $25.00``, else ``Media (2)``; else it is empty.
    """
    line = " ".join(text.split())
    if not line:
        if tip_cents:
            line = f"Tip {format_cents(tip_cents)}"
        elif price_cents:
            line = f"PPV {format_cents(price_cents)}"
        elif media_count:
            line = f"Media ({media_count})"
    return line[:PREVIEW_LENGTH]


def message_values(
    message: WireMessage, *, direction: str, sent_by: str | None, is_campaign: bool = False
) -> dict[str, Any]:
    """The columns of a message row that come from the platform's message (and from who
    sent it: ``sent_by``, ``is_campaign`` for a campaign's message)."""
    return {
        "platform_message_id": message.id,
        "direction": direction,
        "text": message.text,
        "price_cents": message.price_cents,
        "is_opened": message.is_opened,
        "is_tip": message.is_tip,
        "tip_cents": message.tip_cents,
        "media_count": message.media_count,
        "media_ids": [media.id for media in message.media],
        "created_at": message.created_at,
        "sent_by": sent_by,
        "is_campaign": is_campaign,
    }


def summary(last: Mapping[str, Any]) -> dict[str, Any]:
    """A conversation's last-message columns, from the values of its last message row."""
    return {
        "last_platform_message_id": last["platform_message_id"],
        "last_message_at": last["created_at"],
        "last_message_preview": message_preview(
            last["text"],
            tip_cents=last["tip_cents"],
            price_cents=last["price_cents"],
            media_count=last["media_count"],
        ),
        "last_message_direction": last["direction"],
        "last_message_sent_by": last["sent_by"],
    }


def summary_unless_older(offered: Any) -> dict[str, ColumnElement[Any]]:
    """The summary columns of an upsert of conversations (``offered``: its ``excluded``
    row): the offered message's unless the row there has a newer one. A poll writes the
    chat's last message as it read it; a send stored meanwhile is newer, and its summary
    stays (it went back to the older message until the next poll)."""
    table = Conversation.__table__
    newer = or_(table.c.last_platform_message_id.is_(None),
                table.c.last_platform_message_id <= offered.last_platform_message_id)
    return {column: case((newer, offered[column]), else_=table.c[column])
            for column in SUMMARY_COLUMNS}


def fan_time(rows: Sequence[Mapping[str, Any]]) -> tuple[datetime | None, bool]:
    """The ``last_fan_message_at`` that message rows' values give, and whether it is a
    fan's message: the newest inbound, else the oldest message (None: no rows)."""
    inbound = [row["created_at"] for row in rows if row["direction"] == Direction.INBOUND]
    if inbound:
        return max(inbound), True
    return min((row["created_at"] for row in rows), default=None), False


# Statements every send runs are made once (with bound parameters): building them
# costs more Python than executing them, in the sender's threads beside the app's.
_CONVERSATIONS = Conversation.__table__
_FAN_AT = _CONVERSATIONS.c.last_fan_message_at
_AT = bindparam("b_at", type_=_FAN_AT.type)
_SET_FAN_AT = _CONVERSATIONS.update().where(_CONVERSATIONS.c.id == bindparam("b_id"))
# To the newest inbound if later; a conversation without a time takes its first message's.
_FAN_AT_LATER = _SET_FAN_AT.values(last_fan_message_at=later(_FAN_AT, _AT))
_FAN_AT_FIRST = _SET_FAN_AT.values(last_fan_message_at=func.coalesce(_FAN_AT, _AT))
# Also for the same last message: the sync may have stored it first, not knowing its sender.
_SUMMARY_UNLESS_OLDER = _CONVERSATIONS.update().where(
    _CONVERSATIONS.c.id == bindparam("b_id"),
    or_(_CONVERSATIONS.c.last_platform_message_id.is_(None),
        _CONVERSATIONS.c.last_platform_message_id <= bindparam("b_message_id")),
)
_CONVERSATION_OF_FAN = select(_CONVERSATIONS.c.id).where(
    _CONVERSATIONS.c.fan_id == bindparam("b_fan_id"))
# A fan who wrote was seen then: the conversation's fan's last seen, to the newest inbound
# if later (the platform's own figure comes with the next fans refresh, which keeps the
# later of the two: ``sync_writes``).
_FANS = Fan.__table__
_SEEN = _FANS.c.last_seen_at
_SEEN_AT = bindparam("b_at", type_=_SEEN.type)
_SEEN_LATER = _FANS.update().where(
    _FANS.c.id == select(_CONVERSATIONS.c.fan_id).where(
        _CONVERSATIONS.c.id == bindparam("b_id")).scalar_subquery(),
).values(last_seen_at=later(_SEEN, _SEEN_AT))


def fans_locked(statement: Select[Any]) -> Select[Any]:
    """A read of fans' rows that takes them as ``lock_fans`` does: as an UPDATE of them
    would (not their keys: rows referring to them go on being written), in the order
    every sync writes fans (``sync_writes``), so two writers wait instead of deadlocking."""
    return statement.order_by(_FANS.c.platform_user_id, _FANS.c.id).with_for_update(
        key_share=True)


_FANS_LOCKED = fans_locked(
    select(_FANS.c.id).where(_FANS.c.account_id == bindparam("b_account"),
                             _FANS.c.id.in_(bindparam("b_fans", expanding=True))))


def lock_fans(session: Session, account_id: int, fan_ids: Iterable[int]) -> None:
    """Take the rows of the fans whose threads the unit of work writes, before any row
    of their threads (PostgreSQL; SQLite's write transaction is the lock).

    The triggers on messages and conversations update the fan's row (``fan_facts``) and
    the rollups (``rollups``): left to them, a send took the fan's row before its
    conversation and a poll the conversation before the fan's (or a rollup row before
    the fan's), and PostgreSQL ended one as a deadlock's victim. Taken first by every
    writer of a thread (a page of chats, a chat read again, a send, a reconciliation),
    the second waits for the first instead."""
    ids = sorted(set(fan_ids))
    if ids:
        session.execute(_FANS_LOCKED, {"b_account": account_id, "b_fans": ids})


def advance_fan_times(
    session: Session, new: Mapping[int, Sequence[Mapping[str, Any]]]
) -> None:
    """Move ``last_fan_message_at`` for new message rows' values (conversation id ->
    rows): to the newest inbound if it is later; a conversation without a time yet
    takes its first message's. A chatter's reply never moves it. The fan's
    ``last_seen_at`` moves to the newest inbound too, if that is later."""
    by_fan: list[dict[str, Any]] = []
    first: list[dict[str, Any]] = []
    for conversation_id, rows in new.items():
        at, from_fan = fan_time(rows)
        if at is not None:
            (by_fan if from_fan else first).append({"b_id": conversation_id, "b_at": at})
    for params, statement in ((by_fan, _FAN_AT_LATER), (by_fan, _SEEN_LATER),
                              (first, _FAN_AT_FIRST)):
        if params:
            session.execute(statement, params)


def write_messages(
    session: Session, rows: list[dict[str, Any]], *, update: tuple[str, ...]
) -> None:
    """Upsert message rows on their platform id: whoever writes first, a thread holds a
    message once; ``update`` names what a later write refreshes."""
    upsert(session, Message, rows, key=("account_id", "platform_message_id"), update=update)


def store_sent_message(
    session: Session, account_id: int, fan_id: int, message: WireMessage, *, sent_by: str,
    is_campaign: bool,
) -> None:
    """Put a delivered message in the fan's thread and its conversation summary;
    ``is_campaign``: a campaign sent it (not a reply).

    Keyed on the platform id like the inbound sync, so whichever writes first, the
    thread holds it once (and knows who sent it, and whether a campaign did)."""
    lock_fans(session, account_id, [fan_id])
    conversation_id = _conversation_id(session, account_id, fan_id)
    values = message_values(
        message, direction=Direction.OUTBOUND.value, sent_by=sent_by, is_campaign=is_campaign)
    write_messages(
        session,
        [{"account_id": account_id, "conversation_id": conversation_id, "fan_id": fan_id, **values}],
        update=("sent_by", "is_campaign"),
    )
    session.execute(_SUMMARY_UNLESS_OLDER,
                    {"b_id": conversation_id, "b_message_id": message.id, **summary(values)})
    advance_fan_times(session, {conversation_id: [values]})


def _conversation_id(session: Session, account_id: int, fan_id: int) -> int:
    """The fan's conversation, made if it has none yet."""
    found = session.scalar(_CONVERSATION_OF_FAN, {"b_fan_id": fan_id})
    if found is not None:
        return found
    upsert(
        session,
        Conversation,
        [
            {
                "account_id": account_id,
                "fan_id": fan_id,
                "unread_count": 0,
                "last_message_preview": "",
            }
        ],
        key=("fan_id",),
    )
    conversation_id = session.scalar(_CONVERSATION_OF_FAN, {"b_fan_id": fan_id})
    assert conversation_id is not None
    return conversation_id
