"""Reading the rollups of migration 0016: whole UTC hours (or days) from the rollup
tables, and the parts of a range that fall inside one from the rows themselves.

A local midnight is a whole UTC hour in nearly every time zone, so a period's days read
only rollup rows; in a zone a half or quarter hour off UTC (India, Nepal...), each edge
adds at most an hour of rows. Reply-time counts are kept per UTC day: a period whose
edges are not UTC midnights also reads the replies of its first and last partial days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, or_

DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Split:
    """``[start, end)`` as whole units ``[first, last)`` since the epoch (none when
    ``first == last``) and the edges outside them, as ``(start, end)`` instants."""

    first: int
    last: int
    edges: tuple[tuple[datetime, datetime], ...]


def split(start: datetime, end: datetime, unit: timedelta) -> Split:
    first = -((_EPOCH - start) // unit)  # ceiling
    last = (end - _EPOCH) // unit
    if first >= last:
        return Split(0, 0, ((start, end),))
    inner_start, inner_end = _EPOCH + first * unit, _EPOCH + last * unit
    edges = tuple(
        (lo, hi) for lo, hi in ((start, inner_start), (inner_end, end)) if lo < hi
    )
    return Split(first, last, edges)


def within(column: ColumnElement, edges: tuple[tuple[datetime, datetime], ...]) -> ColumnElement:
    """``column`` in one of the ``edges``."""
    return or_(*(and_(column >= lo, column < hi) for lo, hi in edges))


# -- reply-time buckets (the same as migration 0016's, which must not change) -------------


def bucket_of(seconds: ColumnElement, dialect: str) -> ColumnElement[int]:
    """Whole seconds under a minute, whole minutes under an hour, half hours up to a
    day; -1 for a negative time."""
    whole = (
        cast(func.trunc(seconds), Integer) if dialect == "postgresql" else cast(seconds, Integer)
    )
    return case(
        (seconds < 0, -1),
        (seconds < 60, whole),
        (seconds < 3600, 59 + whole // 60),
        else_=117 + whole // 1800,
    )


def bucket_bounds(bucket: int) -> tuple[float | None, float]:
    """The reply times of ``bucket``: ``[low, high)`` (no ``low`` for the negative one)."""
    if bucket < 0:
        return None, 0
    if bucket < 60:
        return bucket, bucket + 1
    if bucket < 119:
        return (bucket - 59) * 60, (bucket - 58) * 60
    return (bucket - 117) * 1800, (bucket - 116) * 1800
