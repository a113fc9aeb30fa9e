"""``ProbeOnly``: a term SQLite's planner may test but not drive a query from.

SQLite databases are never analysed, so its planner gets no statistics: terms that must
not drive a query are written ``+expr`` there, SQLite's documented way to keep an index
out of the plan. PostgreSQL plans from its statistics and gets ``expr`` unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal


class ProbeOnly(ColumnElement[Any]):
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


@compiles(ProbeOnly)
def _compile_probe_only(element: ProbeOnly, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.element, **kw))


@compiles(ProbeOnly, "sqlite")
def _compile_probe_only_sqlite(element: ProbeOnly, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.element, **kw))
