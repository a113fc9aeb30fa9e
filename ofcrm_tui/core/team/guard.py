"""The collision guard: no two chatters answer one fan at once without knowing it.

A reply is refused (``Collision``) when, since what this chatter has seen, another
chatter sent or queued a message to the fan (or one was sent outside ofcrm), or when
another chatter is typing in the conversation and started before this one did: the
first to type holds the conversation, so two chatters typing at once do not both get
stopped. "What this chatter has seen" is the ``ThreadMark`` their thread view drew (the
app), or the last ``collision_window_seconds`` (``ofcrm send``).

The check runs inside the enqueue's transaction (``outbox.enqueue(within=…)``) after a
lock that makes concurrent sends to one fan take turns: ``BEGIN IMMEDIATE`` on SQLite,
the fan's row ``FOR UPDATE`` on PostgreSQL (a fan without a chat yet has a fan row,
not always a conversation). Of two chatters pressing send together, the second sees
the first's row and is asked; nothing is queued for them until they choose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from ofcrm_tui.core import outbox
from ofcrm_tui.core.outbox import OutboxError
from ofcrm_tui.core.team.assignment import claim_unowned
from ofcrm_tui.core.team.presence import live
from ofcrm_tui.platform.errors import one_line
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import Direction, OutboundKind, OutboundState
from ofcrm_tui.store.models import Conversation, Fan, Message, OutboundMessage, TeamPresence

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ofcrm_tui.core.outbox import MessageOptions

# At most this many of the other chatters' messages are shown.
SHOWN = 3
_P = TeamPresence.__table__.c


@dataclass(frozen=True)
class ThreadMark:
    """The newest message (platform id) and queue row a thread view drew: what the
    chatter has seen of the conversation. 0: none."""

    platform_message_id: int = 0
    outbound_id: int = 0


def thread_mark(db: Database, account_id: int, conversation_id: int) -> ThreadMark:
    """Read before the thread's page, so that nothing drawn is newer than the mark."""
    c = Conversation.__table__.c
    newest_message = (
        select(func.max(Message.platform_message_id))
        .where(Message.conversation_id == c.id, Message.account_id == account_id)
        .scalar_subquery()
    )
    newest_row = (
        select(func.max(OutboundMessage.id))
        .where(OutboundMessage.fan_id == c.fan_id, OutboundMessage.account_id == account_id)
        .scalar_subquery()
    )
    with db.read() as session:
        row = session.execute(
            select(newest_message, newest_row).where(
                c.id == conversation_id, c.account_id == account_id)
        ).first()
    return ThreadMark(int(row[0] or 0), int(row[1] or 0)) if row else ThreadMark()


@dataclass(frozen=True)
class OtherSend:
    """A message another chatter sent or queued (``chatter`` None: sent outside ofcrm)."""

    chatter: str | None
    text: str
    at: datetime
    pending: bool  # queued or being sent, not sent yet


class Collision(OutboxError):
    """Another chatter answered (or is answering) the fan: nothing was queued."""

    def __init__(self, sends: Sequence[OtherSend], typing: Sequence[str], now: datetime) -> None:
        self.sends = tuple(sends)
        self.typing = tuple(typing)
        super().__init__(describe(self.sends, self.typing, now))


def describe(sends: Sequence[OtherSend], typing: Sequence[str], now: datetime) -> str:
    """One line: who sent what how long ago, who is typing (names and text made safe)."""
    parts = []
    for send in sends:
        who = one_line(send.chatter) if send.chatter else "someone outside ofcrm"
        verb = "queued" if send.pending else "sent"
        text = one_line(send.text)
        text = text if len(text) <= 80 else text[:79] + "…"
        parts.append(f"{who} {verb} a message {ago(send.at, now)}: “{text}”")
    if typing:
        names = ", ".join(one_line(name) for name in typing)
        parts.append(f"{names} {'is' if len(typing) == 1 else 'are'} typing to this fan")
    return "; ".join(parts)


def ago(at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


@dataclass(frozen=True)
class Sender:
    """Who sends, when, and from which app."""

    chatter: str
    now: datetime
    app_id: str | None = None  # the sending app's presence row (None: the command line)
    auto_assign: bool = False  # a conversation nobody owns becomes the sender's


@dataclass(frozen=True)
class Seen:
    """What the sender has seen of the conversation: what their thread drew (``mark``,
    the app) or what the last ``window_seconds`` hold (``ofcrm send``)."""

    mark: ThreadMark | None = None
    window_seconds: float | None = None
    expiry_seconds: float = 6.0  # presence rows older than this are of apps gone


def send(
    db: Database,
    account_id: int,
    fan_id: int,
    text: str,
    *,
    by: Sender,
    seen: Seen | None,
    kind: OutboundKind | str = OutboundKind.REPLY,
    **options: Unpack[MessageOptions],
) -> int:
    """Queue a message unless another chatter got there first since ``seen``
    (Collision, nothing queued); ``seen`` None sends anyway. In the same transaction the
    sending app stops typing and, with ``by.auto_assign``, a conversation nobody owns
    becomes the sender's. Returns the queue row's id."""

    def within(session: Session) -> None:
        conversation_id = take_turn(session, account_id, fan_id)
        if seen is not None:
            check(session, account_id, fan_id, conversation_id, by, seen)
        if by.app_id is not None:
            session.execute(update(TeamPresence).where(
                _P.app_id == by.app_id, _P.account_id == account_id).values(typing_since=None))
        if by.auto_assign and conversation_id is not None:
            claim_unowned(session, account_id, conversation_id, by.chatter, now=by.now)

    options.setdefault("now", by.now)
    return outbox.enqueue(
        db, account_id, fan_id, text, created_by=by.chatter, kind=kind, within=within, **options
    )


def take_turn(session: Session, account_id: int, fan_id: int) -> int | None:
    """Make concurrent sends to the fan take turns (PostgreSQL: the fan's row lock;
    SQLite's write transaction already serialises); returns the fan's conversation."""
    session.execute(
        select(Fan.id).where(Fan.id == fan_id, Fan.account_id == account_id).with_for_update()
    )
    return session.scalar(select(Conversation.id).where(
        Conversation.fan_id == fan_id, Conversation.account_id == account_id))


def check(
    session: Session, account_id: int, fan_id: int, conversation_id: int | None, by: Sender,
    seen: Seen,
) -> None:
    """Raise Collision if another chatter got to the fan first (after ``take_turn``)."""
    since = None if seen.window_seconds is None else by.now - timedelta(
        seconds=seen.window_seconds)
    sends = _other_rows(session, account_id, fan_id, by.chatter, seen.mark, since)
    typing: list[str] = []
    if conversation_id is not None:
        sends += _sent_elsewhere(session, account_id, conversation_id, seen.mark, since)
        typing = _typing(session, account_id, conversation_id, by, seen.expiry_seconds)
    if sends or typing:
        sends.sort(key=lambda send: send.at, reverse=True)
        raise Collision(sends[:SHOWN], typing, by.now)


def _other_rows(
    session: Session, account_id: int, fan_id: int, chatter: str, mark: ThreadMark | None,
    since: datetime | None,
) -> list[OtherSend]:
    """Queue rows of other chatters for the fan (campaigns aside) newer than seen."""
    o = OutboundMessage
    query = select(o.created_by, o.text, o.created_at, o.state).where(
        o.account_id == account_id,
        o.fan_id == fan_id,
        o.created_by != chatter,
        o.kind != OutboundKind.CAMPAIGN,
        o.state != OutboundState.CANCELLED,
    )
    if mark is not None:
        query = query.where(o.id > mark.outbound_id)
    if since is not None:
        query = query.where(o.created_at >= since)
    rows = session.execute(query.order_by(o.id.desc()).limit(SHOWN)).all()
    return [OtherSend(row.created_by, row.text, row.created_at, row.state != OutboundState.SENT)
            for row in rows]


def _sent_elsewhere(
    session: Session, account_id: int, conversation_id: int, mark: ThreadMark | None,
    since: datetime | None,
) -> list[OtherSend]:
    """Messages to the fan sent outside ofcrm (the platform's site), newer than seen:
    among the thread's newest few (platform ids grow with time)."""
    m = Message
    query = select(m.text, m.created_at, m.direction, m.sent_by).where(
        m.account_id == account_id, m.conversation_id == conversation_id)
    if mark is not None:
        query = query.where(m.platform_message_id > mark.platform_message_id)
    rows = session.execute(query.order_by(m.platform_message_id.desc()).limit(20)).all()
    return [
        OtherSend(None, row.text, row.created_at, False) for row in rows
        if row.direction == Direction.OUTBOUND and row.sent_by is None
        and (since is None or row.created_at >= since)
    ][:SHOWN]


def _typing(
    session: Session, account_id: int, conversation_id: int, by: Sender, expiry_seconds: float
) -> list[str]:
    """Other chatters typing in the conversation who started before the sender."""
    mine = None
    if by.app_id is not None:
        mine = session.scalar(select(_P.typing_since).where(
            _P.app_id == by.app_id, _P.account_id == account_id))
    query = select(_P.chatter).where(
        _P.account_id == account_id,
        _P.conversation_id == conversation_id,
        _P.chatter != by.chatter,
        _P.typing_since.is_not(None),
        live(by.now, expiry_seconds),
    )
    if mine is not None:
        query = query.where(or_(
            _P.typing_since < mine,
            and_(_P.typing_since == mine, _P.app_id < (by.app_id or "")),
        ))
    return sorted(set(session.scalars(query)), key=str.casefold)
