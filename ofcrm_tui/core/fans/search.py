"""Search for fans by name, notes and message text, on FTS5 (SQLite) or tsquery / pg_trgm.

A search finds fans whose username, name or nickname holds every term (any part, any
case, any accent: "zoe" finds "Zoë" and "zoë" "Zoe"), one of whose notes holds every
term (the same: ``LIKE`` on the account's notes, which are few next to messages), or
one of whose messages holds every word (the last one a prefix). Names and notes are
compared folded (``store/fold``, on both sides: ``fold`` in Python, the database's
``ofcrm_fold``, which on SQLite is that same function). Messages:
FTS5 on SQLite (migration 0002; 0023 keeps doclists for prefixes of two and three
characters, so a short last word is read like a whole one: ``fts_prefix_stored``),
``to_tsvector('simple', ...) @@ to_tsquery('simple', ...)`` on PostgreSQL (migration
0002, the exact index expression; no accent folded there). Names: a trigram FTS5 table
of the folded names on SQLite (0002, 0040; terms under three characters by ``LIKE`` on
it), ``LIKE '%part%'`` on ``fans.search_names``, the folded names under a ``pg_trgm``
index, on PostgreSQL (0007, 0040). User input never reaches a query language as
such: it is split into terms, each quoted (FTS5), reduced to its letters and digits
(tsquery) or escaped (``LIKE``); control characters and lone surrogates are dropped. A
term's leading ``@`` is a username's mark, as the lists show it: ``@u100418`` searches
for ``u100418`` (``username_term``), on every path. A one-character needle searches names only, unless it is a symbol. A term with no letter
or digit (an emoji, ``!!``: ``symbol_terms``) is in no full-text index (FTS5's unicode61
tokenizer and tsquery's parser drop it): a message holds it by substring (``LIKE``,
with the words' full-text test when there are words), as names and notes do.

Under row-level security (a team role on PostgreSQL) ``@@`` and ``LIKE`` may not use
their indexes (they are not leakproof): the sets of matching fans come from the
database's lookup functions instead (``ofcrm_message_fans``, ``ofcrm_named_fans``: the
same tests, on the same indexes, for the accounts the role may see).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.sql.elements import TextClause

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.fold import fold
from ofcrm_tui.store.models import Fan, Message, Note
from ofcrm_tui.store.probe import ProbeOnly

# Search input beyond this is ignored (it only makes the query slower).
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
# The SQLite trigram tokenizer cannot match shorter substrings.
TRIGRAM_MIN_CHARS = 3
# A one-letter prefix matches much of the vocabulary: such a needle searches names only.
MESSAGE_MIN_CHARS = 2
# SQLite: the prefix lengths (characters) messages_fts keeps doclists for (migration 0023).
FTS_PREFIXES = (2, 3)

_F = Fan.__table__.c


def clean_needle(raw: str) -> str:
    """Printable text only (no control characters, no lone surrogates), bounded."""
    kept = []
    for char in raw[: MAX_QUERY_CHARS * 2]:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Cn") or category == "Cf" and char not in "\u200d":
            kept.append(" ")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS].strip()


def searching(query: str | None) -> bool:
    """Whether ``query`` searches at all (something is left once cleaned)."""
    return bool(query is not None and clean_needle(query))


def terms(needle: str) -> list[str]:
    """The needle's terms, a username's mark taken off (``username_term``)."""
    return [username_term(term) for term in needle.split()[:MAX_QUERY_TERMS]]


def username_term(term: str) -> str:
    """``@u100418`` -> ``u100418``: every list shows a username after an ``@``, which is
    not part of it (``fields.clean_username`` drops it too). A term of symbols alone
    (``@``, ``@!``) is kept whole: it is searched by substring."""
    return term[1:] if term[:1] == "@" and _has_word_char(term) else term


def _has_word_char(term: str) -> bool:
    return any(char.isalnum() for char in term)


def symbol_terms(needle: str) -> list[str]:
    """The terms with no letter or digit (emoji, punctuation), which no full-text index
    keeps: messages are searched for them by substring."""
    return [term for term in terms(needle) if not _has_word_char(term)]


def message_substrings(needle: str, text_column: Any) -> list[ColumnElement[bool]]:
    """A message's ``text_column`` holds each of the needle's ``symbol_terms``."""
    return [text_column.like(_like_pattern(term), escape="\\") for term in symbol_terms(needle)]


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_message_query(needle: str) -> str | None:
    """An FTS5 MATCH expression: every term quoted (so no operator survives), all
    required, the last one a prefix. None when nothing searchable is left."""
    words = [term for term in terms(needle) if _has_word_char(term)]
    if not words:
        return None
    parts = [_fts5_string(term) for term in words]
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


def search_hits(db: Database, account_id: int, needle: str) -> Select[Any]:
    """Fan ids (of ``account_id``) whose names, notes or any message match ``needle``."""
    names = _name_hits(db, account_id, needle)
    if not searches_messages(needle):
        return names
    notes = _note_hits(account_id, needle)
    query = message_query(db, needle)
    m = Message.__table__.c
    substrings = message_substrings(needle, m.text)
    if query is None and not substrings:
        return names.union(notes)  # type: ignore[return-value]
    if db.is_sqlite:
        # Matches are looked up by rowid (or the table read once, for a substring); an
        # index on account_id must not drive this.
        tests = [ProbeOnly(m.account_id) == account_id, *substrings]
        if query is not None:
            tests.append(m.id.in_(fts_matches(query)))
        messages = select(m.fan_id).where(*tests)
    else:
        messages = pg_message_fans(db, account_id, query, substrings=substrings)
    return messages.union(names, notes)  # type: ignore[return-value]


def message_query(db: Database, needle: str) -> str | None:
    """The needle as the backend's full-text query (None: nothing searchable)."""
    return fts5_message_query(needle) if db.is_sqlite else tsquery(needle)


def fts_matches(query: str, within: tuple[int, int] | None = None) -> TextClause:
    """SQLite: the rowids (message ids) of the FTS5 matches of ``query``, in any account
    (``within``: those from the first id to the second)."""
    sql = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :ofcrm_message_query"
    params: dict[str, Any] = {"ofcrm_message_query": query}
    if within is not None:
        sql += " AND rowid BETWEEN :ofcrm_first_id AND :ofcrm_last_id"
        params.update(ofcrm_first_id=within[0], ofcrm_last_id=within[1])
    return text(sql).bindparams(**params).columns(column("rowid", Integer))


_FTS = table("messages_fts", column("rowid", Integer))


def fts_probe(query: str, message_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """SQLite: the message ``message_id`` matches ``query``: FTS5 seeks that rowid in
    each term's doclist (no list of every match). Quick where the doclists are read as
    stored (see ``fts_prefix_stored``) and long enough to have an index of their own."""
    return exists(
        select(literal(1)).select_from(_FTS).where(
            text("messages_fts MATCH :ofcrm_message_query").bindparams(ofcrm_message_query=query),
            _FTS.c.rowid == message_id,
        )
    )


def fts_prefix_stored(needle: str) -> bool:
    """SQLite: whether FTS5 reads the prefix of the needle's last word as a doclist of
    its own (migration 0023's ``prefix``) rather than merging the doclists of every word
    it begins, per query: an ASCII word (one token, as long folded as typed) of a length
    in FTS_PREFIXES."""
    words = [term for term in terms(needle) if _has_word_char(term)]
    last = words[-1] if words else ""
    return last.isascii() and last.isalnum() and len(last) in FTS_PREFIXES


def pg_message_matches(query: str) -> TextClause:
    """PostgreSQL: a message's text matches ``query`` (on the GIN index's expression)."""
    return _matches(_PG_MESSAGE_VECTOR, "ofcrm_message_query", query)


def pg_message_fans(
    db: Database,
    account_id: int,
    query: str | None,
    most: int | None = None,
    substrings: list[ColumnElement[bool]] | None = None,
) -> Select[Any]:
    """PostgreSQL: the fan id of each message of ``account_id`` matching ``query`` (if
    any) and ``substrings`` (``message_substrings``; the first ``most``, if given)."""
    if db.row_security and not substrings and query is not None:
        found = func.ofcrm_message_fans(account_id, query, most).table_valued("fan_id")
        return select(found.c.fan_id)
    # A substring is in no index: the account's messages are read either way, and
    # under row-level security the policy's test is as quick as the function's.
    m = Message.__table__.c
    tests = [m.account_id == account_id, *(substrings or [])]
    if query is not None:
        tests.append(pg_message_matches(query))
    return select(m.fan_id).where(*tests).limit(most)


def _name_hits(db: Database, account_id: int, needle: str) -> Select[Any]:
    """Fan ids (of ``account_id``) whose username, name or nickname match ``needle``."""
    if db.row_security:
        from sqlalchemy.dialects import (
            postgresql,  # a team database only (see ofcrm --help)
        )

        patterns = [_like_pattern(term) for term in terms(needle)]
        found = func.ofcrm_named_fans(
            account_id, literal(patterns, postgresql.ARRAY(String()))
        ).table_valued("fan_id")
        return select(found.c.fan_id)
    if not db.is_sqlite:
        return select(_F.id).where(
            _F.account_id == account_id, pg_name_test(Fan.__table__, needle)
        )
    # For LIKE, one pass over the names (reading the account's fans through its index,
    # row by row, is several times slower).
    return select(_F.id).where(
        ProbeOnly(_F.account_id) == account_id, sqlite_name_test(needle, per_fan=False)
    )


def _note_hits(account_id: int, needle: str) -> Select[Any]:
    """Fan ids (of ``account_id``) with a note holding every term of ``needle``, folded."""
    body = func.ofcrm_fold(Note.body)
    return select(Note.fan_id).where(
        Note.account_id == account_id,
        *(body.like(_folded_pattern(term), escape="\\") for term in terms(needle)),
    )


def _folded_pattern(term: str) -> ColumnElement[str]:
    """``term``'s ``LIKE`` pattern folded by the database, as what it is compared with
    (on PostgreSQL its ``lower`` may differ from Python's for letters beyond ASCII:
    a final sigma; a C collation lowers ASCII only)."""
    return func.ofcrm_fold(literal(_like_pattern(term), String()))


def pg_name_test(fans: Any, needle: str) -> ColumnElement[bool]:
    """Every term is part of the folded names of the row of ``fans`` (the table or an
    alias): ``search_names`` (migration 0040, under ix_search_fans_folded, pg_trgm),
    which the models leave to the database (SQLite has no such column)."""
    names = literal_column(f"{fans.name}.search_names", String())
    return and_(*(names.like(_folded_pattern(term), escape="\\") for term in terms(needle)))


_FTS_NAMES = table(
    "fans_fts", column("rowid", Integer), column("username"), column("name"), column("nickname")
)


def sqlite_name_test(needle: str, *, per_fan: bool = True) -> ColumnElement[bool]:
    """Every term, folded, in the fan's folded names (``fans_fts``): by trigram FTS5 (as
    a set of rowids, probed) for terms of three characters or more, by ``LIKE`` for
    shorter ones: on the fan's own row of ``fans_fts`` (``per_fan``: a walk, which tests
    the fans of a window's conversations), else in one pass over all the names."""
    all_terms = [fold(term) for term in terms(needle)]
    long_terms = [term for term in all_terms if len(term) >= TRIGRAM_MIN_CHARS]
    conditions: list[ColumnElement[bool]] = []
    if long_terms:
        trigram = " ".join(_fts5_string(term) for term in long_terms)
        named = text("SELECT rowid FROM fans_fts WHERE fans_fts MATCH :ofcrm_fan_query").bindparams(
            ofcrm_fan_query=trigram
        ).columns(column("rowid", Integer))
        conditions.append(_F.id.in_(named))
    for term in all_terms:
        if len(term) < TRIGRAM_MIN_CHARS:
            pattern = _like_pattern(term)
            names = _FTS_NAMES.c
            holds = or_(
                names.username.like(pattern, escape="\\"),
                names.name.like(pattern, escape="\\"),
                names.nickname.like(pattern, escape="\\"),
            )
            conditions.append(
                exists(select(literal(1)).where(names.rowid == _F.id, holds)) if per_fan
                else _F.id.in_(select(names.rowid).where(holds))
            )
    return and_(*conditions)


# Exactly the expression of the GIN index ix_search_messages_text (migration 0002).
_PG_MESSAGE_VECTOR = "to_tsvector('simple', messages.text)"


def searches_messages(needle: str) -> bool:
    """Whether ``needle`` searches messages too (a one-character needle: names only,
    unless it is a symbol, which is searched by substring, not as a prefix)."""
    return len("".join(terms(needle))) >= MESSAGE_MIN_CHARS or bool(symbol_terms(needle))


def _matches(vector: str, name: str, query: str) -> TextClause:
    return text(f"{vector} @@ to_tsquery('simple', :{name})").bindparams(**{name: query})
