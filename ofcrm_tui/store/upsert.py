"""Idempotent bulk writes keyed on a unique constraint, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, Update, bindparam, case, or_, update
from sqlalchemy.orm import Session

from ofcrm_tui.store.models import Base


def dialect_insert(session: Session, model: type[Base] | Table) -> Any:
    """The backend's own INSERT of ``model`` (with ``on_conflict_do_…``, ``excluded``).
    Each dialect's module is loaded when used: a SQLite process never loads PostgreSQL's."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def count_up(session: Session, model: type[Base], key: Mapping[str, Any], column: str) -> None:
    """Add one to ``column`` of ``model``'s row at ``key`` (a new row starts at one): one
    statement, in the caller's transaction."""
    statement = dialect_insert(session, model).values(**key, **{column: 1})
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={column: getattr(model, column) + 1}))


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] = (),
    merge: Callable[[Any], Mapping[str, Any]] | None = None,
) -> None:
    """Insert ``rows``; where ``key`` already exists, overwrite ``update`` (or keep the row).

    ``merge(excluded)`` gives columns whose new value is an expression of the row there
    (the model's columns) and the one offered (``excluded``)."""
    if not rows:
        return
    statement = dialect_insert(session, model)
    if update or merge:
        set_ = {column: statement.excluded[column] for column in update}
        if merge:
            set_.update(merge(statement.excluded))
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=set_)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    # A list of parameter sets: compiled once, sent as an executemany batch.
    session.execute(statement, list(rows))


def later(current: Any, offered: Any) -> ColumnElement[Any]:
    """The later of a row's time and the one offered, as SQL (both databases): the
    offered one where the row has none or an earlier one; a NULL offered keeps the row's.
    A time so kept never goes backwards, nor to NULL."""
    return case((or_(current.is_(None), current < offered), offered), else_=current)


def update_by_id(table: Table, names: Sequence[str], *, compared: Sequence[str] = ()) -> Update:
    """An UPDATE of the row whose id is bound as ``_id``, setting ``names`` (each bound
    by its name); with ``compared``, only when one of those columns differs from its
    value (IS DISTINCT FROM: NULL equals NULL), so an executemany's rowcount counts the
    rows it changed, with no read-back."""
    values = {name: bindparam(name) for name in names}
    statement = update(table).where(table.c.id == bindparam("_id")).values(values)
    if not compared:
        return statement
    return statement.where(or_(*(table.c[name].is_distinct_from(values[name]) for name in compared)))
