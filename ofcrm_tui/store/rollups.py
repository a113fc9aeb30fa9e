"""The analytics rollups of migration 0016, written once: each rollup's key and summed
expressions over a source row give both its trigger statements (one row in or out)
and its bulk statement (the rows above an id), so a bulk load can turn the
triggers off and add its rows in one statement per rollup (``rollups_deferred``). The fan
facts of migration 0021 (``store/fan_facts``) are deferred with them, and both
migrations make their triggers with ``trigger_ddl``.

Hours and days are counted from the Unix epoch in UTC. Reply-time buckets: whole
seconds under a minute, whole minutes under an hour, half hours up to a day, -1 for a
negative time (``core.analytics.rollups.bucket_bounds`` reads them back).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

from ofcrm_tui.store.fan_facts import (
    DEFERRED_SOURCES,
    FACT_TRIGGERS,
    FACTS,
    fact_bulk_statement,
)

# A reply answers a fan message at most a day old (``core.analytics.chatters``).
REPLY_WINDOW_SECONDS = 86_400
_TRUNC = {"sqlite": "CAST({} AS INTEGER)", "postgresql": "CAST(trunc({}) AS BIGINT)"}
_EPOCH = {
    "sqlite": "CAST(strftime('%s', {}) AS INTEGER)",
    "postgresql": "CAST(floor(extract(epoch FROM {})) AS BIGINT)",
}
# A fan's subscription status in ``analytics_fan_days``; ``NO_SUBSCRIPTION`` for a fan with
# no subscription data (not on the platform: ``Fan.on_platform``, changed by 0029).
NO_SUBSCRIPTION = ""
FAN_STATUS = (
    f"CASE WHEN {{r}}.platform_user_id IS NULL THEN '{NO_SUBSCRIPTION}' "
    "ELSE {r}.subscription_status END"
)
_BUCKET = (
    "CASE WHEN {v} < 0 THEN -1 WHEN {v} < 60 THEN {t} WHEN {v} < 3600 THEN 59 + {t} / 60 "
    "ELSE 117 + {t} / 1800 END"
)


@dataclass(frozen=True)
class Rollup:
    """``table`` sums ``sums`` of the ``source`` rows meeting ``where``, per account and
    ``keys``; expressions name the source row ``{r}`` and may use ``{epoch}`` (its
    ``created_at`` in seconds), ``{known}`` (a fan's) and ``{bucket}`` (its reply time's)."""

    table: str
    source: str
    keys: tuple[tuple[str, str], ...]
    sums: tuple[tuple[str, str], ...]
    where: str = "true"


ROLLUPS = (
    Rollup("analytics_revenue_hours", "transactions",
           (("hour", "{epoch} / 3600"), ("type", "{r}.type")),
           (("gross_cents", "{r}.amount_cents"), ("net_cents", "{r}.net_cents"))),
    Rollup("analytics_fan_spend", "transactions", (("fan_id", "{r}.fan_id"),),
           (("spent_cents", "CASE WHEN {r}.amount_cents > 0 THEN {r}.amount_cents ELSE 0 END"),),
           "{r}.fan_id IS NOT NULL"),
    Rollup("analytics_fan_days", "fans", (("day", "{known} / 86400"), ("status", FAN_STATUS)),
           (("fans", "1"), ("spent_cents", "{r}.total_spent_cents"))),
    Rollup("analytics_sent_hours", "messages",
           (("hour", "{epoch} / 3600"), ("chatter", "coalesce({r}.sent_by, '')")),
           (("sent", "1"),
            ("ppv_sent", "CASE WHEN {r}.price_cents > 0 THEN 1 ELSE 0 END"),
            ("ppv_bought", "CASE WHEN {r}.price_cents > 0 AND {r}.is_opened THEN 1 ELSE 0 END"),
            ("ppv_revenue_cents",
             "CASE WHEN {r}.price_cents > 0 AND {r}.is_opened THEN {r}.price_cents ELSE 0 END")),
           "{r}.direction = 'out'"),
    Rollup("analytics_reply_days", "messages",
           (("day", "{epoch} / 86400"), ("chatter", "coalesce({r}.sent_by, '')"),
            ("bucket", "{bucket}")),
           (("replies", "1"),),
           f"{{r}}.direction = 'out' AND {{r}}.reply_seconds <= {REPLY_WINDOW_SECONDS}"),
)
# Trigger name -> (source table, rollups, the columns whose update fires it).
TRIGGERS = {
    "analytics_transactions": (
        "transactions", ROLLUPS[0:2],
        "account_id, created_at, type, amount_cents, net_cents, fan_id"),
    "analytics_fans": (
        "fans", ROLLUPS[2:3],
        "account_id, subscribed_at, created_at, subscription_status, total_spent_cents, "
        "platform_user_id"),
    "analytics_sent": (
        "messages", ROLLUPS[3:4],
        "account_id, direction, created_at, sent_by, price_cents, is_opened"),
    "analytics_replies": (
        "messages", ROLLUPS[4:5], "account_id, direction, created_at, sent_by, reply_seconds"),
}


def _format(sql: str, dialect: str, row: str) -> str:
    value = f"{row}.reply_seconds"
    return sql.format(
        r=row,
        epoch=_EPOCH[dialect].format(f"{row}.created_at"),
        known=_EPOCH[dialect].format(f"coalesce({row}.subscribed_at, {row}.created_at)"),
        bucket=_BUCKET.format(v=value, t=_TRUNC[dialect].format(value)),
    )


def _upsert(rollup: Rollup, select_sql: str) -> str:
    keys = ["account_id", *(name for name, _ in rollup.keys)]
    sums = [name for name, _ in rollup.sums]
    adds = ", ".join(f"{s} = {rollup.table}.{s} + excluded.{s}" for s in sums)
    return (
        f"INSERT INTO {rollup.table} ({', '.join(keys + sums)}) {select_sql} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adds};"
    )


def trigger_statements(dialect: str, rollup: Rollup, row: str, sign: int) -> str:
    """Add (``sign`` 1) or take out (-1) the trigger's ``row`` (NEW or OLD)."""
    values = [
        f"{row}.account_id",
        *(_format(expr, dialect, row) for _, expr in rollup.keys),
        *(f"{sign} * ({_format(expr, dialect, row)})" for _, expr in rollup.sums),
    ]
    where = _format(rollup.where, dialect, row)
    if sign < 0:  # not while the account itself is being deleted (its rollups go with it)
        where += f" AND EXISTS (SELECT 1 FROM accounts WHERE accounts.id = {row}.account_id)"
    return _upsert(rollup, f"SELECT {', '.join(values)} WHERE {where}")


def bulk_statement(dialect: str, rollup: Rollup) -> str:
    """Add the source rows with an id above ``:newest``: on SQLite each row's upsert finds
    its rollup row (a seek in a B-tree the statement keeps in cache), faster than the
    sort of every row a ``GROUP BY`` is there (100k fans into 90 days: 92 → 63 ms);
    PostgreSQL groups them, since one ``ON CONFLICT`` may not touch a row twice."""
    src = rollup.source
    grouped = dialect != "sqlite"
    values = [
        f"{src}.account_id",
        *(_format(expr, dialect, src) for _, expr in rollup.keys),
        *((f"sum({_format(expr, dialect, src)})" if grouped else _format(expr, dialect, src))
          for _, expr in rollup.sums),
    ]
    groups = ", ".join(str(i) for i in range(1, len(rollup.keys) + 2))
    return _upsert(
        rollup,
        f"SELECT {', '.join(values)} FROM {src} "
        f"WHERE {_format(rollup.where, dialect, src)} AND {src}.id > :newest"
        + (f" GROUP BY {groups}" if grouped else ""),
    )


# Seconds from ``earlier`` to ``later``, per backend.
SECONDS = {
    "sqlite": "(julianday({later}) - julianday({earlier})) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM {later} - {earlier})",
}
_DIFFERENT = {"sqlite": "IS NOT", "postgresql": "IS DISTINCT FROM"}


def reply_seconds_statement(dialect: str, conversations: str) -> str:
    """Set the reply times of the messages of the ``conversations`` (a condition on a
    message row) as migration 0026's trigger would have set them one by one: an
    outbound message that is not a campaign's, right after a fan's message once the
    campaign messages are left out (partitioned apart), waited since it."""
    wait = SECONDS[dialect].format(later="created_at", earlier="lag(created_at) OVER w")
    return f"""
UPDATE messages SET reply_seconds = w.wait FROM (
    SELECT id, CASE WHEN direction = 'out' AND NOT is_campaign AND lag(direction) OVER w = 'in'
        THEN {wait} END AS wait
    FROM messages
    WHERE {conversations}
    WINDOW w AS (PARTITION BY conversation_id, is_campaign ORDER BY platform_message_id)
) AS w
WHERE messages.id = w.id AND messages.reply_seconds {_DIFFERENT[dialect]} w.wait
"""


def _reply_seconds(dialect: str) -> str:
    """The reply times of the conversations of messages above ``:newest`` (all their
    messages: a new message can change the reply time of an older one after it)."""
    return reply_seconds_statement(
        dialect, "conversation_id IN (SELECT conversation_id FROM messages WHERE id > :newest)")


_SOURCES = ("transactions", "fans", "messages", "conversations")
_EVENTS = ("insert", "delete", "update")
_REPLY_TRIGGER = ("messages_reply_seconds", "messages")


def trigger_ddl(dialect: str, name: str, table: str, columns: str, add: str, remove: str
                ) -> list[str]:
    """The trigger(s) ``name`` on ``table`` running ``remove`` (on OLD) for a row going
    or changed (in ``columns``) and ``add`` (on NEW) for a row coming or changed."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {remove} END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {remove} {add} END",
        ]
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {remove} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {add} END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {columns} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def drop_trigger_ddl(dialect: str, name: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER {name}_{event}" for event in ("insert", "delete", "update")]
    return [f"DROP TRIGGER {name} ON {table}", f"DROP FUNCTION {name}()"]


def _triggers(dialect: str, sources: tuple[str, ...], events: tuple[str, ...]
              ) -> list[tuple[str, str]]:
    """(name, table) of the rollup and fan-fact triggers on ``sources``: one a rollup on
    PostgreSQL (for every event), one an event of ``events`` on SQLite."""
    found = [(name, table) for name, (table, _, _) in TRIGGERS.items() if table in sources]
    found += [(name, table) for name, (table, _, _) in FACT_TRIGGERS.items()
              if table in sources and table in DEFERRED_SOURCES]
    if dialect != "sqlite":
        return found
    return [(f"{name}_{event}", table) for name, table in found for event in events]


class _Off:
    """Triggers turned off inside a bulk load's transaction, until ``back_on``.

    SQLite drops them and creates them again from their saved SQL (DDL is transactional,
    and the write lock is held from ``BEGIN IMMEDIATE``). PostgreSQL disables them with
    ``ALTER TABLE``: transactional too, and its lock keeps other writers of the table
    waiting until the commit, so nobody else writes a row the triggers miss.
    """

    def __init__(self, connection: Connection, saved: dict[str, str]) -> None:
        self.connection = connection
        self.saved = saved  # name -> its SQL (SQLite) or its table (PostgreSQL)
        for name in saved:
            self._switch(name, "DISABLE")

    def _switch(self, name: str, how: str) -> None:
        sql = self.connection.exec_driver_sql
        if self.connection.dialect.name != "sqlite":
            sql(f"ALTER TABLE {self.saved[name]} {how} TRIGGER {name}")
        elif how == "DISABLE":
            sql(f"DROP TRIGGER {name}")
        else:
            sql(self.saved[name])

    def back_on(self, names: list[str]) -> None:
        for name in names:
            self._switch(name, "ENABLE")


def _turned_off(connection: Connection, triggers: list[tuple[str, str]]) -> _Off | None:
    """``triggers`` (name, table) turned off, or None (left on) when one is missing (an
    older schema: migrations run bulk loads too) or already off (PostgreSQL). Turning
    them off on PostgreSQL takes the tables' owner (as the migrations do)."""
    names = [name for name, _ in triggers]
    sql = connection.exec_driver_sql
    if connection.dialect.name == "sqlite":
        saved = dict(sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND name IN ({', '.join('?' * len(names))})", tuple(names)).all())
    else:
        tables = sorted({table for _, table in triggers})
        saved = dict(sql(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgrelid IN (SELECT to_regclass(unnest(%(tables)s::text[]))) "
            "AND t.tgname = ANY(%(names)s) AND t.tgenabled = 'O'",
            {"tables": tables, "names": names}).all())
    return _Off(connection, saved) if len(saved) == len(names) else None


def _newest(connection: Connection, sources: tuple[str, ...]) -> dict[str, int]:
    sql = connection.exec_driver_sql
    return {t: sql(f"SELECT coalesce(max(id), 0) FROM {t}").scalar() for t in sources}


def _bulk(connection: Connection, sources: tuple[str, ...], newest: dict[str, int]) -> None:
    """Add the rows of ``sources`` above ``newest`` to their rollups and fan facts."""
    dialect = connection.dialect.name
    for rollup in ROLLUPS:
        if rollup.source in sources:
            connection.execute(text(bulk_statement(dialect, rollup)),
                               {"newest": newest[rollup.source]})
    for fact in FACTS:
        if fact.source in sources:
            connection.execute(text(fact_bulk_statement(fact)), {"newest": newest[fact.source]})


@contextmanager
def rollups_deferred(connection: Connection) -> Iterator[None]:
    """A bulk load without a trigger per row: inside the batch's transaction the
    reply-time, rollup and fan-fact triggers (``store/fan_facts``) are turned off
    (``_Off``), the rows written, then added to the rollups and fan facts one statement
    each, their triggers turned back on, the reply times of the touched conversations
    set (their rollups follow through the triggers) and the reply-time trigger turned
    back on. On PostgreSQL a trigger per row also made the load quadratic: every
    outbound message of a fan updated the fan's row again, and each update walks the
    versions the transaction left before it (a thread of 35k messages: hours)."""
    dialect = connection.dialect.name
    rollup_triggers = _triggers(dialect, _SOURCES, _EVENTS)
    off = _turned_off(connection, [_REPLY_TRIGGER, *rollup_triggers])
    if off is None:
        yield
        return
    newest = _newest(connection, _SOURCES)
    yield
    _bulk(connection, _SOURCES, newest)
    off.back_on([name for name, _ in rollup_triggers])
    connection.execute(text(_reply_seconds(dialect)), {"newest": newest["messages"]})
    off.back_on([_REPLY_TRIGGER[0]])


@contextmanager
def inserts_deferred(connection: Connection, source: str) -> Iterator[None]:
    """On SQLite, ``source`` rows inserted inside the block are added to their rollups
    (and fan facts) in one statement each instead of by an insert trigger per row (~40 µs
    a fan); updates and deletes keep their triggers, so the block may update older rows
    but not the rows it inserts. Same transaction rules as ``rollups_deferred``."""
    off = None
    if connection.dialect.name == "sqlite":
        off = _turned_off(connection, _triggers("sqlite", (source,), ("insert",)))
    if off is None:
        yield
        return
    newest = _newest(connection, (source,))
    yield
    _bulk(connection, (source,), newest)
    off.back_on(list(off.saved))
