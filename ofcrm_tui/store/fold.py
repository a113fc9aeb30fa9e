"""Accent- and case-insensitive search text: ``fold`` ("Zoë" -> "zoe", "Łukasz" ->
"lukasz"), one definition for what is stored and what is typed.

Canonically decomposed (NFD), the combining diacritical marks (U+0300-U+036F) dropped,
the Latin letters NFD leaves whole made their plain spelling (ł l, ø o, ß ss, æ ae),
lower-cased. Any script's marks go (Greek tonos, Cyrillic й -> и): a search finds more,
never less.

SQLite calls this very function (``register_sqlite``: the fan name index's triggers,
the notes' test). PostgreSQL calls ``ofcrm_fold(text)`` (``pg_function``), the same
steps in SQL (``normalize``, ``regexp_replace``, ``translate``, ``replace``, ``lower``):
IMMUTABLE, so an index may hold it, and no extension to install (``unaccent`` needs
``CREATE EXTENSION``, which an agency's database may refuse).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

SQL_NAME = "ofcrm_fold"
# The Latin letters with no canonical decomposition, as one or two plain letters.
_SPELLED = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ı": "i", "ŀ": "l", "Ŀ": "L", "ĸ": "k",
    "ŋ": "n", "Ŋ": "N", "ŉ": "n", "ſ": "s", "ĳ": "ij", "Ĳ": "IJ",
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH",
}
_MARKS = re.compile("[\u0300-\u036f]+")
_TRANSLATION = str.maketrans(_SPELLED)


def fold(text: str) -> str:
    """``text`` without accents, lower-cased (see the module's docstring)."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text)).translate(_TRANSLATION).lower()


def register_sqlite(dbapi_connection: Any) -> None:
    """``ofcrm_fold(text)`` on a SQLite connection (NULL stays NULL)."""
    dbapi_connection.create_function(
        SQL_NAME, 1, lambda value: None if value is None else fold(str(value)), deterministic=True
    )


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pg_function() -> str:
    """PostgreSQL: ``CREATE OR REPLACE FUNCTION ofcrm_fold(text)`` in the current schema,
    ``fold`` step by step (``normalize`` needs a UTF8 database). The built-ins are named
    with their schema: the body is read with the caller's ``search_path``."""
    single = {char: to for char, to in _SPELLED.items() if len(to) == 1}
    expression = (
        "pg_catalog.translate(pg_catalog.regexp_replace(pg_catalog.normalize(value, 'NFD'), "
        "'[\\u0300-\\u036f]+', '', 'g'), "
        f"{_sql_string(''.join(single))}, {_sql_string(''.join(single.values()))})"
    )
    for char, to in _SPELLED.items():
        if len(to) > 1:
            expression = (
                f"pg_catalog.replace({expression}, {_sql_string(char)}, {_sql_string(to)})"
            )
    return (
        f"CREATE OR REPLACE FUNCTION {SQL_NAME}(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
        f"AS $$ SELECT pg_catalog.lower({expression}) $$"
    )
