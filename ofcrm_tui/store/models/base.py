"""The declarative base: naming conventions and the types every model maps to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ofcrm_tui.store.types import UTCDateTime
from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    MetaData,
    TextClause,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[int]: JSON()}


def account_fk(*, index: bool = True) -> Mapped[int]:
    """The owning account; ``index=False`` where the table's other indexes all lead with it."""
    return mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=index)


def partial_index(name: str, *columns: str, where: TextClause, unique: bool = False) -> Index:
    """An index of the rows ``where`` selects, on SQLite and on PostgreSQL.

    SQLAlchemy loads a dialect to check the options named for it, so PostgreSQL's
    ``postgresql_where`` is added only when the index is created on PostgreSQL: a SQLite
    process does not load the PostgreSQL dialect to define the models. (Alembic's
    comparison of models and database does not look at an index's ``WHERE``.)"""
    index = Index(name, *columns, unique=unique, sqlite_where=where)

    @event.listens_for(index, "before_create")
    def _postgresql_where(target: Index, connection: Connection, **_: Any) -> None:
        if connection.dialect.name == "postgresql":
            target.dialect_kwargs["postgresql_where"] = where

    return index
