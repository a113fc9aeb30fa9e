"""The inbox as windows onto SQL: counts, keyset-paged rows, threads and search.

Nothing here loads a whole list. The conversation list is sorted by
``(last_message_at desc, id desc)`` and read a window at a time: keyset paging
(``WHERE (last_message_at, id) < anchor``) for the next page, and for a jump the sort
key at the offset found on the index alone, then a keyset read from there. Which index
does the work:

- the plain list walks ``ix_conversations_inbox (account_id, last_message_at, id)``
  backwards, joining fans by primary key for the rows shown; unread-only lists walk
  the partial ``ix_conversations_unread``;
- a tag or a search picks a set of fans first; those lists start from the set (fan id
  -> conversation) and sort it, so a small set never costs a walk of the whole inbox;
  except that a search with many matches walks the inbox instead (see "search by
  walking");
- counts filtered on fan columns walk ``ix_conversations_account_fan`` (fan id order)
  and look fans up by primary key in order; the unfiltered count on SQLite is a bare
  ``count(*)`` (page cell counts) when the account is alone in the database;
- a thread reads newest first on ``ix_messages_thread``.

SQLite databases are never analysed, so its planner gets no statistics: terms that must
not drive a query are written ``+expr`` there (``_ProbeOnly``), SQLite's documented way
to keep an index out of the plan. PostgreSQL plans from its statistics.

Search (``InboxFilter.query``) finds conversations whose fan's username, name or
nickname holds every term (any part, any case), or one of whose messages holds every
word (the last one a prefix). Messages: FTS5 on SQLite, ``to_tsvector('simple', ...) @@
to_tsquery('simple', ...)`` on PostgreSQL (migration 0002, the exact index expression).
Names: a trigram FTS5 table on SQLite (0002; terms under three characters by
``LIKE``), ``LIKE '%part%'`` on a ``pg_trgm`` index on PostgreSQL (0007). User input
never reaches a query language as such: it is split into terms, each quoted (FTS5),
reduced to its letters and digits (tsquery) or escaped (``LIKE``); control characters
and lone surrogates are dropped. A
one-character needle searches names only. A search's window for a common word (or a
name term short enough for ``LIKE``) walks the inbox newest first testing each
conversation instead of building the whole set of matches (see "search by walking").

Every function takes the ``account_id`` and filters by it; a conversation id of
another account reads as missing. Conversations with no message yet are not listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    column,
    event,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.visitors import InternalTraversal

from ofcrm_tui.core.outbox import PENDING_STATES
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.enums import OutboundState
from ofcrm_tui.store.models import (
    Conversation,
    Draft,
    Fan,
    FanTag,
    Media,
    Message,
    OutboundMessage,
    Tag,
    fan_display_name,
)
from ofcrm_tui.store.types import UTCDateTime

# Search input beyond this is ignored (it only makes the query slower).
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
# The SQLite trigram tokenizer cannot match shorter substrings.
TRIGRAM_MIN_CHARS = 3
# A one-letter prefix matches much of the vocabulary: such a needle searches names only.
MESSAGE_MIN_CHARS = 2

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
    has_draft: bool = False  # the chatter left unsent text or an offer in it


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
    # A unique index lookup per row shown.
    exists().where(Draft.__table__.c.conversation_id == _C.id).label("has_draft"),
)
_NEWEST_FIRST = (_C.last_message_at.desc(), _C.id.desc())


class _ProbeOnly(ColumnElement[Any]):
    """``expr`` that the SQLite planner may test but not drive a query from: rendered
    ``+expr`` there (SQLite's documented way to disqualify a term from index use),
    plain ``expr`` elsewhere.

    List queries on fan columns keep fans as the inner table, looked up by primary key,
    so the conversation indexes always drive: windows walk the inbox order, counts walk
    ``ix_conversations_account_fan`` and meet fans in id order. Without statistics
    (SQLite databases are never analysed) the planner would otherwise start from an
    index on fans and probe conversations at random, several times slower.
    """

    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: ColumnElement[Any]) -> None:
        self.element = element
        self.type = element.type


@compiles(_ProbeOnly)
def _compile_probe_only(element: _ProbeOnly, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.element, **kw))


@compiles(_ProbeOnly, "sqlite")
def _compile_probe_only_sqlite(element: _ProbeOnly, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.element, **kw))


def _needs_fans(flt: InboxFilter) -> bool:
    return flt.purchased_only or flt.status is not None


def _set_driven(flt: InboxFilter) -> bool:
    """A tag or a search picks a set of fans first: such lists start from that set."""
    return flt.tag is not None or _searching(flt)


def _conditions(
    db: Database, account_id: int, flt: InboxFilter, *, ordered: bool
) -> list[ColumnElement[bool]]:
    if ordered and _set_driven(flt):
        # Read the set's conversations by fan id and sort them: walking the inbox in
        # order and testing each conversation against the set reads every row (and
        # each row's fan id from the table) when the set is small or old.
        conditions: list[ColumnElement[bool]] = [
            _ProbeOnly(_C.account_id) == account_id,
            _ProbeOnly(_C.last_message_at).is_not(None),
        ]
    else:
        conditions = [_C.account_id == account_id, _C.last_message_at.is_not(None)]
    if flt.unread_only:
        # Spelled exactly as the partial index's WHERE (a literal 0, not a parameter),
        # so the planner can use ix_conversations_unread.
        conditions.append(_C.unread_count > literal(0, Integer, literal_execute=True))
    if flt.purchased_only:
        conditions.append(_ProbeOnly(_F.total_spent_cents) > 0)
    if flt.status is not None:
        conditions.append(_ProbeOnly(_F.subscription_status) == str(flt.status))
    if flt.tag is not None:
        tagged = (
            select(FanTag.fan_id)
            .join(Tag, Tag.id == FanTag.tag_id)
            .where(
                Tag.account_id == account_id,
                Tag.name == flt.tag,
                FanTag.account_id == account_id,
            )
        )
        conditions.append(_C.fan_id.in_(tagged))
    if _searching(flt):
        hits = _search_hits(db, account_id, _clean_needle(flt.query or ""))
        conditions.append(_C.fan_id.in_(hits))
    return conditions


def _base(
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
            _ProbeOnly(_F.account_id) == account_id
        )
    return statement.where(*_conditions(db, account_id, flt, ordered=ordered))


def _before(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    """Rows after ``(at, id)`` in newest-first order: keyset condition on the index."""
    return tuple_(_C.last_message_at, _C.id) < tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def _at_or_after(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    """Rows up to and including ``(at, id)`` in newest-first order."""
    return tuple_(_C.last_message_at, _C.id) >= tuple_(
        literal(at, UTCDateTime()), literal(conversation_id, Integer)
    )


def _at_or_before(at: datetime | None, conversation_id: int) -> ColumnElement[bool]:
    return tuple_(_C.last_message_at, _C.id) <= tuple_(
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
    names = _name_hits(db, account_id, needle)
    if not _searches_messages(needle):
        return names
    query = _message_query(db, needle)
    if query is None:
        return names
    m = Message.__table__.c
    if db.is_sqlite:
        # Matches are looked up by rowid; an index on account_id must not drive this.
        messages = select(m.fan_id).where(
            _ProbeOnly(m.account_id) == account_id, m.id.in_(_fts_matches(query))
        )
    else:
        messages = select(m.fan_id).where(m.account_id == account_id, _pg_message_matches(query))
    return messages.union(names)  # type: ignore[return-value]


def _message_query(db: Database, needle: str) -> str | None:
    """The needle as the backend's full-text query (None: nothing searchable)."""
    return fts5_message_query(needle) if db.is_sqlite else tsquery(needle)


def _fts_matches(query: str) -> TextClause:
    """SQLite: the rowids (message ids) of the FTS5 matches of ``query``, in any account."""
    return text(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :ofcrm_message_query"
    ).bindparams(ofcrm_message_query=query).columns(column("rowid", Integer))


def _pg_message_matches(query: str) -> TextClause:
    return _matches(_PG_MESSAGE_VECTOR, "ofcrm_message_query", query)


def _name_hits(db: Database, account_id: int, needle: str) -> Select[Any]:
    """Fan ids (of ``account_id``) whose username, name or nickname match ``needle``."""
    if not db.is_sqlite:
        return select(_F.id).where(
            _F.account_id == account_id, _pg_name_test(Fan.__table__, needle)
        )
    # For LIKE, one pass over the table (reading the account's fans through its index,
    # row by row, is several times slower).
    return select(_F.id).where(_ProbeOnly(_F.account_id) == account_id, _sqlite_name_test(needle))


def _pg_name_test(fans: Any, needle: str) -> ColumnElement[bool]:
    """Every term is part of the names (lower-cased) of the row of ``fans`` (the table
    or an alias). On the table, the expression of ix_search_fans_trgm (pg_trgm)."""
    space = literal_column("' '")
    names = func.lower(fans.c.username + space + fans.c.name + space + fans.c.nickname)
    # The pattern is lower-cased by the same function as the names (Python's lower()
    # differs for some letters, e.g. a final sigma; a C collation lowers ASCII only).
    return and_(*(
        names.like(func.lower(literal(_like_pattern(term), String())), escape="\\")
        for term in _terms(needle)
    ))


def _sqlite_name_test(needle: str) -> ColumnElement[bool]:
    """Every term in the fan's names: by trigram FTS5 (as a set of rowids, probed) for
    terms of three characters or more, by ``LIKE`` for shorter ones."""
    terms = _terms(needle)
    long_terms = [term for term in terms if len(term) >= TRIGRAM_MIN_CHARS]
    conditions: list[ColumnElement[bool]] = []
    if long_terms:
        trigram = " ".join(_fts5_string(term) for term in long_terms)
        named = text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH :ofcrm_fan_query").bindparams(
            ofcrm_fan_query=trigram
        ).columns(column("rowid", Integer))
        conditions.append(_F.id.in_(named))
    for term in terms:
        if len(term) < TRIGRAM_MIN_CHARS:
            pattern = _like_pattern(term)
            conditions.append(
                or_(
                    _F.username.like(pattern, escape="\\"),
                    _F.name.like(pattern, escape="\\"),
                    _F.nickname.like(pattern, escape="\\"),
                )
            )
    return and_(*conditions)


# Exactly the expression of the GIN index ix_search_messages_text (migration 0002).
_PG_MESSAGE_VECTOR = "to_tsvector('simple', messages.text)"


def _searches_messages(needle: str) -> bool:
    return len("".join(needle.split())) >= MESSAGE_MIN_CHARS


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
        has_draft,
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
        nickname=nickname,
        has_draft=bool(has_draft),
    )


def _fan_tags(session: Session, account_id: int, fan_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not fan_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.execute(
        select(FanTag.fan_id, Tag.name)
        .join(Tag, Tag.id == FanTag.tag_id)
        .where(_ProbeOnly(FanTag.account_id) == account_id, FanTag.fan_id.in_(fan_ids))
        .order_by(Tag.name)
    )
    for fan_id, name in rows:
        found.setdefault(fan_id, []).append(name)
    return {fan_id: tuple(names) for fan_id, names in found.items()}


def _rows(session: Session, account_id: int, values: Sequence[Any]) -> list[ConversationRow]:
    tags = _fan_tags(session, account_id, [value[1] for value in values])
    return [_row(value, tags.get(value[1], ())) for value in values]


def count_conversations(db: Database, account_id: int, flt: InboxFilter) -> int:
    with db.read() as session:
        return int(session.scalar(_count_statement(db, account_id, flt)) or 0)


def _count_statement(db: Database, account_id: int, flt: InboxFilter) -> Select[Any]:
    if db.is_sqlite and flt == InboxFilter():
        return _sqlite_total(account_id)
    return _base([func.count()], db, account_id, flt, join=_needs_fans(flt), ordered=False)


def _sqlite_total(account_id: int) -> Select[Any]:
    """The unfiltered count on SQLite, without stepping through 100k index entries.

    SQLite answers a bare ``SELECT count(*) FROM t`` by adding up the cell counts of the
    pages of its smallest index: a hundred times faster than counting a range entry by
    entry. When no other account has conversations (two index seeks tell), that bare
    count minus this account's conversations without a message (none in practice; an
    index seek) is exactly the count. Otherwise, the range of the smallest index.
    """
    table = Conversation.__table__
    others = or_(
        exists().where(table.c.account_id < account_id),
        exists().where(table.c.account_id > account_id),
    )
    mine = select(func.count()).select_from(table).where(table.c.account_id == account_id)
    everyone = select(func.count()).select_from(table)
    silent = select(func.count()).select_from(table).where(
        table.c.account_id == account_id, table.c.last_message_at.is_(None)
    )
    return select(
        case((others, mine.scalar_subquery()), else_=everyone.scalar_subquery())
        - silent.scalar_subquery()
    )


def _searching(flt: InboxFilter) -> bool:
    return bool(flt.query is not None and _clean_needle(flt.query))


def _window(
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """The statement of a window: ``limit`` rows newest first (after ``where``)."""
    if not _set_driven(flt):
        statement = _base(_ROW_COLUMNS, db, account_id, flt, join=True, ordered=True)
        if where is not None:
            statement = statement.where(where)
        return statement.order_by(*_NEWEST_FIRST).limit(limit)
    # A tag or a search may hold thousands of conversations: pick the window's ids on
    # conversations alone, then read fans for those rows only.
    keys = _base([_C.id], db, account_id, flt, join=_needs_fans(flt), ordered=True)
    if where is not None:
        keys = keys.where(where)
    return _rows_of(account_id, keys.order_by(*_NEWEST_FIRST).limit(limit))


def _rows_of(account_id: int, keys: Select[Any]) -> Select[Any]:
    """The list rows of the conversations whose ids ``keys`` selects, newest first."""
    return (
        select(*_ROW_COLUMNS)
        .select_from(Conversation.__table__)
        .join(Fan.__table__, _F.id == _C.fan_id)
        .where(_C.id.in_(keys), _ProbeOnly(_C.account_id) == account_id)
        .order_by(*_NEWEST_FIRST)
    )


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
    whatever the offset: constant time however deep. Without, finds the sort key at
    ``offset`` on the conversations index (no fan rows read for the rows skipped) and
    reads the window from there by keyset.
    """
    if limit <= 0:
        return []
    with db.read() as session:
        where = None
        if anchor is not None:
            where = _before(anchor.last_message_at, anchor.conversation_id)
        elif offset > 0:
            start = _key_at(session, db, account_id, flt, offset)
            if start is None:
                return []
            where = _at_or_before(start[0], start[1])
        return _window_rows(session, db, account_id, flt, limit, where)


def _key_at(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    offset: int,
    where: ColumnElement[bool] | None = None,
) -> Any:
    """The sort key ``(last_message_at, id)`` of the row at ``offset`` (after ``where``),
    found on the conversations index without reading the rows skipped; None past the end."""
    statement = _base(
        [_C.last_message_at, _C.id], db, account_id, flt, join=_needs_fans(flt), ordered=True
    )
    if where is not None:
        statement = statement.where(where)
    return session.execute(statement.order_by(*_NEWEST_FIRST).offset(offset).limit(1)).first()


def _window_rows(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None = None,
) -> list[ConversationRow]:
    values = _walk_window(session, db, account_id, flt, limit, where)
    if values is None:
        values = session.execute(_window(db, account_id, flt, limit, where)).all()
    return _rows(session, account_id, values)


def position_of(
    db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    """The index of the conversation in the filtered, sorted list; None if not in it."""
    with db.read() as session:
        return _position(session, db, account_id, flt, conversation_id)


def _position(
    session: Session, db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    walk = _walk_plan(session, db, account_id, flt)
    if walk is None:
        return _position_in(session, db, account_id, flt, None, conversation_id,
                            join=_needs_fans(flt))
    # The walk's test tells "is it listed" without the search's whole set; a
    # conversation within the walk's span is counted by walking too.
    bound = _span_end(session, db, account_id, walk.plain, None)
    return _position_in(
        session, db, account_id, walk.plain, walk.test, conversation_id, join=walk.joins,
        fallback=None if bound is None else (tuple(bound), flt),
    )


def _position_in(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    test: ColumnElement[bool] | None,
    conversation_id: int,
    *,
    join: bool,
    fallback: tuple[tuple[Any, ...], InboxFilter] | None = None,
) -> int | None:
    """The position in ``flt``'s list narrowed by ``test``; with ``fallback`` (a sort key
    and a filter), a conversation older than the key is counted through that filter."""
    tests = [] if test is None else [test]
    listed = _base([_C.last_message_at, _C.id], db, account_id, flt, join=join, ordered=True)
    found = session.execute(listed.where(_C.id == conversation_id, *tests)).first()
    if found is None:
        return None
    at, _ = found
    if fallback is not None and (at, conversation_id) < fallback[0]:
        flt, tests, join = fallback[1], [], _needs_fans(fallback[1])
    ahead = _base([func.count()], db, account_id, flt, join=join, ordered=True)
    return int(session.scalar(ahead.where(_after(at, conversation_id), *tests)) or 0)


def next_unread(
    db: Database, account_id: int, flt: InboxFilter, after: ConversationRow | None
) -> tuple[int, ConversationRow] | None:
    """The next conversation with unread messages below ``after`` (or from the top),
    wrapping round to the top; None when the filtered list has nothing unread."""
    unread = replace(flt, unread_only=True)
    with db.read() as session:
        rows: list[ConversationRow] = []
        if after is not None:
            below = _before(after.last_message_at, after.conversation_id)
            rows = _window_rows(session, db, account_id, unread, 1, below)
        if not rows:
            rows = _window_rows(session, db, account_id, unread, 1)
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
        rows = _rows(session, account_id, session.execute(statement).all())
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


# -- search by walking the inbox -------------------------------------------------------
#
# A word found in 1-3% of a million messages has tens of thousands of matches. The set
# of matching conversations costs ~1 µs a match (each message looked up for its fan):
# 30-50 ms for such a word, and the exact count needs all of it. A window needs only
# its first rows: walking the conversations newest first on the inbox index and testing
# each one (its fan's names; its own messages, on ix_messages_thread, against the
# matches read once from FTS5 on SQLite, or by evaluating their tsvector on PostgreSQL)
# finds a page of them after a few hundred conversations, in a few ms. The walk is
# bounded; where matches are sparse the set answers instead, and with few matches the
# set is quick anyway. A word found in nearly half of all messages still costs its list
# of matches on SQLite (~60 ms at 1M messages).

# Fewer message matches than this (SQLite: counted up to it; PostgreSQL: estimated by
# the planner, and counted when the estimate is lower): the set is quick, use it.
WALK_MIN_MATCHES = 2_000
# A walk tests at most this many conversations; if they hold fewer rows than asked, the
# set answers.
WALK_SPAN = 2_000


@dataclass(frozen=True)
class _WalkPlan:
    plain: InboxFilter  # the filter without its search: what the walk walks
    test: ColumnElement[bool]  # the search, as a test of one conversation
    joins: bool  # the walk joins fans (the test or the filter reads the fan row)


def _walk_plan(
    session: Session, db: Database, account_id: int, flt: InboxFilter
) -> _WalkPlan | None:
    """How to walk for ``flt``; None when the set path should answer: no search, a tag
    (its own set drives), or a search whose set is quick (few message matches, no
    name term short enough for ``LIKE``, which reads every fan)."""
    if not _searching(flt) or flt.tag is not None:
        return None
    needle = _clean_needle(flt.query or "")
    if db.is_sqlite:
        named = _sqlite_name_test(needle)  # on the fan row, which the walk joins
    else:
        # A fan looked up per conversation: joining fans in the walk would lead
        # PostgreSQL's planner to hash the whole span and sort it.
        other = Fan.__table__.alias("ofcrm_named")
        named = exists(
            select(literal(1)).where(other.c.id == _C.fan_id, _pg_name_test(other, needle))
            .offset(0)
        )
    tests = [named]
    # A term under three characters: no trigram index helps, the set reads every fan.
    worth = any(len(term) < TRIGRAM_MIN_CHARS for term in _terms(needle))
    query = _message_query(db, needle) if _searches_messages(needle) else None
    if query is not None:
        m = Message.__table__.c
        if db.is_sqlite:
            match: ColumnElement[bool] = _ProbeOnly(m.id).in_(_fts_matches(query))
            # The FTS5 index is shared by all accounts: good enough for a cost estimate.
            matching = select(_fts_matches(query).subquery().c.rowid)
            matches = _count_up_to(session, matching)
        else:
            match = _pg_message_matches(query)
            matching = select(literal(1)).where(m.account_id == account_id, match)
            # Counting a common word's matches reads a heap page per match (all
            # accounts' rows, on an agency's database): the planner's estimate, from
            # the index's statistics, decides for it. A rare word is counted.
            matches = _pg_row_estimate(session, matching)
            if matches < WALK_MIN_MATCHES:
                matches = _count_up_to(session, matching)
        worth = worth or matches >= WALK_MIN_MATCHES
        if matches:
            thread = select(literal(1)).where(m.conversation_id == _C.id, match)
            if matches >= WALK_MIN_MATCHES:
                # OFFSET 0 keeps PostgreSQL from turning the test into a hashed set of
                # every match (the set path's cost); a few matches it may hash.
                thread = thread.offset(0)
            tests.append(exists(thread))
    if not worth:
        return None
    plain = replace(flt, query=None)
    return _WalkPlan(plain, or_(*tests), joins=db.is_sqlite or _needs_fans(plain))


def _count_up_to(session: Session, statement: Select[Any]) -> int:
    """How many rows ``statement`` gives, counted up to WALK_MIN_MATCHES."""
    counted = select(func.count()).select_from(statement.limit(WALK_MIN_MATCHES).subquery())
    return int(session.scalar(counted) or 0)


def _pg_row_estimate(session: Session, statement: Select[Any]) -> int:
    """PostgreSQL's estimate of the rows ``statement`` gives (EXPLAIN; nothing read)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    plan = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
    ).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])


def _span_end(
    session: Session,
    db: Database,
    account_id: int,
    plain: InboxFilter,
    where: ColumnElement[bool] | None,
) -> Any:
    """The sort key of the last conversation a walk may test (None: the list ends first)."""
    return _key_at(session, db, account_id, plain, WALK_SPAN - 1, where)


def _walk_window(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None,
) -> Sequence[Any] | None:
    """A search window's rows by walking; None when the set path must answer."""
    walk = _walk_plan(session, db, account_id, flt)
    if walk is None:
        return None
    bound = _span_end(session, db, account_id, walk.plain, where)
    # Keys first, on conversations (on SQLite with fans by primary key), then the rows:
    # so PostgreSQL's planner walks the index in order and stops at ``limit``.
    keys = _base([_C.id], db, account_id, walk.plain, join=walk.joins, ordered=True)
    keys = keys.where(walk.test)
    if where is not None:
        keys = keys.where(where)
    if bound is not None:
        keys = keys.where(_at_or_after(bound[0], bound[1]))
    statement = _rows_of(account_id, keys.order_by(*_NEWEST_FIRST).limit(limit))
    values = session.execute(statement).all()
    if bound is not None and len(values) < limit:
        return None  # sparse within the span: the rest may lie beyond it
    return values


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
            # The fan's rows are few; the account's queue (a campaign) may be huge.
            o.fan_id == fan,
            _ProbeOnly(o.account_id) == account_id,
            _ProbeOnly(o.state).in_([state.value for state in PENDING_STATES]),
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
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
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
