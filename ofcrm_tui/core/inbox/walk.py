"""Search by walking the inbox: a search's window read newest first, testing each conversation.

A word found in 1-3% of a million messages has tens of thousands of matches. The set
of matching conversations costs ~1 µs a match (each message looked up for its fan):
30-50 ms for such a word, and the exact count needs all of it. A window needs only
its first rows: walking the conversations newest first on the inbox index and testing
each one (its fan's names; its own messages, on ix_messages_thread, against the
matches read once from FTS5 on SQLite, or by evaluating their tsvector on PostgreSQL)
finds a page of them after a few hundred conversations, in a few ms. The walk is
bounded; where matches are sparse the set answers instead, and with few matches the
set is quick anyway.

On SQLite a word found in nearly half of all messages would cost its list of matches
(446k for ``you*`` at 1M messages: ~50 ms to list them for the walk's ``IN``). Where
the matches are that dense (one message in DENSE or more, sampled on the account's
newest messages) and FTS5 reads the query's terms as stored (a last word of a length
with a prefix index, migration 0023), the walk probes FTS5 message by message instead:
a seek per term in each doclist, a few hundred probes for a window (~8 ms). Sparser
words keep the list: a probe seeks a short doclist slowly, and they need many more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans.search import (
    TRIGRAM_MIN_CHARS,
    clean_needle,
    fts_matches,
    fts_prefix_stored,
    fts_probe,
    message_query,
    message_substrings,
    pg_message_fans,
    pg_message_matches,
    pg_name_test,
    searches_messages,
    searching,
    sqlite_name_test,
    terms,
)
from ofcrm_tui.core.inbox.filter import InboxFilter, needs_fans
from ofcrm_tui.core.inbox.kept import listed
from ofcrm_tui.core.inbox.keyset import at_or_after, key_at
from ofcrm_tui.core.inbox.rows import rows_of
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Conversation, Fan, Message
from ofcrm_tui.store.probe import ProbeOnly

_C = Conversation.__table__.c

# Fewer message matches than this (SQLite: counted up to it; PostgreSQL: estimated by
# the planner, and counted when the estimate is lower): the set is quick, use it.
WALK_MIN_MATCHES = 2_000
# A walk tests at most this many conversations; if they hold fewer rows than asked, the
# set answers.
WALK_SPAN = 2_000
# SQLite: matches this dense (one message in DENSE, among the account's newest SAMPLE)
# are probed message by message, where the query's doclists are read as stored.
DENSE = 8
SAMPLE = 4_096


@dataclass(frozen=True)
class WalkPlan:
    plain: InboxFilter  # the filter without its search: what the walk walks
    test: ColumnElement[bool]  # the search, as a test of one conversation
    joins: bool  # the walk joins fans (the test or the filter reads the fan row)


def walk_plan(
    session: Session, db: Database, account_id: int, flt: InboxFilter
) -> WalkPlan | None:
    """How to walk for ``flt``; None when the set path should answer: no search, a tag
    (its own set drives), or a search whose set is quick (few message matches, no
    name term short enough for ``LIKE``, which reads every fan)."""
    if not searching(flt.query) or flt.tag is not None:
        return None
    needle = clean_needle(flt.query or "")
    if db.is_sqlite:
        named = sqlite_name_test(needle)  # on the fan row, which the walk joins
    else:
        # A fan looked up per conversation: joining fans in the walk would lead
        # PostgreSQL's planner to hash the whole span and sort it.
        other = Fan.__table__.alias("ofcrm_named")
        named = exists(
            select(literal(1)).where(other.c.id == _C.fan_id, pg_name_test(other, needle))
            .offset(0)
        )
    tests = [named]
    # A term under three characters: no trigram index helps, the set reads every fan.
    worth = any(len(term) < TRIGRAM_MIN_CHARS for term in terms(needle))
    query = message_query(db, needle) if searches_messages(needle) else None
    m = Message.__table__.c
    substrings = message_substrings(needle, m.text)
    if query is None and substrings:
        # Symbols only: no index to count them on, the set reads every message. A
        # conversation's messages are read on ix_messages_thread (OFFSET 0: one
        # conversation at a time, on PostgreSQL too), a window's worth of them.
        worth = True
        tests.append(exists(
            select(literal(1)).where(m.conversation_id == _C.id, *substrings).offset(0)
        ))
    if query is not None:
        if db.is_sqlite:
            match: ColumnElement[bool] = ProbeOnly(m.id).in_(fts_matches(query))
            # The FTS5 index is shared by all accounts: good enough for a cost estimate.
            matching = select(fts_matches(query).subquery().c.rowid)
            matches = _count_up_to(session, matching)
            if (matches >= WALK_MIN_MATCHES and fts_prefix_stored(needle)
                    and _dense(session, account_id, query)):
                match = fts_probe(query, m.id)
        else:
            match = pg_message_matches(query)
            # Counting a common word's matches reads a heap page per match (all
            # accounts' rows, on an agency's database): the planner's estimate, from
            # the index's statistics, decides for it. A rare word is counted.
            matches = _pg_row_estimate(
                session, select(literal(1)).where(m.account_id == account_id, match)
            )
            if matches < WALK_MIN_MATCHES:
                matches = _count_up_to(
                    session, pg_message_fans(db, account_id, query, WALK_MIN_MATCHES)
                )
        worth = worth or matches >= WALK_MIN_MATCHES
        if matches:
            thread = select(literal(1)).where(m.conversation_id == _C.id, match, *substrings)
            if matches >= WALK_MIN_MATCHES:
                # OFFSET 0 keeps PostgreSQL from turning the test into a hashed set of
                # every match (the set path's cost); a few matches it may hash.
                thread = thread.offset(0)
            tests.append(exists(thread))
    if not worth:
        return None
    plain = replace(flt, query=None)
    return WalkPlan(plain, or_(*tests), joins=db.is_sqlite or needs_fans(plain))


def _count_up_to(session: Session, statement: Select[Any]) -> int:
    """How many rows ``statement`` gives, counted up to WALK_MIN_MATCHES."""
    counted = select(func.count()).select_from(statement.limit(WALK_MIN_MATCHES).subquery())
    return int(session.scalar(counted) or 0)


def _dense(session: Session, account_id: int, query: str) -> bool:
    """SQLite: whether one message in DENSE or more matches ``query``, among the ids of
    the account's newest SAMPLE messages (the rows of the FTS5 index in that range)."""
    m = Message.__table__.c
    newest = (
        select(m.id).where(m.account_id == account_id).order_by(m.id.desc()).limit(SAMPLE)
    ).subquery()
    first, last = session.execute(select(func.min(newest.c.id), func.max(newest.c.id))).one()
    if first is None:
        return False
    found = select(func.count()).select_from(fts_matches(query, (first, last)).subquery())
    return int(session.scalar(found) or 0) * DENSE >= last - first + 1


def _pg_row_estimate(session: Session, statement: Select[Any]) -> int:
    """PostgreSQL's estimate of the rows ``statement`` gives (EXPLAIN; nothing read)."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    plan = connection.exec_driver_sql(
        "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
    ).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])


def span_end(
    session: Session,
    db: Database,
    account_id: int,
    plain: InboxFilter,
    where: ColumnElement[bool] | None,
) -> Any:
    """The sort key of the last conversation a walk may test (None: the list ends first)."""
    return key_at(session, db, account_id, plain, WALK_SPAN - 1, where)


def walk_window(
    session: Session,
    db: Database,
    account_id: int,
    flt: InboxFilter,
    limit: int,
    where: ColumnElement[bool] | None,
) -> Sequence[Any] | None:
    """A search window's rows by walking; None when the set path must answer."""
    walk = walk_plan(session, db, account_id, flt)
    if walk is None:
        return None
    bound = span_end(session, db, account_id, walk.plain, where)
    # Keys first, on conversations (on SQLite with fans by primary key), then the rows:
    # so PostgreSQL's planner walks the index in order and stops at ``limit``.
    tests = [walk.test, *([] if where is None else [where])]
    if bound is not None:
        tests.append(at_or_after(walk.plain, (bound[0], bound[1])))
    keys = listed([_C.id], db, account_id, walk.plain, join=walk.joins, where=tests, limit=limit)
    statement = rows_of(account_id, flt, keys)
    values = session.execute(statement).all()
    if bound is not None and len(values) < limit:
        return None  # sparse within the span: the rest may lie beyond it
    return values
