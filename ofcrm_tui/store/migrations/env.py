"""Alembic environment: runs on the connection ``store.migrate`` hands it."""

from __future__ import annotations

from typing import Any

from alembic import context

from ofcrm_tui.store.models import Base


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Search and sort indexes live in hand-written migrations, outside the models."""
    return not (name and ("_fts" in name or name.startswith(("ix_search_", "ix_sort_"))))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=_include_object,
)
with context.begin_transaction():
    context.run_migrations()
