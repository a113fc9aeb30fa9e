"""Median and percentiles computed in SQL (SQLite has no percentile function).

Values are ranked with window functions (``ROW_NUMBER`` and ``COUNT`` over each group
ordered by value), then one row per group is kept: the median is the middle value (the
mean of the two middle values for an even count), a percentile ``p`` the nearest-rank
value (rank ``ceil(p * n / 100)``). Only one row per group leaves the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, FromClause, Select, case, func, select


def percentile_select(
    source: FromClause, value: str, *, group: Sequence[str] = (), percents: Sequence[int] = ()
) -> Select:
    """Per distinct ``group`` columns of ``source`` (or over all rows): ``n``, ``median``
    and one ``p<percent>`` column per percent, of the ``value`` column (rows with NULL
    values are left out)."""
    partition = [source.c[name] for name in group]
    values = source.c[value]
    ranked = (
        select(
            *partition,
            values.label("v"),
            func.row_number().over(partition_by=partition, order_by=values).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(values.is_not(None))
        .subquery("ranked")
    )
    n, rank = ranked.c.n, ranked.c.rn
    columns: list[ColumnElement] = [func.max(n).label("n")]
    middle = rank.in_([(n + 1) // 2, (n + 2) // 2])
    columns.append(func.avg(case((middle, ranked.c.v))).label("median"))
    for percent in percents:
        if not 0 < percent <= 100:
            raise ValueError(f"a percentile is between 1 and 100, not {percent}")
        nearest = rank == (n * percent + 99) // 100
        columns.append(func.max(case((nearest, ranked.c.v))).label(f"p{percent}"))
    keys = [ranked.c[name] for name in group]
    return select(*keys, *columns).select_from(ranked).group_by(*keys)
