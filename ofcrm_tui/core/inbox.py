"""The inbox as windows onto SQL: counts, keyset-paged rows, threads and search.

Nothing here loads a whole list. The conversation list is sorted by
``(last_message_at desc, id desc)`` and read a window at a time, with ``OFFSET`` for a
jump and keyset paging (``WHERE (last_message_at, id) < anchor``) for the next page,
both walking the index ``ix_conversations_inbox (account_id, last_message_at, id)``
backwards; unread-only lists walk the partial index ``ix_conversations_unread``. A
thread reads newest first on ``ix_messages_thread``.

Search (``InboxFilter.query``) finds conversations whose fan's username, name or
nickname matches, or any of whose messages does, through the full-text indexes of
migration 0002: FTS5 on SQLite (trigram for names, so any part of a username matches;
names need three characters there, so shorter terms fall back to ``LIKE`` on the
account's fans), ``to_tsvector('simple', ...) @@ to_tsquery('simple', ...)`` on
PostgreSQL (whole words and word prefixes). User input is never spliced into a query
language: it is split into terms, each quoted (FTS5) or reduced to its letters and
digits (tsquery), the last term matching as a prefix.

Every function takes the ``account_id`` and filters by it; a conversation id of
another account reads as missing. Conversations with no message yet are not listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    column,
    event,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import (
    Conversation,
    Fan,
    FanTag,
    Media,
    Message,
    OutboundMessage,
    Tag,
)
from ofcrm_tui.store.types import UTCDateTime

# Outbound rows a thread shows below its messages: everything not sent nor cancelled.
PENDING_STATES = (
    OutboundState.QUEUED,
    OutboundState.SENDING,
    OutboundState.UNKNOWN,
    OutboundState.FAILED,
    OutboundState.PAUSED,
)
# Search input beyond this is ignored (it only makes the query slower).
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
# The SQLite trigram tokenizer cannot match shorter substrings.
TRIGRAM_MIN_CHARS = 3

Status = Literal["active", "expired"]


class InboxError(OfcrmError):
    pass


@dataclass(frozen=True)
class InboxFilter:
    unread_only: bool = False
    purchased_only: bool = False  # fans with total_spent_cents > 0
    tag: str | None = None  # tag name
    status: Status | None = None
    query: str | None = None  # `/` search: fan names and message text


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
    # Added beyond docs/inbox-api.md: the raw names, for saved-reply placeholders.
    name: str = ""
    nickname: str = ""


@dataclass(frozen=True)
class ThreadMessage:
    message_id: int | None  # local id; None for an outbound row not yet sent
    platform_message_id: int | None
    outbound_id: int | None  # the queue row, for queued/sending/unknown/failed ones
    direction: str  # "in" / "out"
    text: str
    created_at: datetime
    price_cents: int
    is_opened: bool  # PPV bought
    is_tip: bool
    tip_cents: int
    media_count: int
    state: str  # "sent" for stored messages, else the outbound state
    sent_by: str | None
    last_error: str | None


@dataclass(frozen=True)
class MediaItem:
    id: int  # the platform's media id (what a send names)
    type: str
    created_at: datetime


# -- filters ---------------------------------------------------------------------------

_C = Conversation.__table__.c
_F = Fan.__table__.c

_ROW_COLUMNS = (
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
)
_NEWEST_FIRST = (_C.last_message_at.desc(), _C.id.desc())


def _needs_fans(flt: InboxFilter) -> bool:
    return flt.purchased_only or flt.status is not None


def _conditions(db: Database, account_id: int, flt: InboxFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        _C.account_id == account_id,
        _C.last_message_at.is_not(None),
    ]
    if flt.unread_only:
        # Spelled exactly as the partial index's WHERE, so the planner can use it.
        conditions.append(_C.unread_count > literal(0, Integer, literal_execute=True))
    if flt.purchased_only:
        conditions.append(_F.total_spent_cents > 0)
    if flt.status is not None:
        conditions.append(_F.subscription_status == str(flt.status))
    if flt.tag is not None:
        tagged = (
            select(FanTag.fan_id)
            .join(Tag, Tag.id == FanTag.tag_id)
            .where(Tag.account_id == account_id, Tag.name == flt.tag, FanTag.account_id == account_id)
        )
        conditions.append(_C.fan_id.in_(tagged))
    if flt.query is not None:
        needle = _clean_needle(flt.query)
        if needle:
            conditions.append(_C.fan_id.in_(_search_hits(db, account_id, needle)))
    return conditions


def _base(columns: Any, db: Database, account_id: int, flt: InboxFilter, *, join: bool) -> Select[Any]:
    statement = select(*columns).select_from(Conversation.__table__)
    if join:
        statement = statement.join(Fan.__table__, _F.id == _C.fan_id).where(
            _F.account_id == account_id
        )
    return statement.where(*_conditions(db, account_id, flt))


def _before(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    """Rows after ``(at, id)`` in newest-first order: keyset condition on the index."""
    return tuple_(_C.last_message_at, _C.id) < tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def _after(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    return tuple_(_C.last_message_at, _C.id) > tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


# -- search ----------------------------------------------------------------------------


def _clean_needle(raw: str) -> str:
    """Printable text only (no control characters, no lone surrogates), bounded."""
    kept = []
    for char in raw[: MAX_QUERY_CHARS * 2]:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Cn") or category == "Cf" and char not in "\u200d":
            kept.append(" ")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS].strip()


def _terms(needle: str) -> list[str]:
    return needle.split()[:MAX_QUERY_TERMS]


def _has_word_char(term: str) -> bool:
    return any(char.isalnum() for char in term)


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_message_query(needle: str) -> str | None:
    """An FTS5 MATCH expression: every term quoted (so no operator survives), all
    required, the last one a prefix. None when nothing searchable is left."""
    terms = [term for term in _terms(needle) if _has_word_char(term)]
    if not terms:
        return None
    parts = [_fts5_string(term) for term in terms]
    parts[-1] += "*"
    return " ".join(parts)


_TS_WORD = re.compile(r"[^\W_]+")


def tsquery(needle: str) -> str | None:
    """A ``to_tsquery('simple', ...)`` expression: the letters-and-digits words of the
    input, each quoted, all required, the last one a prefix (``:*``)."""
    words = _TS_WORD.findall(needle)[:MAX_QUERY_TERMS]
    if not words:
        return None
    parts = ["'" + word.replace("'", "''").replace("\\", "\\\\") + "'" for word in words]
    parts[-1] += ":*"
    return " & ".join(parts)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_hits(db: Database, account_id: int, needle: str) -> Select[Any]:
    """Fan ids (of ``account_id``) whose names or any message match ``needle``."""
    if db.is_sqlite:
        return _sqlite_hits(account_id, needle)
    return _postgres_hits(account_id, needle)


def _nothing() -> Select[Any]:
    return select(_F.id).where(literal(False, literal_execute=True))


def _sqlite_hits(account_id: int, needle: str) -> Select[Any]:
    parts: list[Select[Any]] = []
    message_query = fts5_message_query(needle)
    if message_query is not None:
        matched = text(
            "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :ofcrm_message_query"
        ).bindparams(ofcrm_message_query=message_query).columns(column("rowid", Integer))
        parts.append(
            select(Message.fan_id).where(
                Message.account_id == account_id, Message.id.in_(matched)
            )
        )
    terms = _terms(needle)
    long_terms = [term for term in terms if len(term) >= TRIGRAM_MIN_CHARS]
    short_terms = [term for term in terms if len(term) < TRIGRAM_MIN_CHARS]
    fan_conditions: list[ColumnElement[bool]] = [_F.account_id == account_id]
    if long_terms:
        trigram = " ".join(_fts5_string(term) for term in long_terms)
        named = text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH :ofcrm_fan_query").bindparams(
            ofcrm_fan_query=trigram
        ).columns(column("rowid", Integer))
        fan_conditions.append(_F.id.in_(named))
    for term in short_terms:
        pattern = _like_pattern(term)
        fan_conditions.append(
            or_(
                _F.username.like(pattern, escape="\\"),
                _F.name.like(pattern, escape="\\"),
                _F.nickname.like(pattern, escape="\\"),
            )
        )
    parts.append(select(_F.id).where(*fan_conditions))
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])  # type: ignore[return-value]


# Exactly the expressions of the GIN indexes of migration 0002 (ix_search_*).
_PG_MESSAGE_VECTOR = "to_tsvector('simple', messages.text)"
_PG_FAN_VECTOR = (
    "to_tsvector('simple', fans.username || ' ' || fans.name || ' ' || fans.nickname)"
)


def _postgres_hits(account_id: int, needle: str) -> Select[Any]:
    query = tsquery(needle)
    if query is None:
        return _nothing()
    messages = select(Message.fan_id).where(
        Message.account_id == account_id,
        _matches(_PG_MESSAGE_VECTOR, "ofcrm_message_query", query),
    )
    fans = select(_F.id).where(
        _F.account_id == account_id, _matches(_PG_FAN_VECTOR, "ofcrm_fan_query", query)
    )
    return messages.union(fans)  # type: ignore[return-value]


def _matches(vector: str, name: str, query: str) -> TextClause:
    return text(f"{vector} @@ to_tsquery('simple', :{name})").bindparams(**{name: query})


# -- the list --------------------------------------------------------------------------


def _row(values: Any, tags: tuple[str, ...]) -> ConversationRow:
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
    ) = values
    return ConversationRow(
        conversation_id=conversation_id,
        fan_id=fan_id,
        platform_user_id=platform_user_id,
        display_name=nickname or name or username,
        username=username,
        preview=preview,
        last_message_at=last_at,
        last_direction=direction,
        unread_count=unread,
        total_spent_cents=spent,
        subscription_status=status,
        tags=tags,
        name=name,
        nickname=nickname,
    )


def _fan_tags(session: Session, account_id: int, fan_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not fan_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(FanTag.fan_id, Tag.name)
        .join(Tag, Tag.id == FanTag.tag_id)
        .where(FanTag.account_id == account_id, FanTag.fan_id.in_(fan_ids))
        .order_by(Tag.name)
    )
    for fan_id, name in rows:
        found.setdefault(fan_id, []).append(name)
    return {fan_id: tuple(names) for fan_id, names in found.items()}


def _rows(session: Session, account_id: int, statement: Select[Any]) -> list[ConversationRow]:
    values = session.execute(statement).all()
    tags = _fan_tags(session, account_id, [value[1] for value in values])
    return [_row(value, tags.get(value[1], ())) for value in values]


def count_conversations(db: Database, account_id: int, flt: InboxFilter) -> int:
    statement = _base([func.count()], db, account_id, flt, join=_needs_fans(flt))
    with db.read() as session:
        return int(session.scalar(statement) or 0)


def conversations_window(
    db: Database,
    account_id: int,
    flt: InboxFilter,
    offset: int,
    limit: int,
    anchor: ConversationRow | None = None,
) -> list[ConversationRow]:
    """Rows ``[offset, offset + limit)`` newest first.

    With ``anchor`` (the row at ``offset - 1``), reads the rows after it by keyset,
    whatever the offset: constant time however deep. Without, uses ``OFFSET``.
    """
    if limit <= 0:
        return []
    statement = _base(_ROW_COLUMNS, db, account_id, flt, join=True).order_by(*_NEWEST_FIRST)
    if anchor is not None:
        statement = statement.where(_before(anchor.last_message_at, anchor.conversation_id))
    elif offset > 0:
        statement = statement.offset(offset)
    with db.read() as session:
        return _rows(session, account_id, statement.limit(limit))


def position_of(
    db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    """The index of the conversation in the filtered, sorted list; None if not in it."""
    with db.read() as session:
        return _position(session, db, account_id, flt, conversation_id)


def _position(
    session: Session, db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    found = session.execute(
        _base([_C.last_message_at, _C.id], db, account_id, flt, join=_needs_fans(flt)).where(
            _C.id == conversation_id
        )
    ).first()
    if found is None:
        return None
    at, _ = found
    ahead = _base([func.count()], db, account_id, flt, join=_needs_fans(flt)).where(
        _after(at, conversation_id)
    )
    return int(session.scalar(ahead) or 0)


def next_unread(
    db: Database, account_id: int, flt: InboxFilter, after: ConversationRow | None
) -> tuple[int, ConversationRow] | None:
    """The next conversation with unread messages below ``after`` (or from the top),
    wrapping round to the top; None when the filtered list has nothing unread."""
    unread = InboxFilter(
        unread_only=True,
        purchased_only=flt.purchased_only,
        tag=flt.tag,
        status=flt.status,
        query=flt.query,
    )
    statement = _base(_ROW_COLUMNS, db, account_id, unread, join=True).order_by(*_NEWEST_FIRST)
    with db.read() as session:
        rows: list[ConversationRow] = []
        if after is not None:
            rows = _rows(
                session,
                account_id,
                statement.where(_before(after.last_message_at, after.conversation_id)).limit(1),
            )
        if not rows:
            rows = _rows(session, account_id, statement.limit(1))
        if not rows:
            return None
        position = _position(session, db, account_id, flt, rows[0].conversation_id)
    if position is None:  # the row changed between the two reads; let the caller retry
        return None
    return position, rows[0]


def conversation_header(db: Database, account_id: int, conversation_id: int) -> ConversationRow:
    statement = (
        select(*_ROW_COLUMNS)
        .select_from(Conversation.__table__)
        .join(Fan.__table__, _F.id == _C.fan_id)
        .where(_C.account_id == account_id, _F.account_id == account_id, _C.id == conversation_id)
    )
    with db.read() as session:
        rows = _rows(session, account_id, statement)
    if not rows:
        raise InboxError(f"no conversation #{conversation_id} in this account")
    return rows[0]


def mark_read_locally(db: Database, account_id: int, conversation_id: int) -> int:
    """Zero the unread count here; returns the fan's platform user id for the platform call."""
    with db.write() as session:
        found = session.execute(
            select(Fan.platform_user_id)
            .join(Conversation, Conversation.fan_id == Fan.id)
            .where(
                Conversation.id == conversation_id,
                Conversation.account_id == account_id,
                Fan.account_id == account_id,
            )
        ).first()
        if found is None:
            raise InboxError(f"no conversation #{conversation_id} in this account")
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.account_id == account_id)
            .values(
                unread_count=0,
                last_read_platform_message_id=Conversation.last_platform_message_id,
            )
        )
        return int(found[0])


def tags(db: Database, account_id: int) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(select(Tag.name).where(Tag.account_id == account_id).order_by(Tag.name))
        )


# -- threads ---------------------------------------------------------------------------


def thread_page(
    db: Database,
    account_id: int,
    conversation_id: int,
    *,
    before_platform_id: int | None = None,
    limit: int = 50,
) -> list[ThreadMessage]:
    """Up to ``limit`` stored messages, newest first, older than ``before_platform_id``."""
    if limit <= 0:
        return []
    m = Message.__table__.c
    statement = (
        select(
            m.id,
            m.platform_message_id,
            m.direction,
            m.text,
            m.created_at,
            m.price_cents,
            m.is_opened,
            m.is_tip,
            m.tip_cents,
            m.media_count,
            m.sent_by,
        )
        .where(m.account_id == account_id, m.conversation_id == conversation_id)
        .order_by(m.platform_message_id.desc())
        .limit(limit)
    )
    if before_platform_id is not None:
        statement = statement.where(m.platform_message_id < before_platform_id)
    with db.read() as session:
        rows = session.execute(statement).all()
    return [
        ThreadMessage(
            message_id=row.id,
            platform_message_id=row.platform_message_id,
            outbound_id=None,
            direction=row.direction,
            text=row.text,
            created_at=row.created_at,
            price_cents=row.price_cents,
            is_opened=bool(row.is_opened),
            is_tip=bool(row.is_tip),
            tip_cents=row.tip_cents,
            media_count=row.media_count,
            state=OutboundState.SENT.value,
            sent_by=row.sent_by,
            last_error=None,
        )
        for row in rows
    ]


def pending_in_thread(db: Database, account_id: int, conversation_id: int) -> list[ThreadMessage]:
    """Outbound rows for this fan not sent yet (queued, sending, unknown, failed, paused),
    newest first like ``thread_page``."""
    o = OutboundMessage.__table__.c
    fan = (
        select(_C.fan_id)
        .where(_C.id == conversation_id, _C.account_id == account_id)
        .scalar_subquery()
    )
    statement = (
        select(
            o.id,
            o.text,
            o.price_cents,
            o.media_ids,
            o.state,
            o.created_at,
            o.created_by,
            o.last_error,
        )
        .where(
            o.account_id == account_id,
            o.fan_id == fan,
            o.state.in_([state.value for state in PENDING_STATES]),
        )
        .order_by(o.created_at.desc(), o.id.desc())
    )
    with db.read() as session:
        rows = session.execute(statement).all()
    return [
        ThreadMessage(
            message_id=None,
            platform_message_id=None,
            outbound_id=row.id,
            direction="out",
            text=row.text,
            created_at=row.created_at,
            price_cents=row.price_cents,
            is_opened=False,
            is_tip=False,
            tip_cents=0,
            media_count=len(row.media_ids or ()),
            state=row.state,
            sent_by=row.created_by,
            last_error=row.last_error,
        )
        for row in rows
    ]


# -- media -----------------------------------------------------------------------------


def vault_media(db: Database, account_id: int) -> list[MediaItem]:
    """The creator's vault, newest first, for the PPV picker."""
    with db.read() as session:
        rows = session.execute(
            select(Media.platform_media_id, Media.type, Media.created_at)
            .where(Media.account_id == account_id)
            .order_by(Media.created_at.desc(), Media.platform_media_id.desc())
        ).all()
    return [MediaItem(id=row[0], type=row[1], created_at=row[2]) for row in rows]


# -- diagnostics -----------------------------------------------------------------------


@contextmanager
def captured_sql(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements (with their parameters) run on ``db`` inside the block."""
    statements: list[tuple[str, Any]] = []

    def _record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def query_plan(db: Database, statement: str, parameters: Any) -> list[str]:
    """``EXPLAIN QUERY PLAN`` (SQLite) or ``EXPLAIN`` (PostgreSQL) of one statement."""
    prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if db.is_sqlite:
        return [str(row[-1]) for row in rows]
    return [str(row[0]) for row in rows]
