"""The declarative base: naming conventions and the types every model maps to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ofcrm_tui.store.types import UTCDateTime
from sqlalchemy import (
    JSON,
    ForeignKey,
    MetaData,
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


def account_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
