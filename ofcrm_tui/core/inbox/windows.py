"""Conversation list windows: counts, keyset-paged rows, positions and the next unread.

Nothing here loads a whole list. The conversation list is sorted by
``(last_message_at desc, id desc)``, or in the "fan" order by ``last_fan_message_at``
(the same plan on that column's twin indexes), and read a window at a time: keyset
paging (``WHERE (last_message_at, id) < anchor``) for the next page, and for a jump the sort
key at the offset found on the index alone, then a keyset read from there. Which index
does the work:

- the plain list walks ``ix_conversations_inbox (account_id, last_message_at, id)``
  backwards, joining fans by primary key for the rows shown; unread-only lists walk
  the partial ``ix_conversations_unread``;
- a tag or a search picks a set of fans first; those lists start from the set (fan id
  -> conversation) and sort it, so a small set never costs a walk of the whole inbox;
  except that a search with many matches walks the inbox instead (``walk``);
- counts filtered on fan columns walk ``ix_conversations_account_fan`` (fan id order)
  and look fans up by primary key in order; the unfiltered count on SQLite is a bare
  ``count(*)`` (page cell counts) when the account is alone in the database.

SQLite's planner gets no statistics: terms that must not drive a query are written
``+expr`` there (``store.probe.ProbeOnly``). PostgreSQL plans from its statistics.

Every function takes the ``account_id`` and filters by it; a conversation id of
another account reads as missing. Conversations with no message yet are not listed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.inbox import keyset, walk
from ofcrm_tui.core.inbox.filter import InboxFilter, needs_fans, set_driven, sort_column
from ofcrm_tui.core.inbox.kept import counted, listed
from ofcrm_tui.core.inbox.rows import (
    ConversationRow,
    row_columns,
    rows,
    rows_of,
    sort_key,
)
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation

_C = Conversation.__table__.c


def count_conversations(db: Database, account_id: int, flt: InboxFilter) -> int:
    with db.read() as session:
        return int(session.scalar(_count_statement(db, account_id, flt)) or 0)


def _count_statement(db: Database, account_id: int, flt: InboxFilter) -> Select[Any]:
    if db.is_sqlite and not flt.filtering:
        return _sqlite_total(account_id)
    return counted(db, account_id, flt, join=needs_fans(flt), ordered=False)


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


def _window(
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """The statement of a window: ``limit`` rows newest first (after ``where``)."""
    wheres = () if where is None else [where]
    if not set_driven(flt):
        return listed(row_columns(flt.me), db, account_id, flt, join=True, where=wheres,
                      limit=limit)
    # A tag or a search may hold thousands of conversations: pick the window's ids on
    # conversations alone, then read fans for those rows only.
    keys = listed([_C.id], db, account_id, flt, join=needs_fans(flt), where=wheres, limit=limit)
    return rows_of(account_id, flt, keys)


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
            where = keyset.before(flt, sort_key(flt, anchor))
        elif offset > 0:
            start = keyset.key_at(session, db, account_id, flt, offset)
            if start is None:
                return []
            where = keyset.at_or_before(flt, (start[0], start[1]))
        return _window_rows(session, db, account_id, flt, limit, where)


def _window_rows(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None = None,
) -> list[ConversationRow]:
    values = walk.walk_window(session, db, account_id, flt, limit, where)
    if values is None:
        values = session.execute(_window(db, account_id, flt, limit, where)).all()
    return rows(session, account_id, values)


def position_of(
    db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    """The index of the conversation in the filtered, sorted list; None if not in it."""
    with db.read() as session:
        return _position(session, db, account_id, flt, conversation_id)


def _position(
    session: Session, db: Database, account_id: int, flt: InboxFilter, conversation_id: int
) -> int | None:
    plan = walk.walk_plan(session, db, account_id, flt)
    if plan is None:
        return _position_in(session, db, account_id, flt, None, conversation_id,
                            join=needs_fans(flt))
    # The walk's test tells "is it listed" without the search's whole set; a
    # conversation within the walk's span is counted by walking too.
    bound = walk.span_end(session, db, account_id, plan.plain, None)
    return _position_in(
        session, db, account_id, plan.plain, plan.test, conversation_id, join=plan.joins,
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
    found = session.execute(listed([sort_column(flt), _C.id], db, account_id, flt, join=join,
                                   where=[_C.id == conversation_id, *tests])).first()
    if found is None:
        return None
    at, _ = found
    if fallback is not None and (at, conversation_id) < fallback[0]:
        flt, tests, join = fallback[1], [], needs_fans(fallback[1])
    ahead = counted(db, account_id, flt, join=join, ordered=True,
                    where=[keyset.after(flt, (at, conversation_id)), *tests])
    return int(session.scalar(ahead) or 0)


def next_unread(
    db: Database, account_id: int, flt: InboxFilter, after: ConversationRow | None
) -> tuple[int, ConversationRow] | None:
    """The next conversation with unread messages below ``after`` (or from the top),
    wrapping round to the top; None when the filtered list has nothing unread."""
    unread = replace(flt, unread_only=True, keep=None)  # (not the one kept read)
    with db.read() as session:
        found: list[ConversationRow] = []
        if after is not None:
            below = keyset.before(flt, sort_key(flt, after))
            found = _window_rows(session, db, account_id, unread, 1, below)
        if not found:
            found = _window_rows(session, db, account_id, unread, 1)
        if not found:
            return None
        position = _position(session, db, account_id, flt, found[0].conversation_id)
    if position is None:  # the row changed between the two reads; let the caller retry
        return None
    return position, found[0]
